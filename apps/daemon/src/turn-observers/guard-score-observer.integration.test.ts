import { createHarness, staticPromptSource, type TurnEvent } from '@kaged/harness';
import { createModelRegistry } from '@kaged/llm';
import { createLogger } from '@kaged/observability';
import { Mastra } from '@mastra/core/mastra';
import { Observability, TestExporter } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { guardScoreObserver } from './guard-score-observer.js';

const spam = Array.from({ length: 30 }, () => 'spam').join(' ');
const models = createModelRegistry({
  providers: { demo: { type: 'scripted', script: { models: { m: [{ steps: [{ text: spam, usage: { input: 90, output: 10 } }] }] } } } },
  builtins: false,
});

// Was the harness's own test until guard scores moved behind its observer port.
describe('guard scores, on the real Mastra loop', () => {
  it('records each trip as a score on the turn’s trace through Mastra’s observability', async () => {
    const exporter = new TestExporter();
    const mastra = new Mastra({ observability: new Observability({ configs: { test: { serviceName: 'guards', exporters: [exporter] } } }) });
    const harness = createHarness({
      agents: [{ id: 'a', model: 'demo/m', promptId: 'p', tools: [], subagents: [], maxSteps: 10 }],
      prompts: staticPromptSource({ p: 'You are guarded.' }),
      models,
      mastra,
      observer: guardScoreObserver(mastra, createLogger({ level: 'silent' })),
    });
    const events: TurnEvent[] = [];
    for await (const event of harness.startTurn({ agentId: 'a', message: 'spam me' }).events) events.push(event);
    expect(events.filter((e) => e.type === 'guard.flag')).toEqual([expect.objectContaining({ guard: 'degenerate_output' })]);
    const traceId = (events[0] as Extract<TurnEvent, { type: 'turn.start' }>).traceId;
    expect(traceId).toEqual(expect.any(String));
    await expect
      .poll(() => exporter.getScoresByTraceId(traceId!).map((s) => [s.scorerId, s.score]), { timeout: 5_000 })
      .toEqual([['kaged.guard.degenerate_output', 1]]);
    await mastra.shutdown();
  });
});
