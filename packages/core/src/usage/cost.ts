/**
 * The sum of several costs in USD, rounded; `null` as soon as one is unknown: an unknown price
 * makes the total unknown, never a made-up 0.
 */
export function sumCosts(costs: Iterable<number | null>): number | null {
  let total = 0;
  for (const cost of costs) {
    if (cost === null) return null;
    total += cost;
  }
  return roundCost(total);
}

/** A cost fit to show: sub-nano-dollar float noise (0.1 + 0.2) removed. */
export function roundCost(cost: number | null): number | null {
  return cost === null ? null : Math.round(cost * 1e12) / 1e12;
}
