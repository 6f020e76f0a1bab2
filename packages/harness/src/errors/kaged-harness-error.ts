import { KagedError } from '@kaged/core';

/** Base of the harness's errors: a stable `code` for programs, an actionable message for people. */
export class KagedHarnessError extends KagedError {
  static override readonly marker: string = 'kaged.harness.error';
}
