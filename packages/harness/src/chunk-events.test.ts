import type { ChunkType } from '@mastra/core/stream';
import { describe, expect, it } from 'vitest';
import type { AgentDefinition } from './agent-definition.js';
import { ChunkReader, subagentIdOf, subagentToolName } from './chunk-events.js';
import { TurnUsageMeter } from './turn-usage.js';

const definition = (id: string, model: string): AgentDefinition => ({ id, model, promptId: id, tools: [], subagents: [], maxSteps: 3 });
const definitions = new Map([
  ['lead', definition('lead', 'p/lead')],
  ['researcher', definition('researcher', 'p/researcher')],
  ['archivist', definition('archivist', 'p/archivist')],
]);
// Test chunks carry only the fields the reader looks at.
const chunk = (type: string, payload: unknown) => ({ type, runId: 'r', from: 'AGENT', payload }) as unknown as ChunkType;
const stepFinish = (inputTokens: number) =>
  chunk('step-finish', { stepResult: { reason: 'stop' }, output: { usage: { inputTokens, outputTokens: 1 } }, metadata: {} });

function reader(describeError = () => undefined as undefined | { code: string; message: string }) {
  const usage = new TurnUsageMeter();
  return { usage, reader: new ChunkReader({ definitions, model: 'p/lead', usage, describeError }) };
}

describe('subagent tool names', () => {
  it('are agent-<id>, and only those name a subagent', () => {
    expect(subagentToolName('researcher')).toBe('agent-researcher');
    expect(subagentIdOf('agent-researcher')).toBe('researcher');
    expect(subagentIdOf('current_time')).toBeUndefined();
    expect(subagentIdOf(undefined)).toBeUndefined();
  });
});

describe('ChunkReader', () => {
  it('turns text, tool calls and results into events and keeps the text and finish reason', () => {
    const { reader: r } = reader();
    expect(r.read(chunk('text-delta', { id: '1', text: 'Hel' }))).toEqual({ type: 'text.delta', text: 'Hel' });
    r.read(chunk('text-delta', { id: '1', text: 'lo' }));
    expect(r.read(chunk('tool-call', { toolCallId: 'c1', toolName: 'current_time' }))).toEqual({
      type: 'tool.call',
      id: 'c1',
      name: 'current_time',
      input: {},
    });
    expect(r.read(chunk('tool-result', { toolCallId: 'c1', toolName: 'current_time', result: undefined }))).toEqual({
      type: 'tool.result',
      id: 'c1',
      name: 'current_time',
      output: null,
      isError: false,
    });
    expect(r.read(chunk('finish', { stepResult: { reason: 'stop' }, output: {}, metadata: {}, messages: {} }))).toBeUndefined();
    expect(r.read(chunk('text-start', { id: '1' }))).toBeUndefined();
    expect([r.text, r.finishReason, r.streamError]).toEqual(['Hello', 'stop', undefined]);
  });

  it('describes a failed subagent call with the subagent’s definition, and a failed tool by its message', () => {
    const seen: string[] = [];
    const { reader: r } = reader(
      ((error: unknown, agent: AgentDefinition) => (seen.push(agent.id), { code: 'explained', message: `${agent.id}: ${(error as Error).message}` })) as never,
    );
    expect(r.read(chunk('tool-error', { toolCallId: 'c', toolName: 'agent-researcher', error: new Error('401') }))).toEqual({
      type: 'tool.result',
      id: 'c',
      name: 'agent-researcher',
      output: { error: 'researcher: 401', code: 'explained' },
      isError: true,
    });
    expect(r.read(chunk('tool-error', { toolCallId: 'd', toolName: 'current_time', error: new Error('bad zone') }))).toMatchObject({
      output: { error: 'bad zone' },
      isError: true,
    });
    expect(seen).toEqual(['researcher']);
  });

  it('counts the agent’s steps for its model and nested subagent steps for the deepest subagent’s model', () => {
    const { reader: r, usage } = reader();
    r.read(stepFinish(100));
    r.read(chunk('tool-output', { toolCallId: 'c', toolName: 'agent-researcher', output: stepFinish(20) }));
    r.read(
      chunk('tool-output', {
        toolCallId: 'c',
        toolName: 'agent-researcher',
        output: chunk('tool-output', { toolCallId: 'd', toolName: 'agent-archivist', output: stepFinish(3) }),
      }),
    );
    // A subagent's own tool (not an agent) keeps the subagent's model; other nested chunks count nothing.
    r.read(
      chunk('tool-output', {
        toolCallId: 'c',
        toolName: 'agent-researcher',
        output: chunk('tool-output', { toolCallId: 'e', toolName: 'current_time', output: stepFinish(5) }),
      }),
    );
    r.read(chunk('tool-output', { toolCallId: 'c', toolName: 'agent-researcher', output: chunk('text-delta', { id: 'x', text: 'hi' }) }));
    r.read(chunk('tool-output', { toolCallId: 'c', toolName: 'my_tool', output: 'a streamed tool value' }));
    expect(usage.priced({ costOf: () => 0 }).byModel.map((m) => [m.model, m.usage.inputTokens])).toEqual([
      ['p/lead', 100],
      ['p/researcher', 25],
      ['p/archivist', 3],
    ]);
    expect(r.text).toBe('');
  });

  it('keeps a stream error or a tripwire for the turn’s end', () => {
    const { reader: r } = reader();
    const error = new Error('boom');
    r.read(chunk('error', { error }));
    expect(r.streamError).toBe(error);
    r.read(chunk('tripwire', { reason: 'blocked by a processor' }));
    expect(r.streamError).toMatchObject({ message: 'blocked by a processor', code: 'tripwire' });
  });
});
