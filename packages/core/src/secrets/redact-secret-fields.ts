import { isSecretKey } from './secret-keys.js';

/** What a censored value is replaced with, in objects and in text. */
export const CENSOR = '[redacted]';

const MAX_DEPTH = 8;

/**
 * `value` with every secret-named field (`isSecretKey`) censored, at any depth of plain objects
 * and arrays. Returns the very same object when there is nothing to censor, so the common case
 * allocates nothing; the input is never mutated. Class instances (errors, dates, buffers) are
 * left as they are: their serialisers decide what they show.
 */
export function redactSecretFields<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactSecretFields(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return (copy ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const redacted = isSecretKey(key) && item !== undefined && item !== null ? CENSOR : redactSecretFields(item, depth + 1);
    if (redacted !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = redacted;
  }
  return (copy ?? value) as T;
}
