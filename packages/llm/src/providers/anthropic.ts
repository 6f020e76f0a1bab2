import { createAnthropic } from '@ai-sdk/anthropic';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { MissingApiKeyError } from '../errors/missing-api-key-error.js';
import { checkBaseURL, providerFetch, type HttpProviderSettings } from './http-settings.js';

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
export const ANTHROPIC_API_KEY_ENV = 'ANTHROPIC_API_KEY';

export type AnthropicSettings = HttpProviderSettings;

/**
 * Anthropic's Messages API through `@ai-sdk/anthropic`. The key is sent as `x-api-key`.
 * `settings.apiKey` is required here; the model registry fills it from `ANTHROPIC_API_KEY`.
 */
export function createAnthropicProvider(name: string, settings: AnthropicSettings): (modelId: string) => LanguageModelV4 {
  if (!settings.apiKey) throw new MissingApiKeyError(name, ANTHROPIC_API_KEY_ENV);
  const provider = createAnthropic({
    // Always explicit: otherwise the SDK reads ANTHROPIC_BASE_URL from the process environment.
    baseURL: checkBaseURL(name, settings.baseURL ?? ANTHROPIC_BASE_URL, ANTHROPIC_BASE_URL),
    apiKey: settings.apiKey,
    ...(settings.headers ? { headers: settings.headers } : {}),
    fetch: providerFetch(name, settings),
  });
  return (modelId) => provider.messages(modelId);
}
