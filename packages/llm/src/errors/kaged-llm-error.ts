import { KagedError } from '@kaged/core';

/**
 * Base class of every error `@kaged/llm` throws. `code` is stable and meant for programs;
 * the message is meant for the operator and says what to do next. `isInstance` (from
 * `KagedError`) works across duplicate installs of this package, unlike `instanceof`, and each
 * subclass answers only for itself: every class declares its own `marker`.
 */
export class KagedLlmError extends KagedError {
  static override readonly marker: string = 'kaged.llm.error';
}
