import { describe, expect, it } from 'vitest';
import { InvalidProviderError } from '../errors/invalid-provider-error.js';
import { MissingApiKeyError } from '../errors/missing-api-key-error.js';
import { createModelRegistry } from '../model-registry.js';
import { apiKeyEnvOf, builtinProviders, OLLAMA_BASE_URL } from './builtin-providers.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('built-in provider names', () => {
  it('are openai, anthropic and a local ollama', () => {
    expect(builtinProviders).toEqual({
      openai: { type: 'openai' },
      anthropic: { type: 'anthropic' },
      ollama: { type: 'openai-compatible', baseURL: OLLAMA_BASE_URL },
    });
    expect(OLLAMA_BASE_URL).toBe('http://127.0.0.1:11434/v1');
  });

  it('resolve with no configuration, keys from the environment given', () => {
    const registry = createModelRegistry({ env: { OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a' } });
    expect(registry.resolve('openai/gpt-4o')).toMatchObject({ provider: 'openai.chat', modelId: 'gpt-4o' });
    expect(registry.resolve('anthropic/claude-sonnet-4-5')).toMatchObject({ provider: 'anthropic.messages', modelId: 'claude-sonnet-4-5' });
    expect(registry.resolve('ollama/llama3.2')).toMatchObject({ provider: 'ollama.chat', modelId: 'llama3.2' });
    expect(registry.providerType('openai')).toBe('openai');
    expect(registry.providerType('ollama')).toBe('openai-compatible');
    expect(registry.providerType('nope')).toBeUndefined();
  });

  it('need a key only when a model of theirs is resolved, and then name the variable', () => {
    const registry = createModelRegistry({ env: {} });
    expect(registry.resolve('ollama/qwen3')).toBeDefined();
    const error = caught(() => registry.resolve('openai/gpt-4o'));
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect(error).toMatchObject({
      code: 'missing_api_key',
      envVar: 'OPENAI_API_KEY',
      message: 'provider "openai" needs an API key: set OPENAI_API_KEY or providers.openai.apiKey',
    });
    expect(caught(() => registry.resolve('anthropic/claude-haiku-4-5'))).toMatchObject({
      message: 'provider "anthropic" needs an API key: set ANTHROPIC_API_KEY or providers.anthropic.apiKey',
    });
  });

  it('read the environment given, not the process environment', () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-process';
    try {
      expect(caught(() => createModelRegistry({ env: {} }).resolve('openai/gpt-4o'))).toBeInstanceOf(MissingApiKeyError);
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  });

  it('give way to a configured provider of the same name', () => {
    const registry = createModelRegistry({ providers: { openai: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:8080/v1' } }, env: {} });
    expect(registry.resolve('openai/local-model').provider).toBe('openai.chat');
    expect(registry.providerType('openai')).toBe('openai-compatible');
  });
});

describe('API keys of openai and anthropic providers', () => {
  it('come from settings first, then from the type’s variable; an empty setting counts as unset', () => {
    expect(apiKeyEnvOf('openai')).toBe('OPENAI_API_KEY');
    expect(apiKeyEnvOf('anthropic')).toBe('ANTHROPIC_API_KEY');
    expect(apiKeyEnvOf('openai-compatible')).toBeUndefined();
    const env = { OPENAI_API_KEY: 'sk-env' };
    expect(createModelRegistry({ providers: { work: { type: 'openai', apiKey: '' } }, env }).resolve('work/gpt-4o')).toBeDefined();
    const error = caught(() => createModelRegistry({ providers: { work: { type: 'openai', apiKey: '' } }, env: {} }).resolve('work/gpt-4o'));
    expect((error as Error).message).toBe('provider "work" needs an API key: set OPENAI_API_KEY or providers.work.apiKey');
  });
});

describe('provider settings', () => {
  it('reject a malformed baseURL when the registry is created, naming the provider', () => {
    for (const type of ['openai', 'anthropic', 'openai-compatible'] as const) {
      const error = caught(() => createModelRegistry({ providers: { p: { type, baseURL: 'localhost:11434/v1' } }, env: {} }));
      expect(error).toBeInstanceOf(InvalidProviderError);
      expect((error as Error).message).toMatch(/^provider "p": baseURL must be an http\(s\) URL such as https?:\/\/.+, got "localhost:11434\/v1"$/);
    }
  });

  it('reject timeoutMs and maxRetries out of range', () => {
    expect(() => createModelRegistry({ providers: { p: { type: 'openai-compatible', baseURL: 'http://x/v1', timeoutMs: 0 } } })).toThrow(
      /timeoutMs must be a whole number/,
    );
    expect(() => createModelRegistry({ providers: { p: { type: 'anthropic', apiKey: 'k', maxRetries: -1 } } })).toThrow(
      /maxRetries must be a whole number from 0 to 10/,
    );
  });

  it('report the retries to configure for a model: the setting, 2 by default, 0 for scripted models', () => {
    const registry = createModelRegistry({
      providers: {
        fast: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 },
        demo: { type: 'scripted', script: { models: { '*': [{ steps: [{ text: 'x' }] }] } } },
      },
      env: {},
    });
    expect(registry.maxRetriesOf('fast/m')).toBe(0);
    expect(registry.maxRetriesOf('ollama/m')).toBe(2);
    expect(registry.maxRetriesOf('openai/gpt-4o')).toBe(2);
    expect(registry.maxRetriesOf('demo/m')).toBe(0);
    expect(() => registry.maxRetriesOf('nope/m')).toThrow(/unknown provider "nope"/);
  });

  it('describe errors with the provider’s variable and retries, with its key redacted', () => {
    const registry = createModelRegistry({ providers: { work: { type: 'openai', apiKey: 'sk-work-secret-123456', maxRetries: 3 } }, env: {} });
    const serverSaid = Object.assign(new Error('quota exceeded for sk-work-secret-123456'), { statusCode: 429 });
    expect(registry.describeError(serverSaid, 'work/gpt-4o')).toMatchObject({
      code: 'rate_limited',
      message:
        'provider "work" is rate limiting model "gpt-4o" (HTTP 429, still failing after 3 retries): wait, send fewer requests, or raise the account\'s limits. The server said: quota exceeded for [redacted]',
    });
    expect(registry.describeError(Object.assign(new Error('x'), { statusCode: 401 }), 'work/gpt-4o')?.message).toContain(
      'check OPENAI_API_KEY or providers.work.apiKey',
    );
    expect(registry.describeError(new Error('not a model error'), 'work/gpt-4o')).toBeUndefined();
  });
});
