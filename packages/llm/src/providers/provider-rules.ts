import type { AnthropicSettings } from './anthropic.js';
import { apiKeyEnvOf, builtinProviders } from './builtin-providers.js';
import { maxRetriesOf, type HttpProviderSettings } from './http-settings.js';
import type { OpenAICompatibleSettings } from './openai-compatible.js';
import type { OpenAISettings } from './openai.js';

/** The settings of a built-in provider (`builtinProviders`), typed as the settings of its type. */
export type BuiltinProviderSettings =
  | ({ type: 'openai' } & OpenAISettings)
  | ({ type: 'anthropic' } & AnthropicSettings)
  | ({ type: 'openai-compatible' } & OpenAICompatibleSettings);

/**
 * The settings of the provider called `name`: the configured ones, else the built-in provider of
 * that name (`openai`, `anthropic`, `ollama`), else `undefined`. The model registry's lookup, for
 * code that checks settings before it creates a registry (a project loader reporting positions).
 */
export function providerSettingsOf<T>(name: string, providers: Readonly<Record<string, T>>): T | BuiltinProviderSettings | undefined {
  if (Object.hasOwn(providers, name)) return providers[name];
  return Object.hasOwn(builtinProviders, name) ? (builtinProviders[name as keyof typeof builtinProviders] as BuiltinProviderSettings) : undefined;
}

/** A provider's API key: its `apiKey` setting, else its type's environment variable (`OPENAI_API_KEY`); scripted providers have none. */
export function apiKeyOf(settings: { type: string; apiKey?: string | undefined }, env: Record<string, string | undefined>): string | undefined {
  if (settings.type === 'scripted') return undefined;
  const envVar = apiKeyEnvOf(settings.type);
  return settings.apiKey || (envVar ? env[envVar] : undefined) || undefined;
}

/**
 * How often a failed call of this provider's models is retried: its `maxRetries`, default
 * `DEFAULT_MAX_RETRIES`; 0 for scripted providers, which call nothing, so a retry would only
 * replay the same failure. Throws `InvalidProviderError` for a value out of bounds.
 */
export function providerMaxRetries(name: string, settings: { type: string } & Pick<HttpProviderSettings, 'maxRetries'>): number {
  return settings.type === 'scripted' ? 0 : maxRetriesOf(name, settings);
}
