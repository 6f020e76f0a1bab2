import { describe, expect, it } from 'vitest';
import { TokenBaselines } from './token-baseline.js';

const settings = { zScore: 3, minTurns: 5, window: 10 };

function warmed(tokens: number[], agentId = 'a'): TokenBaselines {
  const baselines = new TokenBaselines();
  for (const t of tokens) expect(baselines.judge(agentId, t, settings).spike).toBe(false);
  return baselines;
}

describe('TokenBaselines', () => {
  it('judges nothing a spike while it warms up, however large, and counts each turn into the baseline', () => {
    const baselines = new TokenBaselines();
    const judged = [1_000_000, 100, 100, 100, 100].map((t) => baselines.judge('a', t, settings));
    expect(judged.map((j) => j.spike)).toEqual([false, false, false, false, false]);
    expect(judged.map((j) => j.samples)).toEqual([0, 1, 2, 3, 4]);
    expect(judged[0]).toMatchObject({ mean: 0, zScore: 0 });
  });

  it('flags a turn far above the mean once minTurns turns are in, and keeps the spike out of the baseline', () => {
    const baselines = warmed([100, 110, 90, 105, 95]);
    const spike = baselines.judge('a', 10_000, settings);
    expect(spike).toMatchObject({ spike: true, samples: 5, mean: 100 });
    expect(spike.zScore).toBeGreaterThan(3);
    // Not learnt: the same spike again is still one, against the same five samples.
    expect(baselines.judge('a', 10_000, settings)).toMatchObject({ spike: true, samples: 5, mean: 100 });
    const ordinary = baselines.judge('a', 102, settings);
    expect(ordinary).toMatchObject({ spike: false, samples: 5 });
    expect(baselines.judge('a', 100, settings).samples).toBe(6);
  });

  it('floors the standard deviation: a perfectly steady agent does not flag a slightly longer turn', () => {
    const baselines = warmed([100, 100, 100, 100, 100]);
    const judged = baselines.judge('a', 114, settings);
    // std = max(0, 5% of 100, 1) = 5: z = 14 / 5 = 2.8, under 3.
    expect(judged).toMatchObject({ spike: false, std: 5 });
    expect(judged.zScore).toBeCloseTo(2.8);
    expect(warmed([0, 0, 0, 0, 0]).judge('a', 3, settings)).toMatchObject({ spike: false, std: 1, zScore: 3 });
    expect(warmed([0, 0, 0, 0, 0]).judge('a', 4, settings)).toMatchObject({ spike: true, std: 1 });
  });

  it('does not flag a turn below the mean, and never at exactly the threshold', () => {
    expect(warmed([100, 100, 100, 100, 100]).judge('a', 1, settings).spike).toBe(false);
    expect(warmed([100, 100, 100, 100, 100]).judge('a', 115, settings)).toMatchObject({ spike: false, zScore: 3 });
  });

  it('keeps only the last window turns', () => {
    const baselines = warmed(Array.from({ length: 10 }, () => 1_000));
    for (let i = 0; i < 10; i++) baselines.judge('a', 10, settings);
    // The 1000s have left the window: the mean is the last ten 10s, and a full window reports its size.
    expect(baselines.judge('a', 10, settings)).toMatchObject({ mean: 10, samples: 10 });
    expect(baselines.judge('a', 10, settings)).toMatchObject({ mean: 10, samples: 10 });
  });

  it('keeps one baseline per agent', () => {
    const baselines = warmed([100, 100, 100, 100, 100], 'a');
    expect(baselines.judge('b', 10_000, settings)).toMatchObject({ spike: false, samples: 0 });
    expect(baselines.judge('a', 10_000, settings).spike).toBe(true);
  });
});
