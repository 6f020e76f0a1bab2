import { SECRET_KEY_NAMES } from '@kaged/core';

// Names this package exported before the one list moved to @kaged/core, kept so that library
// users do not break.

/**
 * @deprecated Use `SECRET_KEY_NAMES` from `@kaged/core`: the list `createTracing` gives Mastra's
 * `SensitiveDataFilter` (its defaults plus kaged's names, in the filter's normal form).
 */
export const KAGED_SENSITIVE_FIELDS: readonly string[] = SECRET_KEY_NAMES;

/**
 * @deprecated The key names Mastra's `SensitiveDataFilter` redacts by default
 * (@mastra/observability 1.17): the head of `SECRET_KEY_NAMES`, which lists them first
 * (sensitive-fields.test.ts checks them against the filter).
 */
export const MASTRA_SENSITIVE_FIELDS: readonly string[] = SECRET_KEY_NAMES.slice(0, SECRET_KEY_NAMES.indexOf('ssn') + 1);
