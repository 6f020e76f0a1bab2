import { createModelRegistry, type ScriptInput } from '@kaged/llm';
import { Mastra } from '@mastra/core/mastra';
import { Observability, TestExporter } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from '../agent-definition.js';
import { createHarness } from '../harness.js';
import { staticPromptSource } from '../ports/static-prompt-source.js';
import type { TurnEvent } from '../turn-events.js';
import { noTurnObserver, type TurnObserver } from '../ports/turn-observer.js';
import type { GuardSettings } from './guard-config.js';

const spam = Array.from({ length: 30 }, () => 'spam').join(' ');
const script: ScriptInput = {
  models: {
    m: [
      {
        when: 'wander',
        steps: [1, 2, 3, 4].map((n) => ({ tools: [{ name: 'current_time', input: { timeZone: `Etc/GMT+${n}` } }] })),
      },
      { when: 'same', steps: Array.from({ length: 6 }, () => ({ tools: [{ name: 'current_time', input: { timeZone: 'UTC' } }] })) },
      { when: 'huge', steps: [{ text: 'a long answer', usage: { input: 20_000, output: 5_000 } }] },
      { when: 'spam', steps: [{ text: spam, usage: { input: 90, output: 10 } }] },
      { when: 'nothing', steps: [{ text: '', usage: { input: 90, output: 10 } }] },
      {
        when: 'look it up',
        steps: [{ tools: [{ name: 'current_time', input: {} }] }, { text: 'looked it up: it is late enough', usage: { input: 95, output: 10 } }],
      },
      { steps: [{ text: 'a varied and perfectly normal answer to the question', usage: { input: 90, output: 10 } }] },
    ],
  },
};
const models = createModelRegistry({ providers: { demo: { type: 'scripted', script } }, builtins: false });

function agent(guards?: GuardSettings, maxSteps = 10): AgentDefinition {
  return { id: 'a', model: 'demo/m', promptId: 'p', tools: ['current_time'], subagents: [], maxSteps, guards };
}

async function run(harness: ReturnType<typeof createHarness>, message: string): Promise<TurnEvent[]> {
  const events: TurnEvent[] = [];
  for await (const event of harness.startTurn({ agentId: 'a', message }).events) events.push(event);
  return events;
}

const flags = (events: TurnEvent[]) => events.filter((e): e is Extract<TurnEvent, { type: 'guard.flag' }> => e.type === 'guard.flag');

describe('silent-failure guards, on the real Mastra loop', () => {
  const prompts = staticPromptSource({ p: 'You are guarded.' });

  it('stops a turn that reaches maxSteps still calling tools', async () => {
    const harness = createHarness({ agents: [agent({}, 2)], prompts, models });
    const events = await run(harness, 'wander around');
    expect(flags(events)).toEqual([expect.objectContaining({ guard: 'step_loop', action: 'stop', details: { maxSteps: 2 } })]);
    expect(events.at(-1)).toMatchObject({ type: 'turn.error', code: 'max_steps_reached', message: expect.stringContaining('used all 2 steps') });
    expect(events.filter((e) => e.type === 'tool.call')).toHaveLength(2);
  });

  it('stops a turn that repeats the same tool call with the same input', async () => {
    const harness = createHarness({ agents: [agent({ repeatedToolCall: 3 })], prompts, models });
    const events = await run(harness, 'same thing again');
    expect(events.filter((e) => e.type === 'tool.call')).toHaveLength(3);
    expect(flags(events)).toEqual([
      expect.objectContaining({ guard: 'repeated_tool_call', action: 'stop', details: { tool: 'current_time', count: 3, limit: 3 } }),
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'turn.error', code: 'repeated_tool_call' });
    expect(harness.activeTurns).toBe(0);
    // Different inputs are not a repetition: "wander" calls the tool with four time zones.
    expect((await run(createHarness({ agents: [agent({ repeatedToolCall: 2 }, 4)], prompts, models }), 'wander')).at(-1)).toMatchObject({
      code: 'max_steps_reached',
    });
  });

  it('flags a token spike only once the baseline has enough turns, without stopping it', async () => {
    const harness = createHarness({ agents: [agent({ tokenSpike: { zScore: 3, minTurns: 10, window: 50 } })], prompts, models });
    expect(flags(await run(harness, 'huge please'))).toEqual([]);
    for (let i = 0; i < 10; i++) expect(flags(await run(harness, `ordinary question ${i}`))).toEqual([]);
    const events = await run(harness, 'huge please');
    expect(flags(events)).toEqual([
      expect.objectContaining({
        guard: 'token_spike',
        action: 'flag',
        details: expect.objectContaining({ tokens: 25_000, mean: expect.any(Number), samples: 11 }),
      }),
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'turn.end', text: 'a long answer' });
  });

  it('flags a turn that did not call the tools expected for its message', async () => {
    const harness = createHarness({ agents: [agent({ expectTools: [{ tools: ['current_time'], when: '\\b(time|look it up)\\b' }] })], prompts, models });
    expect(flags(await run(harness, 'what is the time?'))).toEqual([
      expect.objectContaining({ guard: 'expected_tools', action: 'flag', details: { missing: ['current_time'], called: [] } }),
    ]);
    expect(flags(await run(harness, 'look it up for me'))).toEqual([]);
    expect(flags(await run(harness, 'tell me a story'))).toEqual([]);
  });

  it('flags a repetitive answer and an empty answer to a question', async () => {
    const harness = createHarness({ agents: [agent()], prompts, models });
    expect(flags(await run(harness, 'spam me'))).toEqual([
      expect.objectContaining({ guard: 'degenerate_output', action: 'flag', details: { words: 30, uniqueWordRatio: 0.033 } }),
    ]);
    expect(flags(await run(harness, 'say nothing?'))).toEqual([expect.objectContaining({ guard: 'degenerate_output', details: { words: 0 } })]);
    expect(flags(await run(harness, 'a normal question'))).toEqual([]);
  });

  it('can be switched off per agent', async () => {
    const harness = createHarness({ agents: [agent({ maxSteps: false, degenerateOutput: false, repeatedToolCall: 0 }, 2)], prompts, models });
    expect(flags(await run(harness, 'wander'))).toEqual([]);
    expect(flags(await run(harness, 'spam me'))).toEqual([]);
  });

  it('reports each trip to the observer as a guard.flag event of the traced turn, and writes no score itself', async () => {
    const exporter = new TestExporter();
    const mastra = new Mastra({ observability: new Observability({ configs: { test: { serviceName: 'guards', exporters: [exporter] } } }) });
    const seen: [string | null, TurnEvent][] = [];
    const observer: TurnObserver = { ...noTurnObserver, turnEvent: (turn, event) => seen.push([turn.traceId, event]) };
    const harness = createHarness({ agents: [agent()], prompts, models, mastra, observer });
    const events = await run(harness, 'spam me');
    const traceId = (events[0] as Extract<TurnEvent, { type: 'turn.start' }>).traceId;
    expect(traceId).toEqual(expect.any(String));
    // The daemon's guard-score observer turns this into the trace score `kaged.guard.<guard>`.
    expect(seen.filter(([, e]) => e.type === 'guard.flag')).toEqual([
      [traceId, expect.objectContaining({ type: 'guard.flag', guard: 'degenerate_output', action: 'flag' })],
    ]);
    await mastra.observability.flush();
    expect(exporter.getScoresByTraceId(traceId!)).toEqual([]);
    await mastra.shutdown();
  });
});
