import { APICallError } from '@ai-sdk/provider';
import { KagedError } from '@kaged/core';
import { describe, expect, it } from 'vitest';
import { classifyModelError } from './classify-model-error.js';
import { ModelCallError } from './errors/model-call-error.js';
import { ModelTimeoutError } from './errors/model-timeout-error.js';
import { ScriptExhaustedError } from './errors/script-exhausted-error.js';

const url = 'https://api.example.com/v1/chat/completions?key=sk-in-query-123456';
const apiError = (statusCode: number | undefined, message: string, extra: Partial<ConstructorParameters<typeof APICallError>[0]> = {}) =>
  new APICallError({ message, url, requestBodyValues: {}, statusCode, ...extra });

const context = { modelId: 'work/gpt-4o', apiKeyEnv: 'OPENAI_API_KEY', maxRetries: 1, secrets: ['sk-the-real-key-0123456789'] };

describe('classifyModelError', () => {
  it.each([
    [
      401,
      'auth_failed',
      'provider "work" rejected the API key (HTTP 401 from https://api.example.com/v1/chat/completions): check OPENAI_API_KEY or providers.work.apiKey',
    ],
    [
      403,
      'auth_failed',
      'provider "work" refused access to model "gpt-4o" (HTTP 403 from https://api.example.com/v1/chat/completions): check that the API key (OPENAI_API_KEY or providers.work.apiKey) may use this model. The server said: nope',
    ],
    [
      404,
      'model_not_found',
      'provider "work" has no model "gpt-4o" (HTTP 404 from https://api.example.com/v1/chat/completions): check the model name after "work/" and providers.work.baseURL. The server said: nope',
    ],
    [
      429,
      'rate_limited',
      'provider "work" is rate limiting model "gpt-4o" (HTTP 429 from https://api.example.com/v1/chat/completions, still failing after 1 retry): wait, send fewer requests, or raise the account\'s limits. The server said: nope',
    ],
    [
      503,
      'provider_unavailable',
      'provider "work" failed for model "gpt-4o" (HTTP 503 from https://api.example.com/v1/chat/completions, still failing after 1 retry): the service has a problem; try again later. The server said: nope',
    ],
    [
      400,
      'provider_error',
      'provider "work" rejected the call to model "gpt-4o" (HTTP 400 from https://api.example.com/v1/chat/completions). The server said: nope',
    ],
  ])('maps HTTP %i to %s with an actionable message', (status, code, message) => {
    const classified = classifyModelError(apiError(status, 'nope'), context);
    expect(classified).toBeInstanceOf(ModelCallError);
    expect(classified).toMatchObject({
      code,
      message,
      statusCode: status,
      providerName: 'work',
      modelId: 'work/gpt-4o',
      url: 'https://api.example.com/v1/chat/completions',
    });
  });

  it('recognises a model-not-found answer that comes as HTTP 400', () => {
    const error = apiError(400, 'The model `gpt-9` does not exist', {
      responseBody: '{"error":{"message":"The model `gpt-9` does not exist","code":"model_not_found"}}',
    });
    expect(classifyModelError(error, context)?.code).toBe('model_not_found');
  });

  it('never repeats a key: not the configured one, not key-like strings, not bearer tokens', () => {
    const error = apiError(403, 'Key sk-the-real-key-0123456789 / sk-proj-abcdef123456 / Authorization: Bearer abc.def.ghi / api_key=hunter22hunter22');
    const { message } = classifyModelError(error, context)!;
    expect(message).not.toMatch(/sk-the-real|sk-proj|abc\.def|hunter22/);
    expect(message).toContain('[redacted]');
    // The 401 message does not quote the server at all: servers echo the key they were sent.
    expect(classifyModelError(apiError(401, 'Incorrect API key provided: sk-live-xyz9876543'), context)!.message).not.toContain('xyz98');
  });

  it('maps refused connections and failed DNS to connection_failed naming the URL', () => {
    const refused = apiError(undefined, 'Cannot connect to API: connect ECONNREFUSED 127.0.0.1:9', {
      url: 'http://127.0.0.1:9/v1/chat/completions',
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
      isRetryable: true,
    });
    expect(classifyModelError(refused, { modelId: 'local/m', maxRetries: 2 })).toMatchObject({
      code: 'connection_failed',
      message:
        'cannot connect to provider "local" at http://127.0.0.1:9/v1/chat/completions (connection refused, still failing after 2 retries): check that the server is running and providers.local.baseURL',
    });
    const dns = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }) });
    expect(classifyModelError(dns, { modelId: 'local/m', baseURL: 'http://nowhere.invalid/v1' })).toMatchObject({
      code: 'connection_failed',
      message:
        'cannot connect to provider "local" at http://nowhere.invalid/v1 (host not found (DNS)): check that the server is running and providers.local.baseURL',
    });
  });

  it('maps kaged timeouts and network timeouts to timeout naming the URL', () => {
    expect(classifyModelError(new ModelTimeoutError('http://127.0.0.1:8/v1/messages', 250), { modelId: 'claude/x' })).toMatchObject({
      code: 'timeout',
      url: 'http://127.0.0.1:8/v1/messages',
      message:
        'provider "claude" sent nothing for 250 ms at http://127.0.0.1:8/v1/messages: check that the server is up and not overloaded, or raise providers.claude.timeoutMs',
    });
    const connectTimeout = apiError(undefined, 'Cannot connect to API: Connect Timeout Error', {
      cause: Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }),
    });
    expect(classifyModelError(connectTimeout, { modelId: 'a/b' })).toMatchObject({ code: 'timeout', message: expect.stringContaining('connecting timed out') });
    expect(classifyModelError(new DOMException('The operation timed out.', 'TimeoutError'), { modelId: 'a/b' })?.code).toBe('timeout');
  });

  it('looks through wrappers: causes, and the last error of an AI SDK RetryError', () => {
    const last = apiError(429, 'slow down');
    const retry = Object.assign(new Error('Failed after 3 attempts. Last error: slow down'), {
      name: 'AI_RetryError',
      lastError: last,
      errors: [last, last, last],
    });
    expect(classifyModelError(retry, context)?.code).toBe('rate_limited');
    expect(classifyModelError(new Error('wrapped', { cause: apiError(401, 'x') }), context)?.code).toBe('auth_failed');
  });

  it('classifies an error that arrives inside the stream, which carries a status but is no APICallError', () => {
    const streamError = { message: 'Overloaded', type: 'overloaded_error', statusCode: 529, isRetryable: true };
    expect(classifyModelError(streamError, { modelId: 'anthropic/claude-haiku-4-5' })).toMatchObject({ code: 'provider_unavailable', statusCode: 529 });
  });

  it('leaves alone what is not about calling a model', () => {
    expect(classifyModelError(new Error('tool crashed'), context)).toBeUndefined();
    expect(classifyModelError(new ScriptExhaustedError('assistant', 1, 1), context)).toBeUndefined();
    expect(classifyModelError(undefined, context)).toBeUndefined();
    expect(classifyModelError('a string', context)).toBeUndefined();
  });

  it('stops at a kaged error that is not about the model, even when its cause is a network failure', () => {
    // A storage error caused by PostgreSQL refusing the connection is not "cannot connect to provider".
    class StorageDownError extends KagedError {
      static override readonly marker: string = 'kaged.test.StorageDownError';
    }
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(classifyModelError(new StorageDownError('storage_unavailable', 'storage down', { cause: refused }), context)).toBeUndefined();
    // The same network failure without kaged's wrapper is still the provider's.
    expect(classifyModelError(refused, context)?.code).toBe('connection_failed');
  });

  it('passes an already classified error through', () => {
    const classified = new ModelCallError('auth_failed', 'x', { modelId: 'a/b', providerName: 'a' });
    expect(classifyModelError(classified, context)).toBe(classified);
  });

  it('asks for the key when the AI SDK could not load one', () => {
    const error = Object.assign(new Error('OpenAI API key is missing.'), { name: 'AI_LoadAPIKeyError' });
    expect(classifyModelError(error, context)).toMatchObject({
      code: 'missing_api_key',
      message: 'provider "work" needs an API key: set OPENAI_API_KEY or providers.work.apiKey',
    });
  });
});
