const marker = Symbol.for('kaged.error');

/** Base of the daemon's errors: a stable `code` and a message that says what to do next. */
export class KagedError extends Error {
  readonly [marker] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * True for an error of any kaged package (`@kaged/llm`, `@kaged/harness`…), which all carry
   * a stable `code` and an operator-facing message; works across duplicate installs.
   */
  static isInstance(error: unknown): error is KagedError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
