import type { TurnUsage } from '../turn-events.js';

/**
 * What model calls cost. The harness asks once per model a turn used, with that model's summed
 * usage, and reports the total as `turn.end`'s `costUsd`. `@kaged/llm`'s `createPricing()`
 * fits this shape.
 */
export interface ModelPricing {
  /** USD for `usage` on `modelId` (`<provider>/<model>`); `null` when the price is unknown. */
  costOf(modelId: string, usage: TurnUsage): number | null;
}

/** The default: no prices, so every turn's `costUsd` is `null` (unknown, not free). */
export const noPricing: ModelPricing = { costOf: () => null };
