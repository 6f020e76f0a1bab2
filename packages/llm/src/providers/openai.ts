import { createOpenAI } from '@ai-sdk/openai';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { MissingApiKeyError } from '../errors/missing-api-key-error.js';
import { checkBaseURL, providerFetch, type HttpProviderSettings } from './http-settings.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const OPENAI_API_KEY_ENV = 'OPENAI_API_KEY';

export type OpenAISettings = HttpProviderSettings;

/**
 * OpenAI's own API through `@ai-sdk/openai`, which knows OpenAI's models (reasoning models get
 * `developer` messages and `max_completion_tokens`, reasoning tokens are reported). kaged uses
 * the Chat Completions API: one protocol for every model it prices, and the one the
 * `openai-compatible` type speaks too. `settings.apiKey` is required here; the model registry
 * fills it from `OPENAI_API_KEY`.
 */
export function createOpenAIProvider(name: string, settings: OpenAISettings): (modelId: string) => LanguageModelV4 {
  if (!settings.apiKey) throw new MissingApiKeyError(name, OPENAI_API_KEY_ENV);
  const provider = createOpenAI({
    // Always explicit: otherwise the SDK reads OPENAI_BASE_URL from the process environment.
    baseURL: checkBaseURL(name, settings.baseURL ?? OPENAI_BASE_URL, OPENAI_BASE_URL),
    apiKey: settings.apiKey,
    ...(settings.headers ? { headers: settings.headers } : {}),
    fetch: providerFetch(name, settings),
  });
  return (modelId) => provider.chat(modelId);
}
