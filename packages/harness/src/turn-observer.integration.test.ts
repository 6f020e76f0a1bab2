import { AsyncLocalStorage } from 'node:async_hooks';
import { createModelRegistry, type ScriptInput } from '@kaged/llm';
import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { throwingObserver } from './__fixtures__/throwing-observer.js';
import type { AgentDefinition } from './agent-definition.js';
import { createHarness } from './harness.js';
import type { HarnessLogger } from './ports/logger.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import { combineTurnObservers, type TurnInfo, type TurnObserver } from './ports/turn-observer.js';
import type { TurnEvent } from './turn-events.js';

// The turn observer on a real Mastra agent loop: order of calls, exactly one finish, isolation
// of throws, and the scope around each resumption of the turn's iterator.
const script: ScriptInput = {
  models: {
    m: [
      { when: 'probe', steps: [{ tools: [{ name: 'probe', input: {} }] }, { text: 'probed {{toolResult}}' }] },
      { when: 'slow', steps: [{ text: 'one two three four five six', delayMs: 30 }] },
      { when: 'spam', steps: [{ text: Array.from({ length: 30 }, () => 'spam').join(' ') }] },
      { steps: [{ text: 'hello there' }] },
    ],
  },
};
const models = createModelRegistry({ providers: { demo: { type: 'scripted', script } }, builtins: false });
const agents: AgentDefinition[] = [{ id: 'a', model: 'demo/m', promptId: 'p', tools: ['probe'], subagents: [], maxSteps: 4 }];
const prompts = staticPromptSource({ p: 'You are observed.' });

const context = new AsyncLocalStorage<{ turnId: string }>();
const probe = createTool({
  id: 'probe',
  description: 'reports the log context it runs in',
  inputSchema: z.object({}),
  execute: async () => ({ seen: context.getStore()?.turnId ?? 'none' }),
});

type Call = [string, ...unknown[]];
function recording(calls: Call[]): TurnObserver {
  return {
    scope(turn, work) {
      calls.push(['scope', turn]);
      return work();
    },
    turnStarted: (turn) => calls.push(['started', turn, turn.traceId]),
    turnEvent: (turn, event) => calls.push(['event', turn, event.type]),
    turnFinished: (turn) => calls.push(['finished', turn, { ok: turn.ok, code: turn.code, durationMs: turn.durationMs }]),
  };
}

async function collect(events: AsyncIterable<TurnEvent>, stopAt?: TurnEvent['type']): Promise<TurnEvent[]> {
  const all: TurnEvent[] = [];
  for await (const event of events) {
    all.push(event);
    if (event.type === stopAt) break;
  }
  return all;
}

describe('the turn observer', () => {
  it('hears scope, started, every event and one finish, in that order, with one TurnInfo object', async () => {
    const calls: Call[] = [];
    const harness = createHarness({ agents, prompts, models, tools: { probe }, observer: recording(calls) });
    const turn = harness.startTurn({ agentId: 'a', message: 'spam please', userId: 'u1' });
    const events = await collect(turn.events);
    expect(events.map((e) => e.type)).toEqual(['turn.start', ...events.slice(1, -2).map(() => 'text.delta'), 'guard.flag', 'turn.end']);

    const info = calls[0]![1] as TurnInfo;
    expect(calls.every((call) => call[1] === info)).toBe(true);
    expect(info).toMatchObject({ turnId: turn.turnId, sessionId: turn.sessionId, agentId: 'a', userId: 'u1', traceId: null, ok: true, code: undefined });
    const kinds = calls.map(([kind, , detail]) => (kind === 'event' ? `event:${detail}` : kind));
    // One scope per resumption of the iterator: one per event, plus the one that ends it.
    const perEvent = events.flatMap((e) => ['scope', ...(e.type === 'turn.start' ? ['started'] : []), `event:${e.type}`]);
    expect(kinds).toEqual([...perEvent, 'scope', 'finished']);
    const end = events.at(-1) as Extract<TurnEvent, { type: 'turn.end' }>;
    expect(calls.at(-1)![2]).toEqual({ ok: true, code: undefined, durationMs: end.durationMs });
  });

  it('finishes exactly once when the consumer stops early: ok false, code aborted; ok true when it stops after turn.end', async () => {
    const calls: Call[] = [];
    const harness = createHarness({ agents, prompts, models, tools: { probe }, observer: recording(calls) });
    const seen = await collect(harness.startTurn({ agentId: 'a', message: 'slow please' }).events, 'text.delta');
    expect(seen.map((e) => e.type)).toEqual(['turn.start', 'text.delta']);
    const finishes = calls.filter(([kind]) => kind === 'finished');
    expect(finishes).toHaveLength(1);
    expect(finishes[0]![2]).toEqual({ ok: false, code: 'aborted', durationMs: expect.any(Number) });
    expect(calls.at(-1)![0]).toBe('finished');
    expect(harness.activeTurns).toBe(0);

    calls.length = 0;
    await collect(harness.startTurn({ agentId: 'a', message: 'hi' }).events, 'turn.end');
    expect(calls.filter(([kind]) => kind === 'finished').map((call) => call[2])).toEqual([{ ok: true, code: undefined, durationMs: expect.any(Number) }]);
  });

  it('reports the turn.error code, and hears nothing about a turn whose iteration never began', async () => {
    const calls: Call[] = [];
    const harness = createHarness({ agents, prompts, models, tools: { probe }, observer: recording(calls) });
    // abortAll on the first delta: the turn ends with turn.error code aborted.
    const turn = harness.startTurn({ agentId: 'a', message: 'slow please' });
    const events: TurnEvent[] = [];
    for await (const event of turn.events) if (events.push(event) && event.type === 'text.delta') harness.abortAll('test');
    expect(events.at(-1)).toMatchObject({ type: 'turn.error', code: 'aborted' });
    expect(calls.filter(([kind]) => kind === 'finished').map((call) => call[2])).toEqual([{ ok: false, code: 'aborted', durationMs: expect.any(Number) }]);

    calls.length = 0;
    const never = harness.startTurn({ agentId: 'a', message: 'hi' }).events[Symbol.asyncIterator]();
    await never.return?.();
    expect(calls.filter(([kind]) => kind !== 'scope')).toEqual([]);
    expect(harness.activeTurns).toBe(0);
  });

  it('keeps a throwing observer from changing the turn or silencing the others', async () => {
    const throwing = throwingObserver;
    const calls: Call[] = [];
    const quiet = await collect(createHarness({ agents, prompts, models, tools: { probe } }).startTurn({ agentId: 'a', message: 'probe it' }).events);
    const harness = createHarness({ agents, prompts, models, tools: { probe }, observer: combineTurnObservers(throwing, recording(calls), throwing) });
    const loud = await collect(harness.startTurn({ agentId: 'a', message: 'probe it' }).events);
    const shape = (events: TurnEvent[]) => events.map((e) => (e.type === 'text.delta' ? e.type : `${e.type}:${'name' in e ? e.name : ''}`));
    expect(shape(loud)).toEqual(shape(quiet));
    expect(loud.at(-1)).toMatchObject({ type: 'turn.end' });
    expect(calls.filter(([kind]) => kind === 'finished')).toHaveLength(1);
    // A lone observer is isolated too.
    const alone = await collect(
      createHarness({ agents, prompts, models, tools: { probe }, observer: throwing }).startTurn({ agentId: 'a', message: 'hi' }).events,
    );
    expect(alone.at(-1)).toMatchObject({ type: 'turn.end', text: 'hello there' });
  });

  it('runs the turn inside the scope: a tool’s execute and the harness’s own log calls see its context, and the ids are fields', async () => {
    const lines: { level: string; message: string; fields: Record<string, unknown>; bindings: Record<string, unknown>; store: string | undefined }[] = [];
    const logger = (bindings: Record<string, unknown>): HarnessLogger => {
      const at = (level: string) => (fields: Record<string, unknown>, message: string) =>
        lines.push({ level, message, fields, bindings, store: context.getStore()?.turnId });
      return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => logger({ ...bindings, ...more }) };
    };
    const inScope: string[] = [];
    const logContext: TurnObserver = {
      scope: (turn, work) => context.run({ turnId: turn.turnId }, work),
      turnStarted: () => inScope.push(`started:${context.getStore()?.turnId}`),
      turnEvent: (_turn, event) => event.type !== 'text.delta' && inScope.push(`${event.type}:${context.getStore()?.turnId}`),
      turnFinished: () => inScope.push(`finished:${context.getStore()?.turnId}`),
    };
    const harness = createHarness({
      agents: [{ ...agents[0]!, guards: { expectTools: [{ tools: ['nothing'] }] } }],
      prompts,
      models,
      tools: { probe },
      observer: logContext,
      logger: logger({}),
    });
    const turn = harness.startTurn({ agentId: 'a', message: 'probe it' });
    const events = await collect(turn.events);
    expect(events.at(-1)).toMatchObject({ type: 'turn.end', text: `probed {"seen":"${turn.turnId}"}` });
    expect(lines.map((l) => l.message)).toEqual(['turn.start', 'guard.flag', 'turn.end']);
    for (const line of lines) {
      expect(line.store).toBe(turn.turnId);
      expect(line.fields).toMatchObject({ turnId: turn.turnId, sessionId: turn.sessionId, agentId: 'a' });
      expect(line.bindings).toEqual({ component: 'harness' });
    }
    // The observer's own calls run inside the scope too.
    expect(inScope).toEqual(['started', 'turn.start', 'tool.call', 'tool.result', 'guard.flag', 'turn.end', 'finished'].map((k) => `${k}:${turn.turnId}`));
    expect(context.getStore()).toBeUndefined();
  });
});
