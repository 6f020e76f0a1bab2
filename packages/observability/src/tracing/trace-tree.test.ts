import { describe, expect, it } from 'vitest';
import { toTraceDetail, toTraceSummary, type StoredSpan } from './trace-tree.js';

const at = (ms: number) => new Date(Date.UTC(2026, 10, 23, 18, 0, 0, ms));
const usage = (input: number, output: number, cacheRead = 0) => ({
  inputTokens: input,
  outputTokens: output,
  inputDetails: { cacheRead, cacheWrite: 0 },
  outputDetails: { reasoning: 1 },
});

function spans(): StoredSpan[] {
  const base = { traceId: 't1' };
  return [
    {
      ...base,
      spanId: 'step1',
      parentSpanId: 'gen',
      name: 'step: 1',
      spanType: 'model_step',
      startedAt: at(300),
      endedAt: at(400),
      attributes: { usage: usage(20, 5) },
    },
    {
      ...base,
      spanId: 'root',
      name: "agent run: 'assistant'",
      spanType: 'agent_run',
      startedAt: at(0),
      endedAt: at(500),
      entityId: 'assistant',
      sessionId: 's1',
      userId: 'u1',
      tags: ['a'],
      metadata: { turnId: 'turn-1', prompts: { 'agents.assistant.prompt': 'abc' } },
      input: 'hi',
      output: { text: 'ok' },
    },
    {
      ...base,
      spanId: 'gen',
      parentSpanId: 'root',
      name: "llm: 'm'",
      spanType: 'model_generation',
      startedAt: at(10),
      endedAt: at(450),
      entityId: 'assistant',
      attributes: { model: 'm', provider: 'p', usage: usage(30, 8, 10) },
    },
    {
      ...base,
      spanId: 'step0',
      parentSpanId: 'gen',
      name: 'step: 0',
      spanType: 'model_step',
      startedAt: at(20),
      endedAt: at(200),
      attributes: { usage: usage(10, 3, 10) },
    },
    {
      ...base,
      spanId: 'tool',
      parentSpanId: 'step0',
      name: "tool: 'current_time'",
      spanType: 'tool_call',
      startedAt: at(150),
      endedAt: at(160),
      error: { message: 'boom' },
    },
    {
      ...base,
      spanId: 'subgen',
      parentSpanId: 'missing',
      name: "llm: 'sub'",
      spanType: 'model_generation',
      startedAt: at(170),
      endedAt: at(190),
      entityId: 'researcher',
      attributes: { model: 'sub', usage: usage(7, 2) },
    },
  ];
}

describe('toTraceDetail', () => {
  it('builds the span tree in start order with timings, tokens and the turn’s metadata', () => {
    const detail = toTraceDetail(spans())!;
    expect(detail).toMatchObject({
      traceId: 't1',
      agentId: 'assistant',
      sessionId: 's1',
      userId: 'u1',
      turnId: 'turn-1',
      tags: ['a'],
      status: 'ok',
      durationMs: 500,
      spanCount: 6,
      metadata: { prompts: { 'agents.assistant.prompt': 'abc' } },
      // Generations only, so steps are not counted twice.
      usage: { inputTokens: 37, outputTokens: 10, cacheReadTokens: 10, cacheWriteTokens: 0, reasoningTokens: 2 },
      costUsd: null,
    });
    const [root, orphan] = detail.spans;
    expect(root).toMatchObject({ spanId: 'root', type: 'agent_run', input: 'hi', output: { text: 'ok' }, usage: null });
    // A span whose parent is not stored is shown at the top level rather than lost.
    expect(orphan).toMatchObject({ spanId: 'subgen' });
    const generation = root!.children[0]!;
    expect(generation).toMatchObject({ spanId: 'gen', model: 'm', durationMs: 440, usage: { inputTokens: 30, cacheReadTokens: 10 } });
    expect(generation.children.map((s) => s.spanId)).toEqual(['step0', 'step1']);
    expect(generation.children[0]!.children[0]).toMatchObject({ spanId: 'tool', status: 'error', error: 'boom' });
  });

  it('prices each generation through costOf and sums; null as soon as one is unknown', () => {
    const prices: Record<string, number> = { assistant: 0.5, researcher: 0.25 };
    const detail = toTraceDetail(spans(), ({ agentId }) => prices[agentId ?? ''] ?? null)!;
    expect(detail.costUsd).toBe(0.75);
    expect(detail.spans[0]!.children[0]!.costUsd).toBe(0.5);
    expect(toTraceDetail(spans(), ({ agentId }) => (agentId === 'assistant' ? 1 : null))!.costUsd).toBeNull();
  });

  it('returns undefined for no spans, and a running root has no end', () => {
    expect(toTraceDetail([])).toBeUndefined();
    expect(toTraceSummary({ traceId: 't', spanId: 's', name: 'n', spanType: 'agent_run', startedAt: at(0).toISOString() })).toMatchObject({
      status: 'running',
      endedAt: null,
      durationMs: null,
      tags: [],
      agentId: null,
    });
  });
});
