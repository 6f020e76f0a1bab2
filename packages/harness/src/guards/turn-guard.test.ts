import { emptyUsage } from '@kaged/core';
import { describe, expect, it } from 'vitest';
import type { TurnUsage } from '../turn-events.js';
import { defaultGuards, resolveGuards, type GuardSettings } from './guard-config.js';
import { TokenBaselines } from './token-baseline.js';
import { guardErrorCodes, TurnGuard } from './turn-guard.js';

function guard(settings: GuardSettings = {}, options: { message?: string; maxSteps?: number; baselines?: TokenBaselines } = {}): TurnGuard {
  return new TurnGuard({
    agentId: 'helper',
    config: resolveGuards(settings),
    message: options.message ?? 'what is the weather like?',
    maxSteps: options.maxSteps ?? 4,
    baselines: options.baselines ?? new TokenBaselines(),
  });
}

const usage = (input: number, output: number): TurnUsage => ({ ...emptyUsage(), inputTokens: input, outputTokens: output });
const answer = 'It is sunny and warm today, with a light breeze from the west.';
const finish = (over: Partial<{ text: string; finishReason: string; usage: TurnUsage }> = {}) => ({
  text: answer,
  finishReason: 'stop',
  usage: usage(100, 20),
  ...over,
});

describe('TurnGuard', () => {
  it('trips nothing on an ordinary turn with the defaults', () => {
    const g = guard();
    expect(g.onToolCall('weather', { city: 'Lisbon' })).toBeUndefined();
    expect(g.onFinish(finish())).toEqual([]);
  });

  describe('step loop', () => {
    it('stops a turn that used all its steps still wanting tools', () => {
      const [trip, ...rest] = guard({}, { maxSteps: 4 }).onFinish(finish({ finishReason: 'tool-calls', text: '' }));
      expect(rest).toEqual([]);
      expect(trip).toEqual({ guard: 'step_loop', action: 'stop', message: expect.stringContaining('used all 4 steps'), details: { maxSteps: 4 } });
      expect(trip!.message).toContain('agents.helper.maxSteps');
      expect(guardErrorCodes.step_loop).toBe('max_steps_reached');
    });

    it('is off with maxSteps: false, and silent for other finish reasons', () => {
      expect(guard({ maxSteps: false }).onFinish(finish({ finishReason: 'tool-calls' }))).toEqual([]);
      expect(guard().onFinish(finish({ finishReason: 'length' }))).toEqual([]);
    });
  });

  describe('repeated tool call', () => {
    it('stops at the limit-th identical call, with keys in any order', () => {
      const g = guard({ repeatedToolCall: 3 });
      expect(g.onToolCall('weather', { city: 'Lisbon', unit: 'C' })).toBeUndefined();
      expect(g.onToolCall('weather', { unit: 'C', city: 'Lisbon' })).toBeUndefined();
      expect(g.onToolCall('weather', { city: 'Lisbon', unit: 'C' })).toEqual({
        guard: 'repeated_tool_call',
        action: 'stop',
        message: expect.stringContaining('called weather with the same input 3 times'),
        details: { tool: 'weather', count: 3, limit: 3 },
      });
      expect(guardErrorCodes.repeated_tool_call).toBe('repeated_tool_call');
    });

    it('counts different inputs, nested values and different tools apart', () => {
      const g = guard({ repeatedToolCall: 2 });
      expect(g.onToolCall('weather', { city: 'Lisbon' })).toBeUndefined();
      expect(g.onToolCall('weather', { city: 'Porto' })).toBeUndefined();
      expect(g.onToolCall('forecast', { city: 'Lisbon' })).toBeUndefined();
      expect(g.onToolCall('weather', { city: 'Lisbon', days: [1, 2] })).toBeUndefined();
      expect(g.onToolCall('weather', { days: [2, 1], city: 'Lisbon' })).toBeUndefined();
      expect(g.onToolCall('weather', { city: 'Lisbon' })?.details).toEqual({ tool: 'weather', count: 2, limit: 2 });
    });

    it('is off with 0', () => {
      const g = guard({ repeatedToolCall: 0 });
      for (let i = 0; i < 10; i++) expect(g.onToolCall('weather', {})).toBeUndefined();
    });
  });

  describe('token spike', () => {
    const spike = { zScore: 3, minTurns: 3, window: 10 };

    it('waits for the baseline to warm up, then flags an outlier without stopping the turn', () => {
      // Warming up, even a huge turn is not judged.
      expect(guard({ tokenSpike: spike }).onFinish(finish({ usage: usage(50_000, 0) }))).toEqual([]);
      const baselines = new TokenBaselines();
      for (let i = 0; i < 3; i++) expect(guard({ tokenSpike: spike }, { baselines }).onFinish(finish())).toEqual([]);
      const trips = guard({ tokenSpike: spike }, { baselines }).onFinish(finish({ usage: usage(90_000, 10_000) }));
      expect(trips).toEqual([
        {
          guard: 'token_spike',
          action: 'flag',
          message: expect.stringMatching(/^turn used 100000 tokens, [\d.]+ standard deviations above agent "helper"'s recent mean of \d+$/),
          details: { tokens: 100_000, mean: expect.any(Number), std: expect.any(Number), zScore: expect.any(Number), samples: 3 },
        },
      ]);
    });

    it('counts input plus output tokens, and is off with false', () => {
      const baselines = new TokenBaselines();
      for (let i = 0; i < 3; i++) guard({ tokenSpike: spike }, { baselines }).onFinish(finish({ usage: usage(100, 20) }));
      expect(
        guard({ tokenSpike: spike }, { baselines }).onFinish(finish({ usage: { ...usage(100, 20), cacheReadTokens: 1e6, reasoningTokens: 1e6 } })),
      ).toEqual([]);
      expect(guard({ tokenSpike: false }, { baselines }).onFinish(finish({ usage: usage(1e6, 0) }))).toEqual([]);
    });
  });

  describe('expected tools', () => {
    it('flags a finish without the expected tools, naming the missing and the called ones', () => {
      const g = guard({ expectTools: [{ tools: ['weather', 'forecast'] }] });
      g.onToolCall('weather', {});
      expect(g.onFinish(finish())).toEqual([
        {
          guard: 'expected_tools',
          action: 'flag',
          message: 'agent "helper" finished without calling forecast',
          details: { missing: ['forecast'], called: ['weather'] },
        },
      ]);
    });

    it('applies an expectation only to messages matching its case-insensitive when', () => {
      const rule = { expectTools: [{ tools: ['weather'], when: '\\bWEATHER\\b' }] };
      expect(guard(rule, { message: 'tell me a joke' }).onFinish(finish())).toEqual([]);
      expect(guard(rule, { message: 'the weather?' }).onFinish(finish())).toEqual([
        expect.objectContaining({
          guard: 'expected_tools',
          message: 'agent "helper" finished without calling weather (expected for messages matching /\\bWEATHER\\b/i)',
        }),
      ]);
      const called = guard(rule, { message: 'the weather?' });
      called.onToolCall('weather', {});
      expect(called.onFinish(finish())).toEqual([]);
    });

    it('remembers tools whose calls it stopped counting (repeat guard off)', () => {
      const g = guard({ repeatedToolCall: 0, expectTools: [{ tools: ['weather'] }] });
      g.onToolCall('weather', {});
      expect(g.onFinish(finish())).toEqual([]);
      expect(defaultGuards.expectTools).toEqual([]);
    });
  });

  describe('degenerate output', () => {
    it('flags a repetitive answer of at least minWords words', () => {
      const loop = Array.from({ length: 10 }, () => 'the same again').join(' ');
      expect(guard().onFinish(finish({ text: loop }))).toEqual([
        {
          guard: 'degenerate_output',
          action: 'flag',
          message: 'agent "helper"\'s answer is repetitive: 10% of its 30 words are distinct',
          details: { words: 30, uniqueWordRatio: 0.1 },
        },
      ]);
      // Under minWords, repetition is not judged.
      expect(guard().onFinish(finish({ text: 'no no no no no' }))).toEqual([]);
    });

    it('flags an empty answer to a non-empty message, but not to an empty one or a turn that ended in tool calls', () => {
      expect(guard().onFinish(finish({ text: '  ...  ' }))).toEqual([
        { guard: 'degenerate_output', action: 'flag', message: 'agent "helper" gave an empty answer to a non-empty message', details: { words: 0 } },
      ]);
      expect(guard({}, { message: '?!' }).onFinish(finish({ text: '' }))).toEqual([]);
      expect(guard({ maxSteps: false }).onFinish(finish({ text: '', finishReason: 'tool-calls' }))).toEqual([]);
    });

    it('follows its settings, and is off with false', () => {
      const text = 'alpha beta alpha beta alpha beta';
      expect(guard({ degenerateOutput: { minUniqueWordRatio: 0.5, minWords: 6 } }).onFinish(finish({ text }))).toEqual([
        expect.objectContaining({ details: { words: 6, uniqueWordRatio: 0.333 } }),
      ]);
      expect(guard({ degenerateOutput: { minUniqueWordRatio: 0.3, minWords: 6 } }).onFinish(finish({ text }))).toEqual([]);
      expect(guard({ degenerateOutput: false }).onFinish(finish({ text: '' }))).toEqual([]);
    });
  });

  it('lists a stop before the flags of the same turn', () => {
    const trips = guard({ expectTools: [{ tools: ['weather'] }] }).onFinish(finish({ finishReason: 'tool-calls', text: '' }));
    expect(trips.map((t) => [t.guard, t.action])).toEqual([
      ['step_loop', 'stop'],
      ['expected_tools', 'flag'],
    ]);
  });
});
