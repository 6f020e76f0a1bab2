import { createModelRegistry, type ScriptInput } from '@kaged/llm';
import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentDefinition } from './agent-definition.js';
import { createHarness } from './harness.js';
import type { ModelResolver } from './ports/model-resolver.js';
import type { PromptSnapshotView, PromptSource } from './ports/prompt-source.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import type { TurnEvent } from './turn-events.js';

// The agent tree is built once per generation of definitions; the prompts reach it through the
// request context. What must hold: a subagent called after a prompt edit mid-turn still sees the
// snapshot of the turn's message boundary, at any depth, and its tools' descriptions too.
const script: ScriptInput = {
  models: {
    lead: [
      {
        steps: [
          // 1: edit every prompt while the turn runs; 2: call the subagent; 3: answer with its result.
          { tools: [{ name: 'edit_prompts', input: {} }] },
          { tools: [{ name: 'agent-researcher', input: { prompt: 'dig' } }] },
          { text: 'lead=[{{system}}] researcher said: {{toolResult}}' },
        ],
      },
    ],
    researcher: [
      {
        steps: [{ tools: [{ name: 'agent-archivist', input: { prompt: 'fetch' } }] }, { text: 'researcher=[{{system}}] archivist said: {{toolResult}}' }],
      },
    ],
    archivist: [{ steps: [{ text: 'archivist=[{{system}}] tools={{tools}}' }] }],
  },
};
const registry = createModelRegistry({ providers: { demo: { type: 'scripted', script } }, builtins: false });

const agents: AgentDefinition[] = [
  { id: 'lead', model: 'demo/lead', promptId: 'p.lead', tools: ['edit_prompts'], subagents: ['researcher'], maxSteps: 5 },
  { id: 'researcher', description: 'Researches', model: 'demo/researcher', promptId: 'p.researcher', tools: [], subagents: ['archivist'], maxSteps: 5 },
  { id: 'archivist', description: 'Archives', model: 'demo/archivist', promptId: 'p.archivist', tools: ['current_time'], subagents: [], maxSteps: 5 },
];

function mutablePrompts(version: string): PromptSource & { edit(version: string): void; snapshots: number } {
  const texts = (v: string) => ({
    'p.lead': `lead ${v}`,
    'p.researcher': `researcher ${v}`,
    'p.archivist': `archivist ${v}`,
    'tools.current_time.description': `time ${v}`,
  });
  let current = staticPromptSource(texts(version));
  const source = {
    snapshots: 0,
    snapshot: (): PromptSnapshotView => {
      source.snapshots++;
      return current.snapshot();
    },
    edit(v: string) {
      current = staticPromptSource(texts(v));
    },
  };
  return source;
}

async function answer(events: AsyncIterable<TurnEvent>): Promise<string> {
  let last: TurnEvent | undefined;
  for await (const event of events) last = event;
  if (last?.type !== 'turn.end') throw new Error(`turn failed: ${JSON.stringify(last)}`);
  return last.text;
}

describe('agent trees with the prompt snapshot in the request context', () => {
  it('gives a subagent called after a mid-turn prompt edit the snapshot of the turn’s message boundary, at every depth', async () => {
    const prompts = mutablePrompts('v1');
    const resolved: string[] = [];
    const models: ModelResolver = { resolve: (id) => (resolved.push(id), registry.resolve(id)) };
    const editPrompts = createTool({
      id: 'edit_prompts',
      description: 'edits the prompt files',
      inputSchema: z.object({}),
      execute: async () => {
        prompts.edit(`v${resolved.length + prompts.snapshots + 1}`);
        return { edited: true };
      },
    });
    const harness = createHarness({ agents, prompts, models, tools: { edit_prompts: editPrompts } });

    const first = await answer(harness.startTurn({ agentId: 'lead', message: 'go' }).events);
    // (Mastra also shows a subagent its caller's system prompt, after its own: `[researcher v1\nlead v1]`.)
    expect(first).toMatch(/^lead=\[lead v1\] researcher said: researcher=\[researcher v1\b/);
    expect(first).toContain('archivist=[archivist v1');
    expect(first).toContain('"current_time":"time v1"');
    expect(first.match(/v\d+/g)!.every((v) => v === 'v1')).toBe(true);
    // The edit made during the first turn reaches the second turn, and the second turn only.
    const edited = prompts.snapshot().get('p.lead')!.text;
    expect(edited).not.toBe('lead v1');
    const version = edited.slice('lead '.length);
    const second = await answer(harness.startTurn({ agentId: 'lead', message: 'go' }).events);
    expect(second).toMatch(new RegExp(`^lead=\\[lead ${version}\\] researcher said: researcher=\\[researcher ${version}\\b`));
    expect(second).toContain(`archivist=[archivist ${version}`);
    expect(second).toContain(`"current_time":"time ${version}"`);
    expect(second.match(/v\d+/g)!.every((v) => v === version)).toBe(true);

    // One tree for both snapshots: each model was resolved once, when the first turn built it.
    expect(resolved.sort()).toEqual(['demo/archivist', 'demo/lead', 'demo/researcher']);
    // A new generation of definitions builds anew.
    harness.setAgents(agents);
    await answer(harness.startTurn({ agentId: 'lead', message: 'go' }).events);
    expect(resolved).toHaveLength(6);
  });

  it('reports a subagent prompt missing from the snapshot as invalid_agent before the model runs', async () => {
    const harness = createHarness({
      agents,
      prompts: staticPromptSource({ 'p.lead': 'lead', 'p.researcher': 'researcher' }),
      models: registry,
      tools: { edit_prompts: createTool({ id: 'edit_prompts', description: 'x', execute: async () => ({}) }) },
    });
    const events: TurnEvent[] = [];
    for await (const event of harness.startTurn({ agentId: 'lead', message: 'go' }).events) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['turn.start', 'turn.error']);
    expect(events[1]).toMatchObject({ code: 'invalid_agent', message: 'prompt "p.archivist" of agent "archivist" is not loaded' });
  });
});
