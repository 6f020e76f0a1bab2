/** What a model costs, in US dollars per million tokens. */
export interface ModelPrice {
  /** Input tokens that were neither read from nor written to a prompt cache. */
  input: number;
  /** Output tokens, reasoning tokens included. */
  output: number;
  /** Input tokens read from the prompt cache. Default: `input`. */
  cacheRead?: number | undefined;
  /** Input tokens written to the prompt cache. Default: `input`. */
  cacheWrite?: number | undefined;
}

/** The token counts a cost is computed from; `KagedUsage` has them. */
export interface PricedUsage {
  /** All input tokens, cache reads and writes included (as the AI SDK and kaged count them). */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** The cost in USD of `usage` at `price`. */
export function costAt(price: ModelPrice, usage: PricedUsage): number {
  const cacheRead = usage.cacheReadTokens;
  const cacheWrite = usage.cacheWriteTokens;
  const uncached = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const micro =
    uncached * price.input + cacheRead * (price.cacheRead ?? price.input) + cacheWrite * (price.cacheWrite ?? price.input) + usage.outputTokens * price.output;
  return micro / 1_000_000;
}
