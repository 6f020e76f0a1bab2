import { addUsage, emptyUsage, fromFlatUsage, roundCost, sumCosts, type FlatUsage, type TokenUsage } from '@kaged/core';
import type { ModelPricing } from './ports/model-pricing.js';
import type { ModelUsage } from './turn-events.js';

/**
 * A turn's token usage, in total and per model: the agent's steps count for its model, a
 * subagent's steps for the subagent's. Mutates in place: it runs once per step.
 */
export class TurnUsageMeter {
  readonly total: TokenUsage = emptyUsage();
  // Insertion order is the order in which each model's first step finished (see usageByModel).
  readonly #byModel = new Map<string, TokenUsage>();

  /** Counts one finished step of `model`; a step without usage counts nothing. */
  add(model: string, usage: FlatUsage | undefined): void {
    if (!usage) return;
    const step = fromFlatUsage(usage);
    let modelUsage = this.#byModel.get(model);
    if (!modelUsage) this.#byModel.set(model, (modelUsage = emptyUsage()));
    addUsage(this.total, step);
    addUsage(modelUsage, step);
  }

  /**
   * Each model's usage with its rounded cost, and the turn's cost: `null` when any model's price
   * is unknown (never a made-up 0). Every model is asked, so each unknown price is reported.
   */
  priced(pricing: ModelPricing): { byModel: ModelUsage[]; costUsd: number | null } {
    const costs = [...this.#byModel].map(([model, usage]) => ({ model, usage, costUsd: pricing.costOf(model, usage) }));
    return {
      byModel: costs.map((m) => ({ ...m, costUsd: roundCost(m.costUsd) })),
      costUsd: sumCosts(costs.map((m) => m.costUsd)),
    };
  }
}
