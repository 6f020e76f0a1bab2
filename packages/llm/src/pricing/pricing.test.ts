import { describe, expect, it, vi } from 'vitest';
import { InvalidPriceError } from '../errors/invalid-price-error.js';
import { BUILTIN_PRICES_DATE, builtinPrices } from './builtin-prices.js';
import { costAt } from './model-price.js';
import { createPricing } from './pricing.js';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheWriteTokens,
});

describe('costAt', () => {
  it('charges uncached input, cache reads, cache writes and output at their own rates (USD per million)', () => {
    const price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
    // 1000 input of which 200 read from and 100 written to the cache; 500 output.
    expect(costAt(price, usage(1000, 500, 200, 100))).toBeCloseTo((700 * 3 + 200 * 0.3 + 100 * 3.75 + 500 * 15) / 1e6, 12);
  });

  it('charges cache reads and writes at the input rate when the price does not say otherwise', () => {
    expect(costAt({ input: 2, output: 4 }, usage(1_000_000, 1_000_000, 400_000, 100_000))).toBe(6);
  });

  it('never counts negative uncached input when a server reports cache counts beyond the total', () => {
    expect(costAt({ input: 1, output: 0, cacheRead: 1 }, usage(10, 0, 20, 0))).toBeCloseTo(20 / 1e6, 12);
  });
});

describe('createPricing', () => {
  it('prefers an exact id over any pattern, and the more specific pattern over the shorter one', () => {
    const pricing = createPricing({
      builtins: false,
      prices: {
        'local/*': { input: 1, output: 1 },
        'local/qwen*': { input: 2, output: 2 },
        'local/qwen2.5-coder*': { input: 3, output: 3 },
        'local/qwen2.5-7b': { input: 4, output: 4 },
      },
    });
    expect(pricing.priceOf('local/llama3')?.input).toBe(1);
    expect(pricing.priceOf('local/qwen3')?.input).toBe(2);
    expect(pricing.priceOf('local/qwen2.5-coder:14b')?.input).toBe(3);
    expect(pricing.priceOf('local/qwen2.5-7b')?.input).toBe(4);
    expect(pricing.priceOf('other/qwen3')).toBeUndefined();
  });

  it('does not depend on the order patterns are written in', () => {
    const a = createPricing({ builtins: false, prices: { 'x/*': { input: 1, output: 1 }, 'x/a*': { input: 2, output: 2 } } });
    const b = createPricing({ builtins: false, prices: { 'x/a*': { input: 2, output: 2 }, 'x/*': { input: 1, output: 1 } } });
    expect(a.priceOf('x/abc')?.input).toBe(2);
    expect(b.priceOf('x/abc')?.input).toBe(2);
  });

  it('matches globs over the whole id: "*" spans slashes, "?" is one character, other characters are literal', () => {
    const pricing = createPricing({
      builtins: false,
      prices: { 'router/*': { input: 1, output: 1 }, 'm/v?': { input: 2, output: 2 }, 'dots/a.b': { input: 3, output: 3 } },
    });
    expect(pricing.priceOf('router/meta-llama/llama-3.1-8b')?.input).toBe(1);
    expect(pricing.priceOf('m/v2')?.input).toBe(2);
    expect(pricing.priceOf('m/v10')).toBeUndefined();
    expect(pricing.priceOf('dots/aXb')).toBeUndefined();
    expect(pricing.priceOf('xrouter/a')).toBeUndefined();
  });

  it('gives null for a model without a price, never a made-up 0, and reports each such model once', () => {
    const onUnknownModel = vi.fn();
    const pricing = createPricing({ prices: { 'ollama/*': { input: 0, output: 0 } }, onUnknownModel });
    expect(pricing.costOf('ollama/llama3.2', usage(100, 100))).toBe(0);
    expect(pricing.costOf('vllm/mistral', usage(100, 100))).toBeNull();
    expect(pricing.costOf('vllm/mistral', usage(5, 5))).toBeNull();
    expect(pricing.costOf('openai/gpt-unknown', usage(5, 5))).toBeNull();
    expect(onUnknownModel.mock.calls).toEqual([['vllm/mistral'], ['openai/gpt-unknown']]);
  });

  it('applies the built-in list prices to openai/… and anthropic/… ids', () => {
    const pricing = createPricing();
    expect(pricing.priceOf('openai/gpt-4o-mini')).toEqual({ input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0.15 });
    expect(pricing.priceOf('anthropic/claude-sonnet-4-5')).toEqual({ input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    expect(pricing.costOf('openai/gpt-4o', usage(1_000_000, 1_000_000))).toBe(12.5);
    // Only what the built-in table lists: no guessing for newer or renamed models.
    expect(pricing.priceOf('openai/gpt-4o-2024-05-13')).toBeUndefined();
    expect(pricing.priceOf('anthropic/claude-sonnet-9')).toBeUndefined();
  });

  it('applies built-in prices to any provider of that type, and to no other', () => {
    const types: Record<string, string> = { work: 'openai', claude: 'anthropic', openai: 'openai-compatible', demo: 'scripted' };
    const pricing = createPricing({ providerType: (name) => types[name] });
    expect(pricing.priceOf('work/gpt-4.1')?.input).toBe(2);
    expect(pricing.priceOf('claude/claude-haiku-4-5')?.output).toBe(5);
    // A provider named "openai" that is really an OpenAI-compatible server is not priced as OpenAI.
    expect(pricing.priceOf('openai/gpt-4.1')).toBeUndefined();
    // A scripted model calls nothing: it costs nothing.
    expect(pricing.costOf('demo/assistant', usage(1000, 1000))).toBe(0);
  });

  it('lets the project override built-in prices, by id or by pattern', () => {
    const pricing = createPricing({
      prices: { 'openai/*': { input: 1, output: 1 }, 'anthropic/claude-haiku-4-5': { input: 0.5, output: 2.5 } },
    });
    expect(pricing.priceOf('openai/gpt-4o')?.input).toBe(1);
    expect(pricing.priceOf('anthropic/claude-haiku-4-5')?.input).toBe(0.5);
    expect(pricing.priceOf('anthropic/claude-sonnet-4-5')?.input).toBe(3);
  });

  it('rejects prices it cannot use', () => {
    expect(() => createPricing({ prices: { 'a/*': { input: -1, output: 1 } } })).toThrow(InvalidPriceError);
    expect(() => createPricing({ prices: { 'a/b': { input: 1 } as never } })).toThrow(
      'price for "a/b": output must be a number >= 0 (USD per million tokens), got null',
    );
    expect(() => createPricing({ prices: { 'a/b': { input: 1, output: 1, cacheRead: Number.NaN } } })).toThrow(
      expect.objectContaining({ code: 'invalid_price' }),
    );
  });

  it('dates the built-in table and keys it by provider type', () => {
    expect(BUILTIN_PRICES_DATE).toMatch(/^\d{4}-\d{2}$/);
    for (const [id, price] of Object.entries(builtinPrices)) {
      expect(id).toMatch(/^(openai|anthropic)\/[a-z0-9.-]+$/);
      expect(price.input).toBeGreaterThan(0);
      expect(price.output).toBeGreaterThanOrEqual(price.input);
    }
  });
});
