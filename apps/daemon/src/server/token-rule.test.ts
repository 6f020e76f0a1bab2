import { describe, expect, it } from 'vitest';
import { daemonToken, MIN_TOKEN_LENGTH, tokenProblem, tokensMatch } from './token-rule.js';
import { serverSecuritySettings } from './server-security-settings.js';

describe('the token rule', () => {
  const good = 'a-long-enough-test-token';

  it('holds every source to the same minimum', () => {
    expect(tokenProblem('x'.repeat(MIN_TOKEN_LENGTH))).toBeUndefined();
    expect(tokenProblem('x'.repeat(MIN_TOKEN_LENGTH - 1))).toMatch(/at least 16/);
    expect(() => daemonToken({ env: 'x' })).toThrow(/KAGED_TOKEN: token must be at least 16 characters/);
    expect(() => daemonToken({ option: 'short' })).toThrow(/--token/);
    expect(() => daemonToken({ project: 'short' })).toThrow(/server\.token/);
    expect(serverSecuritySettings.token.safeParse('short').success).toBe(false);
    expect(serverSecuritySettings.token.safeParse(good).success).toBe(true);
  });

  it('takes --token over server.token over KAGED_TOKEN; an empty KAGED_TOKEN is no token', () => {
    expect(daemonToken({ option: good, project: `${good}-p`, env: `${good}-e` })).toBe(good);
    expect(daemonToken({ project: `${good}-p`, env: `${good}-e` })).toBe(`${good}-p`);
    expect(daemonToken({ env: `${good}-e` })).toBe(`${good}-e`);
    expect(daemonToken({ env: '' })).toBeUndefined();
    expect(daemonToken({})).toBeUndefined();
  });

  it('compares tokens of any length without throwing (digests, not the raw bytes)', () => {
    expect(tokensMatch(good, good)).toBe(true);
    expect(tokensMatch('', good)).toBe(false);
    expect(tokensMatch(good.slice(0, -1), good)).toBe(false);
    expect(tokensMatch(`${good}x`, good)).toBe(false);
    expect(tokensMatch('é'.repeat(1000), good)).toBe(false);
  });
});
