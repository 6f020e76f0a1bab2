import type { LanguageModelV4Usage } from '@ai-sdk/provider';

/** Token counts of one model call or a whole turn, in kaged's words. */
export interface KagedUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export function emptyUsage(): KagedUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

export function addUsage(a: KagedUsage, b: KagedUsage): KagedUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

/** The AI SDK's language model usage (spec v4): missing counts become 0. */
export function fromProviderUsage(usage: LanguageModelV4Usage): KagedUsage {
  return {
    inputTokens: usage.inputTokens.total ?? 0,
    outputTokens: usage.outputTokens.total ?? 0,
    cacheReadTokens: usage.inputTokens.cacheRead ?? 0,
    cacheWriteTokens: usage.inputTokens.cacheWrite ?? 0,
    reasoningTokens: usage.outputTokens.reasoning ?? 0,
  };
}

/**
 * The flattened usage that `ai` and Mastra report for a step or a run
 * (`inputTokens`, `cachedInputTokens`, …). Any field may be missing.
 */
export interface FlatUsage {
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  cachedInputTokens?: number | undefined;
  cacheCreationInputTokens?: number | undefined;
  inputTokenDetails?: { cacheReadTokens?: number | undefined; cacheWriteTokens?: number | undefined } | undefined;
  outputTokenDetails?: { reasoningTokens?: number | undefined } | undefined;
}

export function fromFlatUsage(usage: FlatUsage | undefined): KagedUsage {
  if (!usage) return emptyUsage();
  return {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cacheReadTokens: usage.cachedInputTokens ?? usage.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.cacheCreationInputTokens ?? usage.inputTokenDetails?.cacheWriteTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? usage.outputTokenDetails?.reasoningTokens ?? 0,
  };
}
