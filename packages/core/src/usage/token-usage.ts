/** Token counts of one model call, a model's share of a turn, or a whole turn. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/** Adds `usage` into `into` and returns `into` (mutates: it runs once per step on the hot path). */
export function addUsage(into: TokenUsage, usage: TokenUsage): TokenUsage {
  into.inputTokens += usage.inputTokens;
  into.outputTokens += usage.outputTokens;
  into.cacheReadTokens += usage.cacheReadTokens;
  into.cacheWriteTokens += usage.cacheWriteTokens;
  into.reasoningTokens += usage.reasoningTokens;
  return into;
}

/**
 * The flattened usage that `ai` and Mastra report for a step or a run (`inputTokens`,
 * `cachedInputTokens`, …; newer versions nest the details). Any field may be missing.
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

/** Flattened usage in kaged's words; missing counts are 0. */
export function fromFlatUsage(usage: FlatUsage | undefined): TokenUsage {
  if (!usage) return emptyUsage();
  return {
    inputTokens: usage.inputTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
    cacheReadTokens: usage.cachedInputTokens ?? usage.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.cacheCreationInputTokens ?? usage.inputTokenDetails?.cacheWriteTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? usage.outputTokenDetails?.reasoningTokens ?? 0,
  };
}
