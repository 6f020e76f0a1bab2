import { InvalidPriceError } from '../errors/invalid-price-error.js';
import { tryParseModelId } from '../model-id.js';
import { builtinPrices } from './builtin-prices.js';
import { costAt, type ModelPrice, type PricedUsage } from './model-price.js';

export interface PricingOptions {
  /**
   * Prices by model id (`ollama/llama3.2`) or glob pattern (`ollama/*`, `local/qwen*`; `*` is
   * any run of characters, `/` included, `?` one character). They win over the built-in table.
   */
  prices?: Record<string, ModelPrice> | undefined;
  /** Use the built-in OpenAI and Anthropic list prices. Default: true. */
  builtins?: boolean | undefined;
  /**
   * The type of a provider by name (`ModelRegistry.providerType`), so the built-in prices also
   * apply to, say, a provider `work` of type `openai`, and models of `scripted` providers
   * cost 0. Default: only the names `openai` and `anthropic`, meaning their own types.
   */
  providerType?: ((providerName: string) => string | undefined) | undefined;
  /** Called once per model id that has no price (to log a warning). */
  onUnknownModel?: ((modelId: string) => void) | undefined;
}

export interface Pricing {
  /** The price that applies to a model id, defaults filled in; `undefined` when none does. */
  priceOf(modelId: string): Required<ModelPrice> | undefined;
  /** The cost in USD of `usage` on this model; `null` when its price is unknown (never a made-up 0). */
  costOf(modelId: string, usage: PricedUsage): number | null;
}

interface PriceTable {
  exact: Map<string, ModelPrice>;
  /** Most specific first: more literal characters, then longer, then declaration order. */
  patterns: { pattern: RegExp; price: ModelPrice }[];
}

/** Prices models: project prices first (exact id, then the most specific pattern), then the built-in table. */
export function createPricing(options: PricingOptions = {}): Pricing {
  const project = tableOf(options.prices ?? {});
  const builtin = tableOf(options.builtins === false ? {} : builtinPrices);
  const providerType = options.providerType ?? ((name: string) => (name === 'openai' || name === 'anthropic' ? name : undefined));
  const warned = new Set<string>();
  const cache = new Map<string, Required<ModelPrice> | undefined>();

  function lookup(modelId: string): Required<ModelPrice> | undefined {
    let price = find(project, modelId);
    if (!price) {
      const parsed = tryParseModelId(modelId);
      const type = parsed ? providerType(parsed.provider) : undefined;
      // A scripted model calls nothing and spends nothing: its price is known, and it is 0.
      if (type === 'scripted') price = { input: 0, output: 0 };
      else if (type && parsed) price = find(builtin, `${type}/${parsed.model}`);
    }
    return price && { input: price.input, output: price.output, cacheRead: price.cacheRead ?? price.input, cacheWrite: price.cacheWrite ?? price.input };
  }

  const priceOf = (modelId: string) => {
    if (!cache.has(modelId)) cache.set(modelId, lookup(modelId));
    return cache.get(modelId);
  };

  return {
    priceOf,
    costOf(modelId, usage) {
      const price = priceOf(modelId);
      if (price) return costAt(price, usage);
      if (!warned.has(modelId)) {
        warned.add(modelId);
        options.onUnknownModel?.(modelId);
      }
      return null;
    },
  };
}

function find(table: PriceTable, modelId: string): ModelPrice | undefined {
  return table.exact.get(modelId) ?? table.patterns.find((p) => p.pattern.test(modelId))?.price;
}

function tableOf(prices: Readonly<Record<string, ModelPrice>>): PriceTable {
  const exact = new Map<string, ModelPrice>();
  const patterns: { pattern: RegExp; price: ModelPrice; literal: number; length: number; order: number }[] = [];
  Object.entries(prices).forEach(([key, price], order) => {
    checkPrice(key, price);
    if (!/[*?]/.test(key)) exact.set(key, price);
    else patterns.push({ pattern: globToRegExp(key), price, literal: key.replace(/[*?]/g, '').length, length: key.length, order });
  });
  patterns.sort((a, b) => b.literal - a.literal || b.length - a.length || a.order - b.order);
  return { exact, patterns };
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's');
}

function checkPrice(key: string, price: ModelPrice): void {
  if (typeof price !== 'object' || price === null) throw new InvalidPriceError(key, 'expected { input, output, cacheRead?, cacheWrite? }');
  for (const field of ['input', 'output', 'cacheRead', 'cacheWrite'] as const) {
    const value = price[field];
    const required = field === 'input' || field === 'output';
    if (value === undefined && !required) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidPriceError(key, `${field} must be a number >= 0 (USD per million tokens), got ${JSON.stringify(value ?? null)}`);
    }
  }
}
