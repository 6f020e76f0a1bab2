/** Where a turn's token count stands against its agent's recent turns. */
export interface TokenJudgement {
  spike: boolean;
  /** Turns in the baseline; no judgement below the configured minimum. */
  samples: number;
  mean: number;
  std: number;
  zScore: number;
}

/**
 * A rolling baseline of tokens per turn, per agent: the last `window` turns that were not
 * themselves spikes. A turn is a spike when its z-score against the baseline exceeds the
 * threshold. The standard deviation has a floor (5% of the mean, at least 1 token), so a
 * perfectly steady agent does not flag a turn one token longer.
 */
export class TokenBaselines {
  readonly #samples = new Map<string, number[]>();

  judge(agentId: string, tokens: number, settings: { zScore: number; minTurns: number; window: number }): TokenJudgement {
    const samples = this.#samples.get(agentId) ?? [];
    const mean = samples.length > 0 ? samples.reduce((a, b) => a + b, 0) / samples.length : 0;
    const variance = samples.length > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1) : 0;
    const std = Math.max(Math.sqrt(variance), mean * 0.05, 1);
    const zScore = samples.length > 0 ? (tokens - mean) / std : 0;
    const spike = samples.length >= settings.minTurns && zScore > settings.zScore;
    // Counted before this turn joins: the samples it was judged against.
    const judgedAgainst = samples.length;
    if (!spike) {
      samples.push(tokens);
      if (samples.length > settings.window) samples.splice(0, samples.length - settings.window);
      this.#samples.set(agentId, samples);
    }
    return { spike, samples: judgedAgainst, mean, std, zScore };
  }
}
