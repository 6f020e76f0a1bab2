/** Keys whose values are secrets, matched case-insensitively at any depth. */
export const SECRET_KEY = /^(api[-_]?key|x-api-key|(access|refresh|bearer|auth)?[-_]?token|authorization|proxy-authorization|cookie|set-cookie|secret|client[-_]?secret|secret[-_]?key|public[-_]?key|private[-_]?key|password|passwd)$/i;

export const CENSOR = '[redacted]';

const MAX_DEPTH = 8;

/**
 * Returns `value` with every secret-named field censored, at any depth of plain objects and
 * arrays. Returns the very same object when there is nothing to censor, so the common case
 * allocates nothing; the input is never mutated.
 */
export function redactSecrets<T>(value: T, depth = 0): T {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactSecrets(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return (copy ?? value) as T;
  }
  const proto = Object.getPrototypeOf(value);
  // Errors, Dates, Buffers… are left to pino's serialisers.
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const redacted = SECRET_KEY.test(key) && item !== undefined && item !== null ? CENSOR : redactSecrets(item, depth + 1);
    if (redacted !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = redacted;
  }
  return (copy ?? value) as T;
}
