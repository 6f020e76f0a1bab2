import type { LanguageModelV4Usage } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { addUsage, emptyUsage, fromFlatUsage, fromProviderUsage, type KagedUsage } from './usage.js';

describe('emptyUsage', () => {
  it('is all zeros and a fresh object each time', () => {
    const a = emptyUsage();
    expect(a).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    a.inputTokens = 5;
    expect(emptyUsage().inputTokens).toBe(0);
  });
});

describe('fromProviderUsage', () => {
  it('maps every count of the v4 usage', () => {
    const usage: LanguageModelV4Usage = {
      inputTokens: { total: 100, noCache: 55, cacheRead: 40, cacheWrite: 5 },
      outputTokens: { total: 10, text: 7, reasoning: 3 },
    };
    expect(fromProviderUsage(usage)).toEqual({ inputTokens: 100, outputTokens: 10, cacheReadTokens: 40, cacheWriteTokens: 5, reasoningTokens: 3 });
  });

  it('turns missing counts into 0', () => {
    const usage: LanguageModelV4Usage = {
      inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: undefined, text: undefined, reasoning: undefined },
    };
    expect(fromProviderUsage(usage)).toEqual(emptyUsage());
  });

  it('keeps present counts when only some are missing', () => {
    const usage: LanguageModelV4Usage = {
      inputTokens: { total: 12, noCache: undefined, cacheRead: 4, cacheWrite: undefined },
      outputTokens: { total: 3, text: undefined, reasoning: undefined },
    };
    expect(fromProviderUsage(usage)).toEqual({ inputTokens: 12, outputTokens: 3, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0 });
  });
});

describe('addUsage', () => {
  it('adds field by field without touching its arguments', () => {
    const a: KagedUsage = { inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, reasoningTokens: 5 };
    const b: KagedUsage = { inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40, reasoningTokens: 50 };
    expect(addUsage(a, b)).toEqual({ inputTokens: 11, outputTokens: 22, cacheReadTokens: 33, cacheWriteTokens: 44, reasoningTokens: 55 });
    expect(a).toEqual({ inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheWriteTokens: 4, reasoningTokens: 5 });
    expect(b).toEqual({ inputTokens: 10, outputTokens: 20, cacheReadTokens: 30, cacheWriteTokens: 40, reasoningTokens: 50 });
  });

  it('has emptyUsage as identity', () => {
    const a: KagedUsage = { inputTokens: 7, outputTokens: 8, cacheReadTokens: 0, cacheWriteTokens: 1, reasoningTokens: 2 };
    expect(addUsage(a, emptyUsage())).toEqual(a);
    expect(addUsage(emptyUsage(), a)).toEqual(a);
  });
});

describe('fromFlatUsage', () => {
  it('is empty for undefined and for an empty object', () => {
    expect(fromFlatUsage(undefined)).toEqual(emptyUsage());
    expect(fromFlatUsage({})).toEqual(emptyUsage());
  });

  it('reads the legacy flat form (cachedInputTokens, cacheCreationInputTokens, reasoningTokens)', () => {
    expect(fromFlatUsage({ inputTokens: 150, outputTokens: 20, cachedInputTokens: 40, cacheCreationInputTokens: 6, reasoningTokens: 5 })).toEqual({
      inputTokens: 150,
      outputTokens: 20,
      cacheReadTokens: 40,
      cacheWriteTokens: 6,
      reasoningTokens: 5,
    });
  });

  it('reads the details form (inputTokenDetails, outputTokenDetails) the AI SDK reports', () => {
    expect(
      fromFlatUsage({
        inputTokens: 100,
        outputTokens: 10,
        inputTokenDetails: { cacheReadTokens: 40, cacheWriteTokens: 5 },
        outputTokenDetails: { reasoningTokens: 3 },
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 10, cacheReadTokens: 40, cacheWriteTokens: 5, reasoningTokens: 3 });
  });

  it('prefers the flat field over the details field when both are present', () => {
    expect(
      fromFlatUsage({
        cachedInputTokens: 1,
        cacheCreationInputTokens: 2,
        reasoningTokens: 3,
        inputTokenDetails: { cacheReadTokens: 100, cacheWriteTokens: 200 },
        outputTokenDetails: { reasoningTokens: 300 },
      }),
    ).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 1, cacheWriteTokens: 2, reasoningTokens: 3 });
  });

  it('falls back to the details field when the flat one is undefined, and to 0 when both are', () => {
    expect(
      fromFlatUsage({
        inputTokens: 9,
        cachedInputTokens: undefined,
        inputTokenDetails: { cacheReadTokens: 4, cacheWriteTokens: undefined },
        outputTokenDetails: {},
      }),
    ).toEqual({ inputTokens: 9, outputTokens: 0, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 0 });
  });
});
