/**
 * The key names Mastra's `SensitiveDataFilter` redacts by default (@mastra/observability 1.17).
 * Passing `sensitiveFields` replaces this list rather than extending it, so it is repeated here.
 * The filter compares whole keys after lower-casing and removing everything but letters and
 * digits (`API-Key` -> `apikey`); `key` therefore matches a key named `key`, not `apiKey`.
 */
export const MASTRA_SENSITIVE_FIELDS: readonly string[] = [
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
];

/**
 * Mastra's defaults plus the names kaged's logger censors (`SECRET_KEY`) that the defaults miss:
 * kaged's own settings (`secretKey`, `publicKey` of Langfuse), HTTP headers (`x-api-key`,
 * `cookie`, `proxy-authorization`) and common token names. A span then never carries a value
 * that kaged's logs would censor.
 */
export const KAGED_SENSITIVE_FIELDS: readonly string[] = [
  ...MASTRA_SENSITIVE_FIELDS,
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
