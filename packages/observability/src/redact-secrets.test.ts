import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { redactSecrets } from './redact-secrets.js';

const CANARY = 'sk-CANARY-deep-secret-0001';

describe('redactSecrets', () => {
  it('censors secret-named keys at any depth and in any case', () => {
    const input = {
      config: { providers: { local: { apiKey: CANARY, baseURL: 'http://x' } } },
      a: { provider: { headers: { Authorization: `Bearer ${CANARY}`, 'X-Api-Key': CANARY, accept: 'json' } } },
      list: [{ password: CANARY }, 'plain'],
      inputTokens: 12,
      tokens: 3,
    };
    expect(redactSecrets(input)).toEqual({
      config: { providers: { local: { apiKey: '[redacted]', baseURL: 'http://x' } } },
      a: { provider: { headers: { Authorization: '[redacted]', 'X-Api-Key': '[redacted]', accept: 'json' } } },
      list: [{ password: '[redacted]' }, 'plain'],
      inputTokens: 12,
      tokens: 3,
    });
    expect(input.config.providers.local.apiKey).toBe(CANARY);
  });

  it('returns the same object when there is nothing to censor', () => {
    const input = { a: { b: [1, { c: 'd' }] } };
    expect(redactSecrets(input)).toBe(input);
  });

  it('leaves errors to the serialiser and stops at a depth bound', () => {
    const error = new Error('boom');
    expect(redactSecrets({ err: error }).err).toBe(error);
    let deep: Record<string, unknown> = { apiKey: CANARY };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(() => redactSecrets(deep)).not.toThrow();
  });

  it('keeps secrets out of the log stream however deep they are', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    logger.info({ request: { headers: { Authorization: `Bearer ${CANARY}` } }, config: { providers: { x: { apiKey: CANARY } } } }, 'call');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(CANARY);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      request: { headers: { Authorization: '[redacted]' } },
      config: { providers: { x: { apiKey: '[redacted]' } } },
    });
  });
});
