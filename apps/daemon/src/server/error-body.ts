import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Every error response of the API has this body. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; [extra: string]: unknown };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string, extra: Record<string, unknown> = {}): Response {
  const body: ErrorBody = { error: { code, message, ...extra } };
  return c.json(body, status);
}
