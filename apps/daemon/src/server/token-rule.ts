import { createHash, timingSafeEqual } from 'node:crypto';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';

/** The shortest bearer token kaged accepts, from any source (server.token, KAGED_TOKEN, the API). */
export const MIN_TOKEN_LENGTH = 16;

/** Why `token` cannot serve as the daemon's bearer token, or undefined when it can. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `token must be at least ${MIN_TOKEN_LENGTH} characters`;
  return undefined;
}

/**
 * Compares a presented token with the expected one in time that depends on neither's length or
 * content: both are hashed to 32 bytes first, so `timingSafeEqual` always compares equal lengths.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * The daemon's token: `--token` (the `token` option), else `server.token`, else `KAGED_TOKEN`;
 * whichever wins is held to the same rule (`server.token` was already checked, positioned, by
 * the project schema). Throws naming the source that broke it.
 */
export function daemonToken(sources: { option?: string | undefined; project?: string | undefined; env?: string | undefined }): string | undefined {
  const [token, source] =
    sources.option !== undefined
      ? [sources.option, 'the token option (--token)']
      : sources.project !== undefined
        ? [sources.project, 'server.token']
        : [sources.env || undefined, 'KAGED_TOKEN'];
  if (token === undefined) return undefined;
  const problem = tokenProblem(token);
  if (problem) throw new KagedDaemonError('invalid_token', `${source}: ${problem}; generate one with \`openssl rand -hex 32\``);
  return token;
}
