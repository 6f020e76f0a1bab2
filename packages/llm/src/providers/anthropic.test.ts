import { stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createModelRegistry } from '../model-registry.js';
import { startAnthropicMessagesServer } from '../testing/anthropic-messages-server.js';
import type { LoopbackModelServer } from '../testing/model-server.js';
import { fromFlatUsage } from '../usage.js';

describe('anthropic provider against a loopback Messages server', () => {
  let server: LoopbackModelServer;

  beforeAll(async () => {
    server = await startAnthropicMessagesServer((request) =>
      request.toolResults.length > 0
        ? { text: `Done: ${JSON.stringify(request.toolResults[0])}`, usage: { input: 300, output: 20, cacheRead: 200, cacheWrite: 50 } }
        : { text: 'Let me check.', toolCalls: [{ name: 'lookup', input: { q: request.lastUserMessage } }], usage: { input: 250, output: 15, cacheWrite: 200 } },
    );
  });
  afterAll(() => server.close());

  it('streams text and a tool_use, sends the key as x-api-key and the system prompt, and reports cache usage', async () => {
    const registry = createModelRegistry({ providers: { claude: { type: 'anthropic', baseURL: server.baseURL, apiKey: 'sk-ant-test-key' } }, env: {} });
    const result = streamText({
      model: registry.resolve('claude/claude-haiku-4-5'),
      instructions: 'You look things up.',
      prompt: 'find kaged',
      tools: { lookup: tool({ description: 'Looks up', inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => ({ found: q }) }) },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(await result.text).toBe('Done: {"found":"find kaged"}');
    const steps = await result.steps;
    expect(steps[0]!.text).toBe('Let me check.');
    expect(steps[0]!.toolCalls).toMatchObject([{ toolName: 'lookup', input: { q: 'find kaged' } }]);

    expect(server.requests).toHaveLength(2);
    const [first] = server.requests;
    expect(first!.path).toBe('/v1/messages');
    expect(first!.headers['x-api-key']).toBe('sk-ant-test-key');
    expect(first!.headers.authorization).toBeUndefined();
    expect(first!.headers['anthropic-version']).toBe('2023-06-01');
    expect(first!.body).toMatchObject({ model: 'claude-haiku-4-5', stream: true });
    expect(first!.system).toBe('You look things up.');

    // Anthropic counts cached input apart; the AI SDK and kaged count it in the input.
    expect(steps.map((step) => fromFlatUsage(step.usage))).toEqual([
      { inputTokens: 250, outputTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 200, reasoningTokens: 0 },
      { inputTokens: 300, outputTokens: 20, cacheReadTokens: 200, cacheWriteTokens: 50, reasoningTokens: 0 },
    ]);
  });
});
