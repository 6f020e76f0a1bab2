import { redactSecretFields, SECRET_KEY_NAMES } from '@kaged/core';

export { CENSOR } from '@kaged/core';

// Names this package exported before the rules moved to @kaged/core, kept so that library
// users do not break. Each is derived from core's one list or is core's function.

/**
 * @deprecated Use `isSecretKey` (or `SECRET_KEY_NAMES`) from `@kaged/core`. A pattern that
 * matches exactly the keys `isSecretKey` accepts: a name of the list, whatever the case and
 * the separators between its letters.
 */
export const SECRET_KEY: RegExp = new RegExp(`^[^a-z0-9]*(?:${SECRET_KEY_NAMES.map((name) => [...name].join('[^a-z0-9]*')).join('|')})[^a-z0-9]*$`, 'i');

/** @deprecated Use `redactSecretFields` from `@kaged/core` (the same function). */
export const redactSecrets: typeof redactSecretFields = redactSecretFields;
