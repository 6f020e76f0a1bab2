import { SECRET_KEY_NAMES } from '@kaged/core';
import type { AnySpan } from '@mastra/core/observability';
import { SensitiveDataFilter } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { SECRET_KEY } from '../redact-secrets.js';
import { KAGED_SENSITIVE_FIELDS, MASTRA_SENSITIVE_FIELDS } from './sensitive-fields.js';

// Every spelling kaged's logger censors (SECRET_KEY), as it may appear in a span.
const kagedSecretKeys = [
  'apiKey',
  'api_key',
  'x-api-key',
  'token',
  'accessToken',
  'refresh_token',
  'bearerToken',
  'authToken',
  'authorization',
  'Proxy-Authorization',
  'cookie',
  'set-cookie',
  'secret',
  'clientSecret',
  'secretKey',
  'publicKey',
  'private_key',
  'password',
  'passwd',
];

function filtered(filter: SensitiveDataFilter, key: string): unknown {
  const span = { attributes: {}, metadata: { nested: { [key]: 'CANARY-value' } }, input: undefined, output: undefined } as unknown as AnySpan;
  return (filter.process(span)!.metadata as { nested: Record<string, unknown> }).nested[key];
}

describe('KAGED_SENSITIVE_FIELDS', () => {
  it('lists only names the logger censors too, or Mastra defaults', () => {
    for (const key of kagedSecretKeys) expect(SECRET_KEY.test(key), key).toBe(true);
  });

  it('makes Mastra’s SensitiveDataFilter redact every secret name kaged’s logs censor', () => {
    const filter = new SensitiveDataFilter({ sensitiveFields: [...KAGED_SENSITIVE_FIELDS] });
    for (const key of kagedSecretKeys) expect(filtered(filter, key), key).toBe('[REDACTED]');
    expect(filtered(filter, 'inputTokens')).toBe('CANARY-value');
  });

  it('covers names that Mastra’s defaults miss', () => {
    const defaults = new SensitiveDataFilter();
    const missed = kagedSecretKeys.filter((key) => filtered(defaults, key) !== '[REDACTED]');
    expect(missed).toEqual([
      'x-api-key',
      'accessToken',
      'refresh_token',
      'authToken',
      'Proxy-Authorization',
      'cookie',
      'set-cookie',
      'secretKey',
      'publicKey',
      'passwd',
    ]);
  });
});

describe('MASTRA_SENSITIVE_FIELDS (deprecated)', () => {
  it('are exactly the names of the list that Mastra’s default filter redacts', () => {
    const defaults = new SensitiveDataFilter();
    expect(SECRET_KEY_NAMES.filter((name) => filtered(defaults, name) === '[REDACTED]')).toEqual([...MASTRA_SENSITIVE_FIELDS]);
    expect(KAGED_SENSITIVE_FIELDS).toBe(SECRET_KEY_NAMES);
  });
});
