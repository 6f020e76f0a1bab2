import type { LanguageModelV4Usage } from '@ai-sdk/provider';
import { addUsage as addUsageInto, emptyUsage, type TokenUsage } from '@kaged/core';

// One usage type for every kaged package: `@kaged/core`'s. Re-exported here so that library
// users of `@kaged/llm` keep their imports.
export { emptyUsage, fromFlatUsage } from '@kaged/core';
export type { FlatUsage } from '@kaged/core';

/** Token counts of one model call or a whole turn, in kaged's words: `@kaged/core`'s `TokenUsage`. */
export type KagedUsage = TokenUsage;

/**
 * The sum of two usages, as a new object: this package's `addUsage` has always been pure.
 * `@kaged/core`'s `addUsage` adds into its first argument instead (no copy per step).
 */
export function addUsage(a: KagedUsage, b: KagedUsage): KagedUsage {
  return addUsageInto(addUsageInto(emptyUsage(), a), b);
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
