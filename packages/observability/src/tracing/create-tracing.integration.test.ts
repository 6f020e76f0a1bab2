import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import type { ObservabilityEntrypoint } from '@mastra/core/observability';
import { LibSQLStore } from '@mastra/libsql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTracing } from './create-tracing.js';

// A real Mastra agent on a real LibSQL store, with a model that answers "hi" (the language
// model spec is structural: no `ai/test` needed).
let dir: string;
let storage: LibSQLStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaged-tracing-run-'));
});
// `mastra.shutdown()` closes the store: one per test.
beforeEach(async () => {
  storage = new LibSQLStore({ id: 'tracing-run', url: `file:${join(dir, `${crypto.randomUUID()}.db`)}` });
  await storage.init();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const hiModel = {
  specificationVersion: 'v3',
  provider: 'test',
  modelId: 'hi',
  supportedUrls: {},
  doGenerate: async () => {
    throw new Error('stream only');
  },
  doStream: async () => ({
    stream: new ReadableStream({
      start(controller) {
        for (const part of [
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't' },
          { type: 'text-delta', id: 't', delta: 'hi' },
          { type: 'text-end', id: 't' },
          {
            type: 'finish',
            finishReason: { unified: 'stop', raw: 'stop' },
            usage: { inputTokens: { total: 3, noCache: 3, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 1, text: 1, reasoning: 0 } },
          },
        ])
          controller.enqueue(part);
        controller.close();
      },
    }),
  }),
};

async function runTurn(observability: ObservabilityEntrypoint) {
  const assistant = new Agent({ id: 'assistant', name: 'assistant', instructions: 'Say hi.', model: hiModel as never });
  const mastra = new Mastra({ storage, agents: { assistant }, observability });
  const output = await mastra.getAgent('assistant').stream('hello', { tracingOptions: { metadata: { sessionId: 'session-1' } } });
  for await (const _chunk of output.fullStream);
  return { mastra, text: await output.text, traceId: output.traceId };
}

describe('createTracing with a Mastra agent', () => {
  it('with no exporter, Mastra takes the no-op observability as it is and traces nothing', async () => {
    const tracing = await createTracing({ storage, env: {}, localTraces: { enabled: false } });
    const { mastra, text, traceId } = await runTurn(tracing.observability);
    expect(text).toBe('hi');
    expect(traceId).toBeUndefined();
    expect(mastra.observability).toBe(tracing.observability);
    await tracing.flush();
    const store = (await storage.getStore('observability'))!;
    expect((await store.listTraces({ pagination: { page: 0, perPage: 10 } })).spans).toEqual([]);
    await mastra.shutdown();
    await tracing.close();
  });

  it('with local traces, Mastra’s own flush (bounded) puts the turn’s trace in the store', async () => {
    const tracing = await createTracing({ storage, env: {} });
    const { mastra, traceId } = await runTurn(tracing.observability);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await tracing.flush(10_000);
    const trace = await tracing.localTraces!.get(traceId!);
    expect(trace).toMatchObject({ traceId, sessionId: 'session-1', status: 'ok', usage: { inputTokens: 3, outputTokens: 1 } });
    await mastra.shutdown();
    await tracing.close();
  });
});
