/**
 * The one list of field names whose values are secrets, for logs, spans and API answers alike.
 * Names are compared the way Mastra's `SensitiveDataFilter` compares them: lower-cased, with
 * everything but letters and digits removed (`X-API-Key` -> `xapikey`), whole names only.
 * It holds Mastra's defaults (@mastra/observability 1.17: passing `sensitiveFields` replaces
 * them, so they are listed here) and what kaged's settings and HTTP headers add.
 */
export const SECRET_KEY_NAMES: readonly string[] = [
  // Mastra's defaults
  'password',
  'token',
  'secret',
  'key',
  'apikey',
  'auth',
  'authorization',
  'bearer',
  'bearertoken',
  'jwt',
  'credential',
  'clientsecret',
  'privatekey',
  'refresh',
  'ssn',
  // kaged's settings (Langfuse's key pair), HTTP headers and common token names
  'xapikey',
  'accesstoken',
  'refreshtoken',
  'authtoken',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'secretkey',
  'publickey',
  'passwd',
];

const names = new Set(SECRET_KEY_NAMES);
const NOT_ALPHANUMERIC = /[^a-z0-9]/g;

/** `key` in the normal form the list uses. */
export function normalizeKeyName(key: string): string {
  return key.toLowerCase().replace(NOT_ALPHANUMERIC, '');
}

/** True when a field of this name holds a secret (`apiKey`, `Authorization`, `x-api-key`…). */
export function isSecretKey(key: string): boolean {
  return names.has(normalizeKeyName(key));
}
