import { KagedError } from '@kaged/core';

/**
 * Base of the daemon's own errors (the CLI, start-up, listening): a stable `code` and a
 * message that says what to do next. Any kaged package's error, this one included, answers
 * `KagedError.isInstance` from `@kaged/core`.
 */
export class KagedDaemonError extends KagedError {
  static override readonly marker: string = 'kaged.daemon.KagedDaemonError';
}
