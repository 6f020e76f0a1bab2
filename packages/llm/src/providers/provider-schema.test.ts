import { describe, expect, expectTypeOf, it } from 'vitest';
import { priceSchema } from '../pricing/price-schema.js';
import type { ModelPrice } from '../pricing/model-price.js';
import { DEFAULT_MAX_RETRIES, MAX_RETRIES_LIMIT, type HttpProviderSettings } from './http-settings.js';
import { apiKeyOf, providerMaxRetries, providerSettingsOf } from './provider-rules.js';
import { providerSettingsSchema, type ProviderFileSettings } from './provider-schema.js';
import { InvalidProviderError } from '../errors/invalid-provider-error.js';

const messages = (value: unknown) => {
  const result = providerSettingsSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('providerSettingsSchema', () => {
  it('accepts the four provider types', () => {
    expect(messages({ type: 'openai-compatible', baseURL: 'http://127.0.0.1:8080/v1', maxRetries: 0, timeoutMs: 1000 })).toEqual([]);
    expect(messages({ type: 'openai', apiKey: 'sk-x', headers: { 'x-team': 'a' } })).toEqual([]);
    expect(messages({ type: 'anthropic', baseURL: 'https://api.anthropic.com/v1' })).toEqual([]);
    expect(messages({ type: 'scripted', script: { file: 'demo.yaml' } })).toEqual([]);
  });

  it('names the types, the base URL example and the bounds', () => {
    expect(messages({ type: 'grpc' })).toEqual(['type: unknown provider type: expected "openai-compatible", "openai", "anthropic" or "scripted"']);
    expect(messages({ type: 'openai-compatible', baseURL: 'ftp://x' })).toEqual(['baseURL: baseURL must be an http(s) URL such as http://127.0.0.1:11434/v1']);
    expect(messages({ type: 'openai', baseURL: 'nope' })).toEqual(['baseURL: baseURL must be an http(s) URL such as https://api.openai.com/v1']);
    expect(messages({ type: 'openai', maxRetries: MAX_RETRIES_LIMIT + 1 })).toEqual(['maxRetries: Too big: expected number to be <=10']);
    expect(messages({ type: 'openai', timeoutMs: 0 })).toEqual(['timeoutMs: Too small: expected number to be >=1']);
    expect(messages({ type: 'scripted', script: { file: '' } })).toEqual(['script.file: file must not be empty']);
  });

  it('describes what the factories take', () => {
    expectTypeOf<Exclude<ProviderFileSettings, { type: 'scripted' }>>().toExtend<HttpProviderSettings>();
    expectTypeOf(priceSchema.parse({ input: 1, output: 2 })).toExtend<ModelPrice>();
    expect(priceSchema.safeParse({ input: -1, output: 2 }).success).toBe(false);
  });
});

describe('provider rules', () => {
  it('find configured providers first, then the built-in ones', () => {
    const configured = { openai: { type: 'openai-compatible' as const, baseURL: 'http://x/v1' }, local: { type: 'scripted' as const } };
    expect(providerSettingsOf('openai', configured)).toEqual({ type: 'openai-compatible', baseURL: 'http://x/v1' });
    expect(providerSettingsOf('anthropic', configured)).toEqual({ type: 'anthropic' });
    expect(providerSettingsOf('nope', configured)).toBeUndefined();
    expect(providerSettingsOf('toString', {})).toBeUndefined();
  });

  it('take the API key from the settings, else the type’s variable', () => {
    const env = { OPENAI_API_KEY: 'sk-env' };
    expect(apiKeyOf({ type: 'openai' }, env)).toBe('sk-env');
    expect(apiKeyOf({ type: 'openai', apiKey: 'sk-own' }, env)).toBe('sk-own');
    expect(apiKeyOf({ type: 'openai', apiKey: '' }, {})).toBeUndefined();
    expect(apiKeyOf({ type: 'openai-compatible' }, env)).toBeUndefined();
    expect(apiKeyOf({ type: 'scripted' }, env)).toBeUndefined();
  });

  it('retry calls to servers, never scripted models', () => {
    expect(providerMaxRetries('a', { type: 'openai' })).toBe(DEFAULT_MAX_RETRIES);
    expect(providerMaxRetries('a', { type: 'openai-compatible', maxRetries: 0 })).toBe(0);
    expect(providerMaxRetries('a', { type: 'scripted' })).toBe(0);
    expect(() => providerMaxRetries('a', { type: 'openai', maxRetries: 11 })).toThrow(InvalidProviderError);
  });
});
