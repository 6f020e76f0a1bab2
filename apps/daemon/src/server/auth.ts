import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './error-body.js';
import { tokensMatch } from './token-rule.js';

/** Requires `Authorization: Bearer <token>`; compares in constant time, whatever the lengths (token-rule.ts). */
export function bearerAuth(token: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!tokensMatch(match?.[1]?.trim() ?? '', token)) {
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
