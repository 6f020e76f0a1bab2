import type { Context } from 'hono';
import { errorResponse } from './error-body.js';

/** An id in a query or path (session, user, agent): what turn requests accept, and no more. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,256}$/;
export const ID_RULE = 'must be 1-256 characters of letters, digits, ".", "_", ":" or "-"';

/** A 400 naming the query or path field at fault. */
export function invalidField(c: Context, field: string, message: string): Response {
  return errorResponse(c, 400, 'invalid_request', `${field}: ${message}`, { field });
}

/** An ISO 8601 time (a date alone, or a date and time) or milliseconds since 1970; `undefined` otherwise. */
export function parseTime(value: string): Date | undefined {
  if (/^\d{1,15}$/.test(value)) return new Date(Number(value));
  // A date alone, or a date and time: `Date.parse` accepts far more, so check the shape first.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
}
