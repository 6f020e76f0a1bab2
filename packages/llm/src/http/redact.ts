const KEY_LIKE = /\b(?:sk|pk|rk)-[A-Za-z0-9_*.-]{6,}/g;
const BEARER = /\b(Bearer|Basic)\s+[^\s"',;]+/gi;
const KEY_FIELD = /\b(api[_-]?key|x-api-key|authorization)(["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi;

/**
 * Removes what looks like a credential from text a provider sent back (servers echo masked or
 * whole keys in error messages): the given secrets verbatim, `sk-…`-style keys, bearer tokens
 * and `api_key=…` pairs.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would match ordinary words; real keys are long.
    if (secret && secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  return result.replace(BEARER, '$1 [redacted]').replace(KEY_FIELD, '$1$2[redacted]').replace(KEY_LIKE, '[redacted]');
}
