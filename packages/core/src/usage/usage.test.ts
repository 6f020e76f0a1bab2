import { describe, expect, it } from 'vitest';
import { roundCost, sumCosts } from './cost.js';
import { addUsage, emptyUsage, fromFlatUsage } from './token-usage.js';

describe('token usage', () => {
  it('adds into the first argument', () => {
    const total = emptyUsage();
    addUsage(total, { inputTokens: 10, outputTokens: 5, cacheReadTokens: 2, cacheWriteTokens: 1, reasoningTokens: 3 });
    const same = addUsage(total, { inputTokens: 1, outputTokens: 1, cacheReadTokens: 1, cacheWriteTokens: 1, reasoningTokens: 1 });
    expect(same).toBe(total);
    expect(total).toEqual({ inputTokens: 11, outputTokens: 6, cacheReadTokens: 3, cacheWriteTokens: 2, reasoningTokens: 4 });
  });

  it('reads the flat and the nested forms, missing counts as 0', () => {
    expect(fromFlatUsage({ inputTokens: 7, cachedInputTokens: 3, reasoningTokens: 2 })).toEqual({
      inputTokens: 7,
      outputTokens: 0,
      cacheReadTokens: 3,
      cacheWriteTokens: 0,
      reasoningTokens: 2,
    });
    expect(
      fromFlatUsage({ outputTokens: 4, inputTokenDetails: { cacheReadTokens: 1, cacheWriteTokens: 6 }, outputTokenDetails: { reasoningTokens: 2 } }),
    ).toEqual({
      inputTokens: 0,
      outputTokens: 4,
      cacheReadTokens: 1,
      cacheWriteTokens: 6,
      reasoningTokens: 2,
    });
    expect(fromFlatUsage(undefined)).toEqual(emptyUsage());
  });
});

describe('cost', () => {
  it('sums and rounds away float noise', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumCosts([0.1, 0.2])).toBe(0.3);
    expect(sumCosts([])).toBe(0);
  });

  it('is unknown when any part is unknown', () => {
    expect(sumCosts([0.5, null, 0.25])).toBeNull();
    expect(roundCost(null)).toBeNull();
  });
});
