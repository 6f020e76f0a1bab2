import { describe, expect, it } from 'vitest';
import { CENSOR, redactSecretFields } from './redact-secret-fields.js';
import { safeUrl } from './safe-url.js';
import { isSecretKey, SECRET_KEY_NAMES } from './secret-keys.js';
import { scrubSecrets, SecretScrubber } from './secret-scrubber.js';

describe('secret key names', () => {
  it('match whatever the case and separators', () => {
    for (const key of ['apiKey', 'API_KEY', 'x-api-key', 'Authorization', 'proxy-authorization', 'Set-Cookie', 'secretKey', 'client_secret', 'password']) {
      expect(isSecretKey(key), key).toBe(true);
    }
    for (const key of ['model', 'keyboard', 'monkey', 'tokens', 'inputTokens', 'author']) expect(isSecretKey(key), key).toBe(false);
  });

  it('are listed in normal form (what Mastra compares against)', () => {
    for (const name of SECRET_KEY_NAMES) expect(name).toMatch(/^[a-z0-9]+$/);
  });
});

describe('redactSecretFields', () => {
  it('censors at any depth and returns the same object when nothing is secret', () => {
    const clean = { a: 1, b: { c: [1, 2, { d: 'x' }] } };
    expect(redactSecretFields(clean)).toBe(clean);
    const input = { provider: { apiKey: 'sk-live-123456', headers: [{ Authorization: 'Bearer abc' }] }, model: 'm' };
    const out = redactSecretFields(input);
    expect(out).toEqual({ provider: { apiKey: CENSOR, headers: [{ Authorization: CENSOR }] }, model: 'm' });
    expect(input.provider.apiKey).toBe('sk-live-123456');
  });

  it('leaves null and undefined values alone (nothing to hide)', () => {
    const input = { apiKey: undefined, token: null };
    expect(redactSecretFields(input)).toBe(input);
  });
});

describe('SecretScrubber', () => {
  it('censors known values, longest first', () => {
    const scrubber = new SecretScrubber(['hunter22-password', 'hunter22']);
    expect(scrubber.scrub('login hunter22-password then hunter22')).toBe(`login ${CENSOR} then ${CENSOR}`);
    expect(scrubber.size).toBe(2);
  });

  it('ignores short values, which would censor ordinary words', () => {
    const scrubber = new SecretScrubber(['abc', '', undefined, null]);
    expect(scrubber.size).toBe(0);
    expect(scrubber.scrub('abc')).toBe('abc');
  });

  it('takes values added later', () => {
    const scrubber = new SecretScrubber();
    expect(scrubber.scrub('key is NEWKEY123456')).toBe('key is NEWKEY123456');
    scrubber.add('NEWKEY123456');
    expect(scrubber.scrub('key is NEWKEY123456')).toBe(`key is ${CENSOR}`);
  });

  it('censors credential-shaped text it was not told about', () => {
    expect(scrubSecrets('Authorization: Bearer eyJhbGciOi.J9x')).toBe(`Authorization: ${CENSOR}`);
    expect(scrubSecrets('sent Basic cGs6c2s= to the server')).toBe(`sent Basic ${CENSOR} to the server`);
    expect(scrubSecrets('{"api_key":"abcdef123"}')).toBe(`{"api_key":"${CENSOR}"}`);
    expect(scrubSecrets('Incorrect API key provided: sk-proj-abcdef1234')).toBe(`Incorrect API key provided: ${CENSOR}`);
  });

  it('leaves prose alone', () => {
    const prose = 'Basic authentication failed; the bearer of bad news sent a key';
    expect(scrubSecrets(prose)).toBe(prose);
  });

  it('keeps schemes and censors short tokens when asked (one-line error messages)', () => {
    const text = 'rejected for Authorization: Basic cGstbGY6c2stbGY= and Bearer abc.def';
    expect(scrubSecrets(text)).toBe(`rejected for Authorization: ${CENSOR} and Bearer abc.def`);
    expect(scrubSecrets(text, [], { keepSchemes: true, minSchemeTokenLength: 1 })).toBe(`rejected for Authorization: Basic ${CENSOR} and Bearer ${CENSOR}`);
    expect(scrubSecrets('Basic authentication failed', [], { keepSchemes: true, minSchemeTokenLength: 1 })).toBe('Basic authentication failed');
  });

  it('escapes values that look like patterns', () => {
    expect(scrubSecrets('a.b+c(d)*e? and axb', ['a.b+c(d)*e?'])).toBe(`${CENSOR} and axb`);
  });
});

describe('safeUrl', () => {
  it('drops credentials, query and fragment', () => {
    expect(safeUrl('https://user:pw@api.example.com/v1/chat?key=secret#x')).toBe('https://api.example.com/v1/chat');
    expect(safeUrl('not a url?key=1')).toBe('not a url');
  });
});
