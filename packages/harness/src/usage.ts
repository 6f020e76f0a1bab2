import type { TurnUsage } from './turn-events.js';

export function emptyTurnUsage(): TurnUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/** Shape of Mastra's per-step usage (the AI SDK's flattened `LanguageModelUsage`). */
interface StepUsage {
  inputTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
  cachedInputTokens?: number;
  cacheCreationInputTokens?: number;
}

/** Adds one model call's usage into `into` (mutates: called once per step on the hot path). */
export function addStepUsage(into: TurnUsage, usage: StepUsage | undefined): void {
  if (!usage) return;
  into.inputTokens += usage.inputTokens ?? 0;
  into.outputTokens += usage.outputTokens ?? 0;
  into.cacheReadTokens += usage.cachedInputTokens ?? 0;
  into.cacheWriteTokens += usage.cacheCreationInputTokens ?? 0;
  into.reasoningTokens += usage.reasoningTokens ?? 0;
}
