import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelRegistry } from '@kaged/llm';
import { LibSQLStore } from '@mastra/libsql';
import { Memory } from '@mastra/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDefinition } from './agent-definition.js';
import { createHarness, type Harness } from './harness.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import { isSessionCursor } from './session-reader.js';
import type { TurnEvent } from './turn-events.js';

// Sessions as the harness writes them (real Mastra memory on LibSQL) and reads them back: the
// session list leaves out the threads Mastra keeps for subagent calls, and a session's messages
// carry their tool calls with results.
const models = createModelRegistry({
  providers: {
    demo: {
      type: 'scripted',
      script: {
        models: {
          lead: [
            { when: 'time', steps: [{ tools: [{ name: 'current_time', input: {} }] }, { text: 'it is late' }] },
            { when: 'ask', steps: [{ tools: [{ name: 'agent-helper', input: { prompt: 'help' } }] }, { text: 'helper said {{toolResult}}' }] },
            { steps: [{ text: 'echo {{message}}' }] },
          ],
          helper: [{ steps: [{ text: 'helped' }] }],
        },
      },
    },
  },
  builtins: false,
});
const agents: AgentDefinition[] = [
  { id: 'lead', model: 'demo/lead', promptId: 'p', tools: ['current_time'], subagents: ['helper'], maxSteps: 4 },
  { id: 'other', model: 'demo/lead', promptId: 'p', tools: [], subagents: [], maxSteps: 2 },
  { id: 'helper', description: 'Helps', model: 'demo/helper', promptId: 'p', tools: [], subagents: [], maxSteps: 2 },
];

async function run(harness: Harness, agentId: string, message: string, sessionId: string, userId?: string): Promise<TurnEvent> {
  let last: TurnEvent | undefined;
  for await (const event of harness.startTurn({ agentId, message, sessionId, userId }).events) last = event;
  expect(last?.type).toBe('turn.end');
  return last!;
}

describe('sessions read back from Mastra memory', () => {
  let dir: string;
  let harness: Harness;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaged-sessions-'));
    const memory = new Memory({ storage: new LibSQLStore({ id: 'sessions', url: `file:${join(dir, 'sessions.db')}` }), options: { lastMessages: 20 } });
    harness = createHarness({ agents, prompts: staticPromptSource({ p: 'You answer.' }), models, memory });
    await run(harness, 'lead', 'what time is it?', 'first', 'ann');
    await run(harness, 'lead', 'ask the helper', 'first', 'ann');
    await run(harness, 'other', 'hello', 'second');
    await run(harness, 'lead', 'hello there', 'third');
  }, 30_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the sessions newest first, without the subagent call threads, with counts and a preview', async () => {
    const page = await harness.sessions.list();
    expect(page.nextCursor).toBeNull();
    expect(page.sessions.map((s) => s.id)).toEqual(['third', 'second', 'first']);
    expect(page.sessions[2]).toMatchObject({
      agentId: 'lead',
      userId: 'ann',
      title: null,
      messageCount: 4,
      turns: 2,
      lastMessage: 'helper said helped',
      lastMessageRole: 'assistant',
    });
    expect(page.sessions[1]).toMatchObject({ agentId: 'other', userId: null, turns: 1, lastMessage: 'echo hello' });
    expect(Date.parse(page.sessions[0]!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(page.sessions[1]!.updatedAt));
  });

  it('filters by agent and pages with a cursor', async () => {
    expect((await harness.sessions.list({ agentId: 'other' })).sessions.map((s) => s.id)).toEqual(['second']);
    expect((await harness.sessions.list({ agentId: 'nobody' })).sessions).toEqual([]);
    const one = await harness.sessions.list({ limit: 1 });
    expect(one.sessions.map((s) => s.id)).toEqual(['third']);
    expect(one.nextCursor).not.toBeNull();
    expect(isSessionCursor(one.nextCursor!)).toBe(true);
    const two = await harness.sessions.list({ limit: 2, cursor: one.nextCursor! });
    expect(two.sessions.map((s) => s.id)).toEqual(['second', 'first']);
    expect(two.nextCursor).toBeNull();
    expect(isSessionCursor('not a cursor')).toBe(false);
    await expect(harness.sessions.list({ cursor: 'bm9wZQ' })).rejects.toThrow(/invalid session cursor/);
  });

  it('does not list a session twice when it moves up between pages', async () => {
    const one = await harness.sessions.list({ limit: 2 });
    expect(one.sessions.map((s) => s.id)).toEqual(['third', 'second']);
    // `first` has a turn: it moves to the top, and `second` would be the first of the next page.
    await run(harness, 'lead', 'hello again', 'first', 'ann');
    const two = await harness.sessions.list({ limit: 2, cursor: one.nextCursor! });
    expect(two.sessions.map((s) => s.id)).toEqual([]);
  });

  it('returns a session with its messages: text, tool calls with results, subagent calls, trace ids', async () => {
    const session = await harness.sessions.get('first');
    expect(session).toMatchObject({ id: 'first', agentId: 'lead', userId: 'ann', messageCount: 6, hasMoreMessages: false });
    const messages = session!.messages;
    expect(messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'what time is it?'],
      ['assistant', 'it is late'],
      ['user', 'ask the helper'],
      ['assistant', 'helper said helped'],
      ['user', 'hello again'],
      ['assistant', 'echo hello again'],
    ]);
    expect(messages[1]!.toolCalls).toEqual([
      { id: expect.any(String), name: 'current_time', args: {}, result: expect.objectContaining({ iso: expect.any(String) }), isError: false },
    ]);
    expect(messages[3]!.toolCalls).toEqual([
      {
        id: expect.any(String),
        name: 'agent-helper',
        args: { prompt: 'help' },
        result: expect.objectContaining({ text: 'helped' }),
        isError: false,
        subagent: 'helper',
      },
    ]);
    expect(messages[0]!.toolCalls).toBeUndefined();
    for (const m of messages) expect(Date.parse(m.createdAt)).not.toBeNaN();
    // No observability here: nothing was traced.
    expect(messages.some((m) => m.traceId)).toBe(false);

    const newest = await harness.sessions.get('first', { limit: 2 });
    expect(newest!.messages.map((m) => m.text)).toEqual(['hello again', 'echo hello again']);
    expect(newest!.hasMoreMessages).toBe(true);
    expect(await harness.sessions.get('no-such-session')).toBeUndefined();
  });

  it('reads nothing without memory', async () => {
    const stateless = createHarness({ agents, prompts: staticPromptSource({ p: 'You answer.' }), models });
    expect(stateless.sessions.enabled).toBe(false);
    expect(await stateless.sessions.list()).toEqual({ sessions: [], nextCursor: null });
    expect(await stateless.sessions.get('first')).toBeUndefined();
  });
});
