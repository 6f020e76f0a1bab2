import { createModelRegistry, type ScriptInput } from '@kaged/llm';
import type { ToolsInput } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentDefinition } from './agent-definition.js';
import { AgentDefinitionError } from './errors/agent-definition-error.js';
import { createHarness } from './harness.js';
import type { ModelResolver } from './ports/model-resolver.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import { staticToolSource } from './ports/static-tool-source.js';
import type { SelectedTool, ToolSnapshot, ToolSource } from './ports/tool-source.js';
import type { TurnEvent } from './turn-events.js';

// A tool source whose tools change while a turn runs (an MCP server restarted with new tools):
// the running turn keeps the tools of its message boundary, the next turn gets the new ones, and
// a description prompt is found by the name the operator wrote, not the model's.
const script: ScriptInput = {
  models: {
    lead: [
      {
        when: 'swap',
        steps: [{ tools: [{ name: 'swap_tools', input: {} }] }, { tools: [{ name: 'remote_probe', input: {} }] }, { text: 'probe said {{toolResult}}' }],
      },
      { steps: [{ tools: [{ name: 'remote_probe', input: {} }] }, { text: 'probe said {{toolResult}} tools={{tools}}' }] },
    ],
  },
};
const models = createModelRegistry({ providers: { demo: { type: 'scripted', script } }, builtins: false }) as ModelResolver;
const agents: AgentDefinition[] = [{ id: 'lead', model: 'demo/lead', promptId: 'p.lead', tools: ['swap_tools', 'remote.*'], subagents: [], maxSteps: 5 }];

const probe = (generation: string) =>
  createTool({ id: 'remote_probe', description: `probe ${generation}`, inputSchema: z.object({}), execute: async () => `generation ${generation}` });

/** `remote.*` stands for the server's tools of the current generation, under `remote_<tool>`. */
function swappingSource(): ToolSource {
  let generation = 'one';
  let snapshot: ToolSnapshot;
  const swap = createTool({
    id: 'swap_tools',
    description: 'Swaps the tool generation.',
    inputSchema: z.object({}),
    execute: async () => {
      generation = 'two';
      snapshot = make();
      return 'swapped';
    },
  });
  const make = (): ToolSnapshot => {
    const tools: ToolsInput = { remote_probe: probe(generation) };
    return {
      version: generation,
      select(names) {
        const selected = new Map<string, SelectedTool>();
        for (const name of names) {
          if (name === 'swap_tools') selected.set(name, { tool: swap, promptName: name });
          else if (name === 'remote.*') selected.set('remote_probe', { tool: tools.remote_probe!, promptName: 'remote.probe' });
          else throw new AgentDefinitionError(`unknown tool "${name}"`);
        }
        return selected;
      },
    };
  };
  snapshot = make();
  return { snapshot: () => snapshot };
}

async function run(harness: ReturnType<typeof createHarness>, message: string): Promise<TurnEvent[]> {
  const events: TurnEvent[] = [];
  for await (const event of harness.startTurn({ agentId: 'lead', message }).events) events.push(event);
  return events;
}

describe('ToolSource', () => {
  it('gives each turn the tools of its message boundary and finds descriptions by the operator name', async () => {
    const prompts = staticPromptSource({ 'p.lead': 'lead', 'tools.remote.probe.description': 'Probe as the operator describes it.' });
    const harness = createHarness({ agents, prompts, models, toolSource: swappingSource() });

    const first = await run(harness, 'swap');
    const end = first.at(-1);
    expect(end).toMatchObject({ type: 'turn.end', text: 'probe said generation one' });
    expect(first.find((e) => e.type === 'turn.start')).toMatchObject({
      prompts: expect.arrayContaining([{ id: 'tools.remote.probe.description', version: expect.any(String) }]),
    });

    const second = await run(harness, 'again');
    const text = (second.at(-1) as { text: string }).text;
    expect(text).toContain('probe said generation two');
    expect(text).toContain('Probe as the operator describes it.');
  });

  it('keeps the static twin strict: an unknown tool name fails the turn with the agent named', async () => {
    const prompts = staticPromptSource({ 'p.lead': 'lead' });
    const harness = createHarness({ agents, prompts, models, toolSource: staticToolSource({}) });
    const events = await run(harness, 'x');
    expect(events.at(-1)).toMatchObject({ type: 'turn.error', message: expect.stringContaining('agent "lead" lists unknown tool "swap_tools"') });
  });
});
