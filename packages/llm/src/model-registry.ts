import type { LanguageModelV4 } from '@ai-sdk/provider';
import { InvalidProviderError } from './errors/invalid-provider-error.js';
import { NoSuchProviderError } from './errors/no-such-provider-error.js';
import { parseModelId } from './model-id.js';
import { createOpenAICompatibleProvider, type OpenAICompatibleSettings } from './providers/openai-compatible.js';
import type { ScriptInput } from './providers/scripted/script.js';
import { createScriptedProvider } from './providers/scripted/scripted-provider.js';

export type ProviderSettings =
  | ({ type: 'openai-compatible' } & OpenAICompatibleSettings)
  | { type: 'scripted'; script: ScriptInput };

export interface ModelRegistry {
  /** The AI SDK language model for `<provider>/<model>`; throws a typed error when unknown. */
  resolve(modelId: string): LanguageModelV4;
  /** Names of the configured providers. */
  readonly providerNames: readonly string[];
}

/**
 * Resolves the project's `<provider>/<model>` ids. Models are created once per id and reused,
 * so resolving on every turn costs a map lookup.
 */
export function createModelRegistry(options: { providers: Record<string, ProviderSettings> }): ModelRegistry {
  const factories = new Map<string, (modelId: string) => LanguageModelV4>();
  for (const [name, settings] of Object.entries(options.providers)) {
    factories.set(name, createProvider(name, settings));
  }
  const models = new Map<string, LanguageModelV4>();
  const providerNames = [...factories.keys()];

  return {
    providerNames,
    resolve(modelId) {
      const cached = models.get(modelId);
      if (cached) return cached;
      const { provider, model } = parseModelId(modelId);
      const factory = factories.get(provider);
      if (!factory) throw new NoSuchProviderError(provider, providerNames);
      const created = factory(model);
      models.set(modelId, created);
      return created;
    },
  };
}

function createProvider(name: string, settings: ProviderSettings): (modelId: string) => LanguageModelV4 {
  switch (settings.type) {
    case 'openai-compatible':
      return createOpenAICompatibleProvider(name, settings);
    case 'scripted':
      return createScriptedProvider({ name, script: settings.script });
    default:
      // Settings often come from plain JavaScript or YAML, where the type is not checked.
      throw new InvalidProviderError(name, `unknown type "${(settings as { type?: unknown }).type}" (types: "openai-compatible", "scripted")`);
  }
}
