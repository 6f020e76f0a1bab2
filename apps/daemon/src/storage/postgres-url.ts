import { safeUrl } from '@kaged/core';

/** The URL's password (and the URL itself): values the logger must censor. */
export function postgresSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    const passwords = [decodeURIComponent(parsed.password), parsed.searchParams.get('password') ?? ''];
    return [url, ...passwords.filter((p) => p !== '')];
  } catch {
    return [url];
  }
}

/** `PostgreSQL at db.lan:5432/kaged`, with no user or password. */
export function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    const socket = parsed.searchParams.get('host');
    const host = parsed.host || socket || 'localhost';
    return `PostgreSQL at ${host}${parsed.pathname && parsed.pathname !== '/' ? parsed.pathname : ''}`;
  } catch {
    return `PostgreSQL at ${safeUrl(url)}`;
  }
}
