import type { ModelPrice } from './model-price.js';

/**
 * List prices of OpenAI and Anthropic models, USD per million tokens, as published on
 * openai.com/api/pricing and anthropic.com/pricing — a snapshot taken in November 2025 (no
 * network access at build time: kaged cannot refresh them). Projects override any of them in
 * `pricing:`. Keys are `<provider type>/<model>`; they apply to every provider of that type.
 *
 * Only exact ids are listed, never patterns: a new model gets no price (and a warning) rather
 * than a guessed one. Not modelled: Anthropic's long-context rates (Sonnet 4/4.5 above 200k
 * input tokens), 1-hour cache writes, batch and flex/priority tiers. OpenAI charges nothing
 * extra for cache writes and reports none, so `cacheWrite` is left at the input rate.
 */
const table: [ids: string[], price: ModelPrice][] = [
  // OpenAI: input / cached input / output
  [['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-2024-11-20'], { input: 2.5, cacheRead: 1.25, output: 10 }],
  [['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], { input: 0.15, cacheRead: 0.075, output: 0.6 }],
  [['gpt-4.1', 'gpt-4.1-2025-04-14'], { input: 2, cacheRead: 0.5, output: 8 }],
  [['gpt-4.1-mini', 'gpt-4.1-mini-2025-04-14'], { input: 0.4, cacheRead: 0.1, output: 1.6 }],
  [['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14'], { input: 0.1, cacheRead: 0.025, output: 0.4 }],
  [['gpt-5', 'gpt-5-2025-08-07'], { input: 1.25, cacheRead: 0.125, output: 10 }],
  [['gpt-5-mini', 'gpt-5-mini-2025-08-07'], { input: 0.25, cacheRead: 0.025, output: 2 }],
  [['gpt-5-nano', 'gpt-5-nano-2025-08-07'], { input: 0.05, cacheRead: 0.005, output: 0.4 }],
  [['o3', 'o3-2025-04-16'], { input: 2, cacheRead: 0.5, output: 8 }],
  [['o4-mini', 'o4-mini-2025-04-16'], { input: 1.1, cacheRead: 0.275, output: 4.4 }],
  [['o3-mini', 'o3-mini-2025-01-31'], { input: 1.1, cacheRead: 0.55, output: 4.4 }],
  [['o1', 'o1-2024-12-17'], { input: 15, cacheRead: 7.5, output: 60 }],
  // Anthropic: input / output / 5-minute cache write / cache read
  [['claude-opus-4-5', 'claude-opus-4-5-20251101'], { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 }],
  [['claude-opus-4-1', 'claude-opus-4-1-20250805', 'claude-opus-4-0', 'claude-opus-4-20250514'], { input: 15, output: 75, cacheWrite: 18.75, cacheRead: 1.5 }],
  [
    [
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-4-0',
      'claude-sonnet-4-20250514',
      'claude-3-7-sonnet-latest',
      'claude-3-7-sonnet-20250219',
      'claude-3-5-sonnet-latest',
      'claude-3-5-sonnet-20241022',
      'claude-3-5-sonnet-20240620',
    ],
    { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  ],
  [['claude-haiku-4-5', 'claude-haiku-4-5-20251001'], { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 }],
  [['claude-3-5-haiku-latest', 'claude-3-5-haiku-20241022'], { input: 0.8, output: 4, cacheWrite: 1, cacheRead: 0.08 }],
  [['claude-3-haiku-20240307'], { input: 0.25, output: 1.25, cacheWrite: 0.3, cacheRead: 0.03 }],
];

const vendorOf = (id: string) => (id.startsWith('claude-') ? 'anthropic' : 'openai');

/** The built-in prices by `<provider type>/<model>`. */
export const builtinPrices: Readonly<Record<string, Readonly<ModelPrice>>> = Object.freeze(
  Object.fromEntries(table.flatMap(([ids, price]) => ids.map((id) => [`${vendorOf(id)}/${id}`, Object.freeze({ ...price })]))),
);

/** When the built-in prices were copied from the providers' pricing pages. */
export const BUILTIN_PRICES_DATE = '2025-11';
