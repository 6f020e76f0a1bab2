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
import type { TurnEvent } from './turn-events.js';

// The scripted model answers with what it was sent: the last user message and how many user messages.
const models = createModelRegistry({
  providers: { demo: { type: 'scripted', script: { models: { assistant: [{ steps: [{ text: 'msg=[{{message}}] users={{userMessages}}' }] }] } } } },
});
const agents: AgentDefinition[] = [{ id: 'assistant', model: 'demo/assistant', promptId: 'p', tools: [], subagents: [], maxSteps: 2 }];

async function endOf(events: AsyncIterable<TurnEvent>): Promise<TurnEvent> {
  let last: TurnEvent | undefined;
  for await (const event of events) last = event;
  return last!;
}

describe('a turn with a history from the client', () => {
  let dir: string;
  let harness: Harness;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kaged-history-'));
    const memory = new Memory({ storage: new LibSQLStore({ id: 'history', url: `file:${join(dir, 'sessions.db')}` }), options: { lastMessages: 20 } });
    harness = createHarness({ agents, prompts: staticPromptSource({ p: 'You answer.' }), models, memory });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the model the history before the message, and leaves the session memory untouched', async () => {
    const history = [
      { role: 'user' as const, content: 'first question' },
      { role: 'assistant' as const, content: 'first answer' },
      { role: 'user' as const, content: 'second question' },
      { role: 'assistant' as const, content: 'second answer' },
    ];
    const stateless = harness.startTurn({ agentId: 'assistant', message: 'third question', history, sessionId: 'kept-by-client' });
    expect(stateless.sessionId).toBe('kept-by-client');
    expect(await endOf(stateless.events)).toMatchObject({ type: 'turn.end', text: 'msg=[third question] users=3' });

    // Nothing was saved under the session id: a turn that uses memory starts from nothing.
    const remembered = harness.startTurn({ agentId: 'assistant', message: 'hello', sessionId: 'kept-by-client' });
    expect(await endOf(remembered.events)).toMatchObject({ type: 'turn.end', text: 'msg=[hello] users=1' });
    const again = harness.startTurn({ agentId: 'assistant', message: 'hello again', sessionId: 'kept-by-client' });
    expect(await endOf(again.events)).toMatchObject({ type: 'turn.end', text: 'msg=[hello again] users=2' });

    // And a history turn does not read the memory that now exists.
    const fresh = harness.startTurn({ agentId: 'assistant', message: 'only this', history: [], sessionId: 'kept-by-client' });
    expect(await endOf(fresh.events)).toMatchObject({ type: 'turn.end', text: 'msg=[only this] users=1' });
  });
});
