import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './error-body.js';

/** Requires `Authorization: Bearer <token>`; compares in constant time. */
export function bearerAuth(token: string): MiddlewareHandler {
  const expected = Buffer.from(token);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = Buffer.from(match?.[1]?.trim() ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="kaged"');
      return errorResponse(
        c,
        401,
        'unauthorized',
        match ? 'the bearer token is not valid' : 'this route needs Authorization: Bearer <token> (server.token or KAGED_TOKEN)',
      );
    }
    await next();
  };
}
