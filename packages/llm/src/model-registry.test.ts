import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APICallError, generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidModelIdError } from './errors/invalid-model-id-error.js';
import { KagedLlmError } from './errors/kaged-llm-error.js';
import { NoSuchModelError } from './errors/no-such-model-error.js';
import { NoSuchProviderError } from './errors/no-such-provider-error.js';
import { createModelRegistry } from './model-registry.js';

const script = {
  models: {
    assistant: [{ steps: [{ text: 'scripted hello' }] }],
  },
};

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createModelRegistry', () => {
  it('lists the configured provider names in configuration order, then the built-in ones', () => {
    const registry = createModelRegistry({
      providers: {
        demo: { type: 'scripted', script },
        local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' },
      },
      env: {},
    });
    expect(registry.providerNames).toEqual(['demo', 'local', 'openai', 'anthropic', 'ollama']);
    expect(createModelRegistry({ providers: {}, env: {} }).providerNames).toEqual(['openai', 'anthropic', 'ollama']);
    expect(createModelRegistry({ providers: {}, builtins: false }).providerNames).toEqual([]);
    // A configured provider of a built-in name replaces it, in its configured place.
    expect(createModelRegistry({ providers: { ollama: { type: 'openai-compatible', baseURL: 'http://10.0.0.2:11434/v1' } }, env: {} }).providerNames).toEqual([
      'ollama',
      'openai',
      'anthropic',
    ]);
  });

  it('resolves a scripted model and caches it: the same id gives the same object', async () => {
    const registry = createModelRegistry({ providers: { demo: { type: 'scripted', script } } });
    const model = registry.resolve('demo/assistant');
    expect(model.provider).toBe('demo');
    expect(model.modelId).toBe('assistant');
    expect(registry.resolve('demo/assistant')).toBe(model);
    expect((await generateText({ model, prompt: 'hi' })).text).toBe('scripted hello');
  });

  it('creates distinct models for distinct ids and distinct registries', () => {
    const a = createModelRegistry({ providers: { x: { type: 'scripted', script: { models: { '*': [{ steps: [{ text: 't' }] }] } } } } });
    const b = createModelRegistry({ providers: { x: { type: 'scripted', script: { models: { '*': [{ steps: [{ text: 't' }] }] } } } } });
    expect(a.resolve('x/one')).not.toBe(a.resolve('x/two'));
    expect(a.resolve('x/one')).not.toBe(b.resolve('x/one'));
    expect(a.resolve('x/one').modelId).toBe('one');
  });

  it('throws NoSuchProviderError listing the providers', () => {
    const registry = createModelRegistry({
      providers: { demo: { type: 'scripted', script }, local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' } },
      env: {},
    });
    const error = caught(() => registry.resolve('openia/gpt-4o'));
    expect(error).toBeInstanceOf(NoSuchProviderError);
    expect(KagedLlmError.isInstance(error)).toBe(true);
    const e = error as NoSuchProviderError;
    expect(e.code).toBe('unknown_provider');
    expect(e.providerName).toBe('openia');
    expect(e.availableProviders).toEqual(['demo', 'local', 'openai', 'anthropic', 'ollama']);
    expect(e.message).toBe('unknown provider "openia" (providers: "demo", "local", "openai", "anthropic", "ollama")');
  });

  it('says "none" when no provider exists', () => {
    const error = caught(() => createModelRegistry({ providers: {}, builtins: false }).resolve('a/b'));
    expect((error as NoSuchProviderError).message).toBe('unknown provider "a" (providers: none)');
  });

  it('rejects a malformed id with InvalidModelIdError', () => {
    const registry = createModelRegistry({ providers: { demo: { type: 'scripted', script } } });
    const error = caught(() => registry.resolve('demo'));
    expect(error).toBeInstanceOf(InvalidModelIdError);
    expect((error as InvalidModelIdError).code).toBe('invalid_model_id');
  });

  it('passes the model part after the first slash to the provider and reports unknown models', () => {
    const registry = createModelRegistry({ providers: { demo: { type: 'scripted', script } } });
    const error = caught(() => registry.resolve('demo/org/assistant'));
    expect(error).toBeInstanceOf(NoSuchModelError);
    expect((error as NoSuchModelError).modelId).toBe('demo/org/assistant');
  });

  it('does not cache a failed resolution', () => {
    const registry = createModelRegistry({ providers: { demo: { type: 'scripted', script } } });
    expect(caught(() => registry.resolve('demo/nope'))).toBeInstanceOf(NoSuchModelError);
    expect(caught(() => registry.resolve('demo/nope'))).toBeInstanceOf(NoSuchModelError);
  });

  it('rejects settings it cannot use with a typed error naming the provider', () => {
    expect(() => createModelRegistry({ providers: { ollama: { type: 'ollama' } as never } })).toThrow(
      expect.objectContaining({
        code: 'invalid_provider',
        message: 'provider "ollama": unknown type "ollama" (types: "openai-compatible", "openai", "anthropic", "scripted")',
      }),
    );
    expect(() => createModelRegistry({ providers: { local: { type: 'openai-compatible' } as never } })).toThrow(
      expect.objectContaining({ code: 'invalid_provider', message: expect.stringContaining('provider "local": baseURL must be an http(s) URL') }),
    );
    expect(() => createModelRegistry({ providers: { local: { type: 'openai-compatible', baseURL: 'ftp://x/v1' } } })).toThrow(
      expect.objectContaining({ code: 'invalid_provider' }),
    );
  });

  it('validates a scripted provider’s script when the registry is created', () => {
    expect(() => createModelRegistry({ providers: { demo: { type: 'scripted', script: { models: { m: [{ steps: [{}] }] } } } } })).toThrow(
      expect.objectContaining({
        code: 'invalid_provider',
        message: 'provider "demo": invalid script: models.m.0.steps.0: a step needs "text", "tools" or both',
      }),
    );
  });
});

interface RecordedRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

function sse(res: import('node:http').ServerResponse, events: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  res.write('data: [DONE]\n\n');
  res.end();
}

describe('openai-compatible provider against a loopback Chat Completions server', () => {
  let server: Server;
  let baseURL: string;
  const requests: RecordedRequest[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        requests.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
          return;
        }
        if (body.model === 'locked-model') {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'invalid api key', type: 'auth_error', code: 'invalid_api_key' } }));
          return;
        }
        if (body.stream !== true) {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              id: 'y',
              object: 'chat.completion',
              created: 1_700_000_000,
              model: body.model,
              choices: [{ index: 0, message: { role: 'assistant', content: 'Whole answer' }, finish_reason: 'stop' }],
              usage: { prompt_tokens: 20, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 0 } },
            }),
          );
          return;
        }
        sse(res, [
          { id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' } }] },
          { id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'lo, ' } }] },
          { id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'world' } }] },
          { id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
          {
            id: 'x',
            object: 'chat.completion.chunk',
            choices: [],
            usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } },
          },
        ]);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  it('resolves to a chat model with provider and model id set', () => {
    const registry = createModelRegistry({ providers: { local: { type: 'openai-compatible', baseURL, apiKey: 'sk-test-secret' } } });
    const model = registry.resolve('local/some-model');
    expect(model.specificationVersion).toBe('v4');
    expect(model.provider).toBe('local.chat');
    expect(model.modelId).toBe('some-model');
    expect(registry.resolve('local/some-model')).toBe(model);
    expect(requests).toEqual([]); // resolving makes no request
  });

  it('streams a completion: text, auth header, stream options, system prompt first, and usage', async () => {
    const registry = createModelRegistry({ providers: { local: { type: 'openai-compatible', baseURL, apiKey: 'sk-test-secret' } } });
    const result = streamText({
      model: registry.resolve('local/some-model'),
      instructions: 'You are a test.',
      prompt: 'Say hello',
      maxRetries: 0,
    });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['Hel', 'lo, ', 'world']);
    expect(await result.text).toBe('Hello, world');
    expect(await result.finishReason).toBe('stop');

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe('Bearer sk-test-secret');
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.body).toMatchObject({ model: 'some-model', stream: true, stream_options: { include_usage: true } });
    expect(request!.body.messages).toEqual([
      { role: 'system', content: 'You are a test.' },
      { role: 'user', content: 'Say hello' },
    ]);

    const usage = await result.usage;
    expect(usage).toMatchObject({
      inputTokens: 12,
      inputTokenDetails: { noCacheTokens: 8, cacheReadTokens: 4, cacheWriteTokens: undefined },
      outputTokens: 3,
      outputTokenDetails: { textTokens: 3, reasoningTokens: 0 },
      totalTokens: 15,
    });
  });

  it('sends no Authorization header without an API key, and sends configured headers', async () => {
    const registry = createModelRegistry({
      providers: { open: { type: 'openai-compatible', baseURL, headers: { 'x-title': 'kaged-test' } } },
    });
    const result = streamText({ model: registry.resolve('open/m'), prompt: 'hi', maxRetries: 0 });
    expect(await result.text).toBe('Hello, world');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.authorization).toBeUndefined();
    expect(requests[0]!.headers['x-title']).toBe('kaged-test');
    expect(requests[0]!.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('accepts a base URL with a trailing slash', async () => {
    const registry = createModelRegistry({ providers: { local: { type: 'openai-compatible', baseURL: `${baseURL}/` } } });
    expect(await streamText({ model: registry.resolve('local/m'), prompt: 'hi', maxRetries: 0 }).text).toBe('Hello, world');
    expect(requests.map((r) => r.url)).toEqual(['/v1/chat/completions']);
  });

  it('speaks the non-streaming protocol for generateText, with usage', async () => {
    const registry = createModelRegistry({ providers: { local: { type: 'openai-compatible', baseURL, apiKey: 'sk-test-secret' } } });
    const result = await generateText({ model: registry.resolve('local/other'), prompt: 'whole', maxRetries: 0 });
    expect(result.text).toBe('Whole answer');
    expect(result.usage).toMatchObject({ inputTokens: 20, outputTokens: 2, totalTokens: 22 });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.stream).toBeUndefined();
    expect(requests[0]!.body.stream_options).toBeUndefined();
    expect(requests[0]!.body.model).toBe('other');
  });

  it('surfaces an HTTP error from the server as an APICallError with its status and message', async () => {
    const registry = createModelRegistry({ providers: { local: { type: 'openai-compatible', baseURL, apiKey: 'sk-wrong' } } });
    const error = await generateText({ model: registry.resolve('local/locked-model'), prompt: 'x', maxRetries: 0 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(401);
    expect((error as APICallError).message).toBe('invalid api key');
    expect(requests).toHaveLength(1);
  });
});
