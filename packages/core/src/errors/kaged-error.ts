/**
 * Base of every error a kaged package throws: a stable `code` for programs, a message for the
 * operator that says what to do next, and a marker per class so that `isInstance` tells
 * siblings apart and works across duplicate installs (where `instanceof` does not).
 *
 * A subclass names its own marker, `kaged.<package>.<ClassName>`, as `static readonly marker`.
 * The constructor brands the instance with the marker of its class and of every ancestor, so
 * `KagedLlmError.isInstance(new NoSuchModelError(…))` is true and
 * `NoSuchModelError.isInstance(new MissingApiKeyError(…))` is not.
 */
export class KagedError extends Error {
  /** Carried by every kaged error, whatever its package. */
  static readonly marker: string = 'kaged.error';

  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    for (let type: unknown = new.target; type && type !== Error; type = Object.getPrototypeOf(type)) {
      if (Object.hasOwn(type as object, 'marker')) {
        Object.defineProperty(this, Symbol.for((type as typeof KagedError).marker), { value: true });
      }
    }
  }

  /** True for an instance of this very class or a subclass, from any installed copy. */
  static isInstance<T>(this: abstract new (...args: never[]) => T, error: unknown): error is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class asked (NoSuchModelError.isInstance): the point of it.
    return hasMarker(error, ownMarkerOf(this));
  }
}

/** True when `error` was branded with `marker` (see `KagedError`). */
export function hasMarker(error: unknown, marker: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const symbol = Symbol.for(marker);
  return symbol in error && (error as Record<symbol, unknown>)[symbol] === true;
}

function ownMarkerOf(type: object): string {
  // An inherited marker would make the class answer for its siblings: the bug this base exists
  // to prevent. Loud, because it is a programming error, caught by the first test that asks.
  if (!Object.hasOwn(type, 'marker')) {
    throw new TypeError(`${(type as { name?: string }).name ?? 'this error class'} must declare its own static marker`);
  }
  return (type as typeof KagedError).marker;
}
