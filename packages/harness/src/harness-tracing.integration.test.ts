import { createModelRegistry } from '@kaged/llm';
import { Mastra } from '@mastra/core/mastra';
import { MastraLogger } from '@mastra/core/logger';
import { Observability, TestExporter } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from './agent-definition.js';
import { createHarness } from './harness.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import { noTurnObserver, type FinishedTurn } from './ports/turn-observer.js';
import type { TurnEvent } from './turn-events.js';

// The harness creates no spans: Mastra traces the run; the harness passes per-turn tracing
// options and reports the trace id. A real agent loop with Mastra's in-memory TestExporter.
const models = createModelRegistry({
  providers: {
    demo: {
      type: 'scripted',
      script: {
        models: {
          assistant: [{ when: 'time', steps: [{ tools: [{ name: 'current_time', input: {} }] }, { text: 'Now.' }] }, { steps: [{ text: 'Hello.' }] }],
        },
      },
    },
  },
});
const agents: AgentDefinition[] = [
  { id: 'assistant', model: 'demo/assistant', promptId: 'agents.assistant.prompt', tools: ['current_time'], subagents: [], maxSteps: 4 },
];
const prompts = staticPromptSource({ 'agents.assistant.prompt': 'You tell the time.' });

class QuietLogger extends MastraLogger {
  debug() {}
  info() {}
  warn() {}
  error() {}
}

async function run(harness: ReturnType<typeof createHarness>, request: Parameters<ReturnType<typeof createHarness>['startTurn']>[0]): Promise<TurnEvent[]> {
  const events: TurnEvent[] = [];
  for await (const event of harness.startTurn(request).events) events.push(event);
  return events;
}

describe('harness tracing options', () => {
  it('reports the trace id in turn.start and turn.end, passes tags and metadata, and tells the observer', async () => {
    const exporter = new TestExporter();
    const mastra = new Mastra({
      logger: new QuietLogger({ name: 'test' }),
      observability: new Observability({ configs: { test: { serviceName: 'test', exporters: [exporter] } } }),
    });
    const finished: FinishedTurn[] = [];
    const harness = createHarness({
      agents,
      prompts,
      models,
      mastra,
      traceMetadata: { project: 'p', kagedVersion: '9.9.9' },
      traceTags: ['default-tag', 'shared'],
      observer: { ...noTurnObserver, turnFinished: (turn) => finished.push({ ...turn }) },
    });

    const events = await run(harness, { agentId: 'assistant', message: 'what time is it?', userId: 'u1', sessionId: 's1', tags: ['shared', 'request-tag'] });
    const start = events[0] as Extract<TurnEvent, { type: 'turn.start' }>;
    const end = events.at(-1) as Extract<TurnEvent, { type: 'turn.end' }>;
    expect(start.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(end).toMatchObject({ type: 'turn.end', traceId: start.traceId });
    expect(finished).toEqual([
      {
        turnId: start.turnId,
        sessionId: 's1',
        agentId: 'assistant',
        userId: 'u1',
        traceId: start.traceId,
        ok: true,
        code: undefined,
        durationMs: end.durationMs,
      },
    ]);

    await mastra.observability.flush();
    const [root] = exporter.getRootSpans();
    expect(root).toMatchObject({
      traceId: start.traceId,
      type: 'agent_run',
      tags: ['default-tag', 'shared', 'request-tag'],
      metadata: {
        project: 'p',
        kagedVersion: '9.9.9',
        sessionId: 's1',
        userId: 'u1',
        agentId: 'assistant',
        turnId: start.turnId,
        prompts: { 'agents.assistant.prompt': start.prompts[0]!.version },
      },
    });
    expect(exporter.getSpansByType('tool_call' as never).map((s) => s.traceId)).toEqual([start.traceId]);
    await mastra.shutdown();
  });

  it("keeps request metadata, but never lets it overwrite kaged's own keys", async () => {
    const exporter = new TestExporter();
    const mastra = new Mastra({
      logger: new QuietLogger({ name: 'test' }),
      observability: new Observability({ configs: { test: { serviceName: 'test', exporters: [exporter] } } }),
    });
    const harness = createHarness({ agents, prompts, models, mastra, traceMetadata: { project: 'p', kagedVersion: '9.9.9' } });
    const forged = { project: 'other', kagedVersion: '0.0.0', sessionId: 'victim', agentId: 'admin', turnId: 'forged', prompts: {}, ticket: 'T-1' };
    const events = await run(harness, { agentId: 'assistant', message: 'hi', sessionId: 's2', metadata: forged });
    const start = events[0] as Extract<TurnEvent, { type: 'turn.start' }>;
    await mastra.observability.flush();
    const [root] = exporter.getRootSpans();
    expect(root!.metadata).toMatchObject({
      project: 'p',
      kagedVersion: '9.9.9',
      sessionId: 's2',
      agentId: 'assistant',
      turnId: start.turnId,
      prompts: { 'agents.assistant.prompt': start.prompts[0]!.version },
      ticket: 'T-1',
    });
    await mastra.shutdown();
  });

  it('reports traceId null without observability, and still tells the observer about failed turns', async () => {
    const finished: FinishedTurn[] = [];
    const harness = createHarness({ agents, prompts, models, observer: { ...noTurnObserver, turnFinished: (turn) => finished.push({ ...turn }) } });
    const events = await run(harness, { agentId: 'assistant', message: 'hi' });
    expect(events[0]).toMatchObject({ type: 'turn.start', traceId: null });
    expect(events.at(-1)).toMatchObject({ type: 'turn.end', traceId: null, text: 'Hello.' });

    const broken = createHarness({
      agents: [{ ...agents[0]!, promptId: 'missing' }],
      prompts,
      models,
      observer: {
        ...noTurnObserver,
        turnFinished: (turn) => {
          finished.push(turn);
          throw new Error('an observer must not break a turn');
        },
      },
    });
    const failed = await run(broken, { agentId: 'assistant', message: 'hi' });
    expect(failed.map((e) => e.type)).toEqual(['turn.start', 'turn.error']);
    expect(finished.map((t) => [t.traceId, t.ok, t.code])).toEqual([
      [null, true, undefined],
      [null, false, 'invalid_agent'],
    ]);
  });
});
