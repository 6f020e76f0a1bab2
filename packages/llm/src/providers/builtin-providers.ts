import { ANTHROPIC_API_KEY_ENV } from './anthropic.js';
import { OPENAI_API_KEY_ENV } from './openai.js';

/** The provider types kaged knows. */
export type ProviderType = 'openai-compatible' | 'openai' | 'anthropic' | 'scripted';

export const providerTypes: readonly ProviderType[] = ['openai-compatible', 'openai', 'anthropic', 'scripted'];

/** The local Ollama server's OpenAI-compatible API. */
export const OLLAMA_BASE_URL = 'http://127.0.0.1:11434/v1';

/**
 * Provider names that work without configuration: `openai/…` and `anthropic/…` (keys from
 * `OPENAI_API_KEY` / `ANTHROPIC_API_KEY`) and `ollama/…` (the local Ollama server). A configured
 * provider of the same name replaces the built-in one.
 */
export const builtinProviders = {
  openai: { type: 'openai' },
  anthropic: { type: 'anthropic' },
  ollama: { type: 'openai-compatible', baseURL: OLLAMA_BASE_URL },
} as const satisfies Record<string, { type: ProviderType; baseURL?: string }>;

/** The environment variable a provider type takes its API key from, if it needs one. */
export function apiKeyEnvOf(type: ProviderType | string): string | undefined {
  if (type === 'openai') return OPENAI_API_KEY_ENV;
  if (type === 'anthropic') return ANTHROPIC_API_KEY_ENV;
  return undefined;
}
