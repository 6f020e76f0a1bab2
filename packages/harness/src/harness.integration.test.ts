import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelRegistry, type ScriptInput } from '@kaged/llm';
import { LibSQLStore } from '@mastra/libsql';
import { MastraLogger } from '@mastra/core/logger';
import { Mastra } from '@mastra/core/mastra';
import { Memory } from '@mastra/memory';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentDefinition } from './agent-definition.js';
import { createHarness, type Harness } from './harness.js';
import type { PromptSnapshotView, PromptSource } from './ports/prompt-source.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import type { TurnEvent } from './turn-events.js';

const script: ScriptInput = {
  models: {
    assistant: [
      {
        when: 'time',
        steps: [
          { tools: [{ name: 'current_time', input: {} }], usage: { input: 100, output: 10, cacheRead: 40 } },
          { text: 'The time is {{toolResult}}', usage: { input: 150, output: 20, reasoning: 5 } },
        ],
      },
      {
        when: 'research',
        steps: [
          { tools: [{ name: 'agent-researcher', input: { prompt: 'find facts' } }], usage: { input: 10, output: 1 } },
          { text: 'Research says: {{toolResult}}', usage: { input: 10, output: 1 } },
        ],
      },
      { when: 'slow', steps: [{ text: 'one two three four five six', delayMs: 40 }] },
      { when: 'loop', steps: [{ tools: [{ name: 'current_time', input: {} }] }] },
      { when: 'which tools', steps: [{ text: '{{tools}}' }] },
      { steps: [{ text: 'system=[{{system}}] users={{userMessages}}' }] },
    ],
    researcher: [{ steps: [{ text: 'facts found', usage: { input: 7, output: 3, cacheWrite: 2 } }] }],
  },
};

const agents: AgentDefinition[] = [
  { id: 'assistant', model: 'demo/assistant', promptId: 'agents.assistant.prompt', tools: ['current_time'], subagents: ['researcher'], maxSteps: 8 },
  { id: 'researcher', description: 'Finds facts', model: 'demo/researcher', promptId: 'agents.researcher.prompt', tools: [], subagents: [], maxSteps: 4 },
];

const models = createModelRegistry({ providers: { demo: { type: 'scripted', script } } });

async function collect(events: AsyncIterable<TurnEvent>): Promise<TurnEvent[]> {
  const all: TurnEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function last<T>(items: T[]): T {
  return items[items.length - 1]!;
}

/** A prompt source whose texts a test can change between (and during) turns. */
function mutablePromptSource(texts: Record<string, string>): PromptSource & { set(id: string, text: string): void } {
  let current = staticPromptSource(texts);
  return {
    snapshot: (): PromptSnapshotView => current.snapshot(),
    set(id, text) {
      texts = { ...texts, [id]: text };
      current = staticPromptSource(texts);
    },
  };
}

describe('harness on the real Mastra agent loop', () => {
  const prompts = mutablePromptSource({ 'agents.assistant.prompt': 'You are v1.', 'agents.researcher.prompt': 'You research.' });
  const harness: Harness = createHarness({ agents, prompts, models });

  it('streams a tool call, its result, then text, and sums usage over steps', async () => {
    const turn = harness.startTurn({ agentId: 'assistant', message: 'what time is it?' });
    const events = await collect(turn.events);
    expect(events.map((e) => e.type)).toEqual(['turn.start', 'tool.call', 'tool.result', ...events.slice(3, -1).map(() => 'text.delta'), 'turn.end']);
    expect(events[0]).toMatchObject({ type: 'turn.start', agentId: 'assistant', sessionId: turn.sessionId, turnId: turn.turnId });
    const call = events[1] as Extract<TurnEvent, { type: 'tool.call' }>;
    const result = events[2] as Extract<TurnEvent, { type: 'tool.result' }>;
    expect(call).toMatchObject({ name: 'current_time', input: {} });
    expect(result).toMatchObject({ id: call.id, name: 'current_time', isError: false });
    expect((result.output as { iso: string }).iso).toMatch(/^\d{4}-\d\d-\d\dT/);
    const end = last(events) as Extract<TurnEvent, { type: 'turn.end' }>;
    expect(end.text).toContain('The time is {"iso":');
    expect(end.text).toBe(
      events
        .filter((e) => e.type === 'text.delta')
        .map((e) => (e as { text: string }).text)
        .join(''),
    );
    expect(end.finishReason).toBe('stop');
    expect(end.usage).toEqual({ inputTokens: 250, outputTokens: 30, cacheReadTokens: 40, cacheWriteTokens: 0, reasoningTokens: 5 });
    expect(end.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lets an agent call its subagent as a tool and counts the subagent usage', async () => {
    const events = await collect(harness.startTurn({ agentId: 'assistant', message: 'research this' }).events);
    const call = events.find((e) => e.type === 'tool.call') as Extract<TurnEvent, { type: 'tool.call' }>;
    expect(call).toMatchObject({ name: 'agent-researcher', input: { prompt: 'find facts' } });
    const result = events.find((e) => e.type === 'tool.result') as Extract<TurnEvent, { type: 'tool.result' }>;
    expect(result.output).toMatchObject({ text: 'facts found' });
    const end = last(events) as Extract<TurnEvent, { type: 'turn.end' }>;
    expect(end.text).toContain('facts found');
    expect(end.usage).toEqual({ inputTokens: 27, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 2, reasoningTokens: 0 });
    expect(events[0]).toMatchObject({
      prompts: [
        { id: 'agents.assistant.prompt', version: expect.stringMatching(/^[0-9a-f]{12}$/) },
        { id: 'agents.researcher.prompt', version: expect.stringMatching(/^[0-9a-f]{12}$/) },
      ],
    });
  });

  it('takes the prompt at the message boundary: an edit during a turn reaches only the next turn', async () => {
    prompts.set('agents.assistant.prompt', 'You are v2.');
    const running = harness.startTurn({ agentId: 'assistant', message: 'hello' });
    const iterator = running.events[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'turn.start' });
    prompts.set('agents.assistant.prompt', 'You are v3.');
    const rest: TurnEvent[] = [];
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
    expect(last(rest)).toMatchObject({ type: 'turn.end', text: expect.stringContaining('system=[You are v2.]') });

    const next = await collect(harness.startTurn({ agentId: 'assistant', message: 'hello' }).events);
    expect(last(next)).toMatchObject({ type: 'turn.end', text: expect.stringContaining('system=[You are v3.]') });
  });

  it('ends with turn.error for a script that runs out, and keeps serving', async () => {
    const events = await collect(harness.startTurn({ agentId: 'assistant', message: 'loop please' }).events);
    expect(last(events)).toMatchObject({ type: 'turn.error', code: 'script_exhausted' });
    expect(events.filter((e) => e.type === 'turn.end' || e.type === 'turn.error')).toHaveLength(1);
    const after = await collect(harness.startTurn({ agentId: 'assistant', message: 'hello' }).events);
    expect(last(after).type).toBe('turn.end');
  });

  it('gives a tool the description from its prompt, taken at the message boundary', async () => {
    const before = await collect(harness.startTurn({ agentId: 'assistant', message: 'which tools?' }).events);
    const builtIn = JSON.parse((last(before) as { text: string }).text) as Record<string, string>;
    expect(builtIn.current_time).toMatch(/^Returns the current date and time/);
    expect(builtIn['agent-researcher']).toBeDefined();

    prompts.set('tools.current_time.description', '  Tells the time in the operator’s words.\n');
    const after = await collect(harness.startTurn({ agentId: 'assistant', message: 'which tools?' }).events);
    expect(JSON.parse((last(after) as { text: string }).text)).toMatchObject({ current_time: 'Tells the time in the operator’s words.' });
    expect((after[0] as Extract<TurnEvent, { type: 'turn.start' }>).prompts).toContainEqual({
      id: 'tools.current_time.description',
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
  });

  it('rejects an unknown agent before the turn starts', () => {
    expect(() => harness.startTurn({ agentId: 'nobody', message: 'hi' })).toThrow(/unknown agent "nobody" \(agents: assistant, researcher\)/);
  });

  it('reports a missing prompt as turn.error naming it', async () => {
    const broken = createHarness({ agents, prompts: staticPromptSource({}), models });
    const events = await collect(broken.startTurn({ agentId: 'assistant', message: 'hi' }).events);
    expect(last(events)).toMatchObject({ type: 'turn.error', code: 'invalid_agent', message: expect.stringContaining('agents.assistant.prompt') });
  });

  it('aborts the model call when the consumer stops early, and drains', async () => {
    const turn = harness.startTurn({ agentId: 'assistant', message: 'slow please' });
    const seen: TurnEvent[] = [];
    for await (const event of turn.events) {
      seen.push(event);
      if (event.type === 'text.delta') break;
    }
    expect(seen.map((e) => e.type)).toEqual(['turn.start', 'text.delta']);
    expect(harness.activeTurns).toBe(0);
    await harness.drain();
  });

  it('ends with turn.error code aborted when the request signal aborts', async () => {
    const controller = new AbortController();
    const turn = harness.startTurn({ agentId: 'assistant', message: 'slow please', signal: controller.signal });
    const events: TurnEvent[] = [];
    for await (const event of turn.events) {
      events.push(event);
      if (event.type === 'text.delta') controller.abort();
    }
    expect(last(events)).toMatchObject({ type: 'turn.error', code: 'aborted' });
  });
});

describe('wiring to a Mastra instance', () => {
  it('routes the agents’ own log lines to the Mastra instance’s logger', async () => {
    const lines: { level: string; message: string }[] = [];
    class CapturingLogger extends MastraLogger {
      debug(message: string) {
        lines.push({ level: 'debug', message });
      }
      info(message: string) {
        lines.push({ level: 'info', message });
      }
      warn(message: string) {
        lines.push({ level: 'warn', message });
      }
      error(message: string) {
        lines.push({ level: 'error', message });
      }
    }
    const mastra = new Mastra({ logger: new CapturingLogger() });
    const prompts = staticPromptSource({ 'agents.assistant.prompt': 'p', 'agents.researcher.prompt': 'r' });
    const harness = createHarness({ agents, prompts, models, mastra });
    const events = await collect(harness.startTurn({ agentId: 'assistant', message: 'loop please' }).events);
    expect(last(events)).toMatchObject({ type: 'turn.error', code: 'script_exhausted' });
    expect(lines).toContainEqual({ level: 'error', message: expect.stringMatching(/error/i) });
  });
});

describe('sessions', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('gives the second turn of a session the first turn’s messages, across harness instances on one store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kaged-harness-'));
    dirs.push(dir);
    const url = `file:${join(dir, 'sessions.db')}`;
    const prompts = staticPromptSource({ 'agents.assistant.prompt': 'You remember.', 'agents.researcher.prompt': 'r' });
    const first = createHarness({ agents, prompts, models, memory: new Memory({ storage: new LibSQLStore({ id: 'a', url }), options: { lastMessages: 20 } }) });
    const turn1 = first.startTurn({ agentId: 'assistant', message: 'hello there' });
    expect(last(await collect(turn1.events))).toMatchObject({ text: expect.stringContaining('users=1') });
    const turn2 = first.startTurn({ agentId: 'assistant', message: 'hello again', sessionId: turn1.sessionId });
    expect(last(await collect(turn2.events))).toMatchObject({ text: expect.stringContaining('users=2') });

    // A new store on the same file: what a daemon restart does.
    const second = createHarness({
      agents,
      prompts,
      models,
      memory: new Memory({ storage: new LibSQLStore({ id: 'b', url }), options: { lastMessages: 20 } }),
    });
    const turn3 = second.startTurn({ agentId: 'assistant', message: 'hello once more', sessionId: turn1.sessionId });
    expect(last(await collect(turn3.events))).toMatchObject({ text: expect.stringContaining('users=3') });
    const other = second.startTurn({ agentId: 'assistant', message: 'hello stranger' });
    expect(last(await collect(other.events))).toMatchObject({ text: expect.stringContaining('users=1') });
  });
});
