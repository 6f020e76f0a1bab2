import { stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createModelRegistry } from '../model-registry.js';
import { startOpenAIChatServer } from '../testing/openai-chat-server.js';
import type { LoopbackModelServer, ModelReplyHandler } from '../testing/model-server.js';

const tools = {
  current_time: tool({
    description: 'The time',
    inputSchema: z.object({ zone: z.string().optional() }),
    execute: async () => ({ iso: '2026-01-01T00:00:00Z' }),
  }),
};

// Calls the tool for a fresh question, answers once the tool result is in.
const agentLike: ModelReplyHandler = (request) =>
  request.toolResults.length > 0
    ? { text: `It is ${JSON.stringify(request.toolResults[0])}`, usage: { input: 120, output: 12, cacheRead: 100, reasoning: 4 } }
    : { toolCalls: [{ name: 'current_time', input: { zone: 'UTC' } }], usage: { input: 100, output: 10 } };

describe.each([
  ['openai', (baseURL: string) => ({ type: 'openai' as const, baseURL, apiKey: 'sk-test-openai-key' })],
  ['openai-compatible', (baseURL: string) => ({ type: 'openai-compatible' as const, baseURL, apiKey: 'sk-test-openai-key' })],
])('%s provider against a loopback Chat Completions server', (_type, settings) => {
  let server: LoopbackModelServer;

  beforeAll(async () => {
    server = await startOpenAIChatServer(agentLike);
  });
  afterAll(() => server.close());

  it('runs a tool call then text, sending the system prompt, the key and stream options, and reports usage', async () => {
    server.requests.length = 0;
    const registry = createModelRegistry({ providers: { p: settings(server.baseURL) }, env: {} });
    const result = streamText({
      model: registry.resolve('p/gpt-4o-mini'),
      instructions: 'You tell the time.',
      prompt: 'what time is it?',
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('It is {"iso":"2026-01-01T00:00:00Z"}');
    const steps = await result.steps;
    expect(steps[0]!.toolCalls).toMatchObject([{ toolName: 'current_time', input: { zone: 'UTC' } }]);

    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first!.path).toBe('/v1/chat/completions');
    expect(first!.headers.authorization).toBe('Bearer sk-test-openai-key');
    expect(first!.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
    expect(first!.system).toBe('You tell the time.');
    expect(first!.tools).toEqual(['current_time']);
    expect(second!.toolResults).toEqual([{ iso: '2026-01-01T00:00:00Z' }]);

    expect(steps[1]!.usage).toMatchObject({ inputTokens: 120, outputTokens: 12, inputTokenDetails: { cacheReadTokens: 100 } });
    expect((await result.totalUsage).inputTokens).toBe(220);
  });
});

describe('openai provider', () => {
  it('uses the Chat Completions API of api.openai.com by default', () => {
    const model = createModelRegistry({ providers: {}, env: { OPENAI_API_KEY: 'sk-from-env' } }).resolve('openai/gpt-4.1');
    expect(model.provider).toBe('openai.chat');
    expect(model.modelId).toBe('gpt-4.1');
  });
});
