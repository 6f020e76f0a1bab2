import { createModelRegistry, type ScriptInput } from '@kaged/llm';
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from './agent-definition.js';
import { createHarness } from './harness.js';
import type { ModelPricing } from './ports/model-pricing.js';
import { staticPromptSource } from './ports/static-prompt-source.js';
import type { TurnEvent, TurnUsage } from './turn-events.js';

// Three levels: the assistant calls the researcher, which calls the archivist. Each model
// reports its own usage, so the cost can be checked step by step.
const script: ScriptInput = {
  models: {
    assistant: [
      {
        when: 'research',
        steps: [
          { tools: [{ name: 'agent-researcher', input: { prompt: 'dig' } }], usage: { input: 100, output: 10 } },
          { text: 'Done: {{toolResult}}', usage: { input: 200, output: 20, cacheRead: 50 } },
        ],
      },
      { when: 'fail', steps: [{ tools: [{ name: 'current_time', input: {} }] }] },
      { steps: [{ text: 'hello', usage: { input: 1, output: 1 } }] },
    ],
    researcher: [
      {
        steps: [
          { tools: [{ name: 'agent-archivist', input: { prompt: 'fetch' } }], usage: { input: 30, output: 3 } },
          { text: 'found {{toolResult}}', usage: { input: 40, output: 4, cacheWrite: 5 } },
        ],
      },
    ],
    archivist: [{ steps: [{ text: 'archived fact', usage: { input: 7, output: 2 } }] }],
  },
};

const agents: AgentDefinition[] = [
  { id: 'assistant', model: 'demo/assistant', promptId: 'p.assistant', tools: ['current_time'], subagents: ['researcher'], maxSteps: 5 },
  { id: 'researcher', description: 'Researches', model: 'demo/researcher', promptId: 'p.researcher', tools: [], subagents: ['archivist'], maxSteps: 5 },
  { id: 'archivist', description: 'Keeps facts', model: 'demo/archivist', promptId: 'p.archivist', tools: [], subagents: [], maxSteps: 5 },
];
const prompts = staticPromptSource({ 'p.assistant': 'You assist.', 'p.researcher': 'You research.', 'p.archivist': 'You archive.' });
const models = createModelRegistry({ providers: { demo: { type: 'scripted', script } }, builtins: false });

async function run(harness: ReturnType<typeof createHarness>, message: string): Promise<TurnEvent> {
  let last: TurnEvent | undefined;
  for await (const event of harness.startTurn({ agentId: 'assistant', message }).events) last = event;
  return last!;
}

function recordingPricing(prices: Record<string, number | null>): ModelPricing & { calls: [string, TurnUsage][] } {
  const calls: [string, TurnUsage][] = [];
  return {
    calls,
    costOf(model, usage) {
      calls.push([model, { ...usage }]);
      return prices[model] ?? null;
    },
  };
}

describe('harness model ports', () => {
  it('reports costUsd null when no pricing is wired', async () => {
    const end = await run(createHarness({ agents, prompts, models }), 'hi');
    expect(end).toMatchObject({ type: 'turn.end', costUsd: null });
  });

  it('attributes each step’s usage to the model that made it, subagents of subagents included, and sums the cost', async () => {
    const pricing = recordingPricing({ 'demo/assistant': 0.001, 'demo/researcher': 0.0002, 'demo/archivist': 0.00003 });
    const end = await run(createHarness({ agents, prompts, models, pricing }), 'research this');
    expect(end).toMatchObject({ type: 'turn.end', text: 'Done: found archived fact', costUsd: 0.00123 });
    const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0): TurnUsage => ({
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: cacheWrite,
      reasoningTokens: 0,
    });
    expect(Object.fromEntries(pricing.calls)).toEqual({
      'demo/assistant': usage(300, 30, 50),
      'demo/researcher': usage(70, 7, 0, 5),
      'demo/archivist': usage(7, 2),
    });
    expect(end).toMatchObject({ usage: usage(377, 39, 50, 5) });
  });

  it('reports costUsd null when any model’s price is unknown, still asking about every model', async () => {
    const pricing = recordingPricing({ 'demo/assistant': 0.001, 'demo/researcher': null, 'demo/archivist': 0.00003 });
    const end = await run(createHarness({ agents, prompts, models, pricing }), 'research this');
    expect(end).toMatchObject({ type: 'turn.end', costUsd: null });
    expect(pricing.calls.map(([model]) => model).sort()).toEqual(['demo/archivist', 'demo/assistant', 'demo/researcher']);
  });

  it('lets describeError word turn.error, given the failing error and the turn’s agent', async () => {
    const seen: [string, string][] = [];
    const harness = createHarness({
      agents,
      prompts,
      models,
      describeError: (error, agent) => {
        seen.push([(error as { code?: string }).code ?? '', agent.model]);
        return { code: 'explained', message: `the ${agent.id} model could not go on` };
      },
    });
    expect(await run(harness, 'fail please')).toMatchObject({ type: 'turn.error', code: 'explained', message: 'the assistant model could not go on' });
    expect(seen).toEqual([['script_exhausted', 'demo/assistant']]);
  });

  it('keeps the error’s own code and message when describeError does not know it', async () => {
    const harness = createHarness({ agents, prompts, models, describeError: () => undefined });
    expect(await run(harness, 'fail please')).toMatchObject({
      type: 'turn.error',
      code: 'script_exhausted',
      message: expect.stringContaining('was asked for step 2'),
    });
  });
});
