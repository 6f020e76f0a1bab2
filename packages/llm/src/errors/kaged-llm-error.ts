/** Shared by every kaged package's errors, so an application can tell any of them apart. */
const anyKagedError = Symbol.for('kaged.error');
const marker = Symbol.for('kaged.llm.error');

/**
 * Base class of every error `@kaged/llm` throws. `code` is stable and meant for programs;
 * the message is meant for the operator and says what to do next.
 */
export class KagedLlmError extends Error {
  readonly [anyKagedError] = true;
  readonly [marker] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /** Works across duplicate installs of this package, unlike `instanceof`. */
  static isInstance(error: unknown): error is KagedLlmError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
