import { describe, expect, it } from 'vitest';
import type { ModelPricing } from './ports/model-pricing.js';
import { TurnUsageMeter } from './turn-usage.js';

describe('TurnUsageMeter', () => {
  it('sums Mastra’s flat step usage per model and in total, in the order models first finished a step', () => {
    const meter = new TurnUsageMeter();
    meter.add('p/b', { inputTokens: 10, outputTokens: 1, cachedInputTokens: 4 });
    meter.add('p/a', { inputTokens: 5, outputTokens: 2, reasoningTokens: 1, cacheCreationInputTokens: 3 });
    meter.add('p/b', { inputTokens: 1, outputTokens: 1 });
    meter.add('p/c', undefined);
    expect(meter.total).toEqual({ inputTokens: 16, outputTokens: 4, cacheReadTokens: 4, cacheWriteTokens: 3, reasoningTokens: 1 });
    const { byModel, costUsd } = meter.priced({ costOf: () => null });
    expect(byModel.map((m) => m.model)).toEqual(['p/b', 'p/a']);
    expect(byModel[0]!.usage).toEqual({ inputTokens: 11, outputTokens: 2, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(costUsd).toBeNull();
  });

  it('prices every model, rounds each cost and the sum, and makes the sum unknown when one price is', () => {
    const meter = new TurnUsageMeter();
    meter.add('p/a', { inputTokens: 1 });
    meter.add('p/b', { inputTokens: 1 });
    const asked: string[] = [];
    const prices = (table: Record<string, number | null>): ModelPricing => ({ costOf: (model) => (asked.push(model), table[model] ?? null) });
    expect(meter.priced(prices({ 'p/a': 0.1, 'p/b': 0.2 }))).toMatchObject({ costUsd: 0.3, byModel: [{ costUsd: 0.1 }, { costUsd: 0.2 }] });
    expect(meter.priced(prices({ 'p/b': 0.2 }))).toMatchObject({ costUsd: null, byModel: [{ costUsd: null }, { costUsd: 0.2 }] });
    expect(asked).toEqual(['p/a', 'p/b', 'p/a', 'p/b']);
    expect(new TurnUsageMeter().priced(prices({}))).toEqual({ byModel: [], costUsd: 0 });
  });
});
