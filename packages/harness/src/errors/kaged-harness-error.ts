/** Shared by every kaged package's errors, so an application can tell any of them apart. */
const anyKagedError = Symbol.for('kaged.error');
const marker = Symbol.for('kaged.harness.error');

/** Base of the harness's errors: a stable `code` for programs, an actionable message for people. */
export class KagedHarnessError extends Error {
  readonly [anyKagedError] = true;
  readonly [marker] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  static isInstance(error: unknown): error is KagedHarnessError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
