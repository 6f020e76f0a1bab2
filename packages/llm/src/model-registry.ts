import type { LanguageModelV4 } from '@ai-sdk/provider';
import { classifyModelError } from './classify-model-error.js';
import { InvalidProviderError } from './errors/invalid-provider-error.js';
import { MissingApiKeyError } from './errors/missing-api-key-error.js';
import type { ModelCallError } from './errors/model-call-error.js';
import { NoSuchProviderError } from './errors/no-such-provider-error.js';
import { parseModelId } from './model-id.js';
import { createAnthropicProvider, type AnthropicSettings } from './providers/anthropic.js';
import { apiKeyEnvOf, builtinProviders, providerTypes, type ProviderType } from './providers/builtin-providers.js';
import type { HttpProviderSettings } from './providers/http-settings.js';
import { createOpenAICompatibleProvider, type OpenAICompatibleSettings } from './providers/openai-compatible.js';
import { createOpenAIProvider, type OpenAISettings } from './providers/openai.js';
import { apiKeyOf, providerMaxRetries } from './providers/provider-rules.js';
import type { ScriptInput } from './providers/scripted/script.js';
import { createScriptedProvider } from './providers/scripted/scripted-provider.js';

export type ProviderSettings =
  | ({ type: 'openai-compatible' } & OpenAICompatibleSettings)
  | ({ type: 'openai' } & OpenAISettings)
  | ({ type: 'anthropic' } & AnthropicSettings)
  | { type: 'scripted'; script: ScriptInput };

export interface ModelRegistryOptions {
  /** Providers by the name model ids use. A name of a built-in provider replaces it. */
  providers?: Record<string, ProviderSettings> | undefined;
  /** Where `OPENAI_API_KEY` and `ANTHROPIC_API_KEY` are read. Default: `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** Offer the built-in names `openai`, `anthropic` and `ollama`. Default: true. */
  builtins?: boolean | undefined;
}

export interface ModelRegistry {
  /** The AI SDK language model for `<provider>/<model>`; throws a typed error when unknown. */
  resolve(modelId: string): LanguageModelV4;
  /** Names of the providers: the configured ones, then the built-in ones not replaced. */
  readonly providerNames: readonly string[];
  /** The type of a provider by name, or `undefined` when there is none. */
  providerType(providerName: string): ProviderType | undefined;
  /**
   * How often a failed call of this model should be retried (the provider's `maxRetries`; 0
   * for scripted models, which have nothing to retry). Give it to whatever runs the model: the
   * AI SDK's `maxRetries`, Mastra's agent `maxRetries`. Throws like `resolve` for unknown ids.
   */
  maxRetriesOf(modelId: string): number;
  /**
   * Classifies an error thrown by a call of this model (see `classifyModelError`), with this
   * provider's key variable, retries and base URL in the message and every key the registry
   * holds redacted (a server may echo another provider's key).
   * `undefined` when the error is not about calling the model.
   */
  describeError(error: unknown, modelId: string): ModelCallError | undefined;
}

interface ProviderEntry {
  type: ProviderType;
  settings: ProviderSettings;
  maxRetries: number;
  apiKey: string | undefined;
  create(): (modelId: string) => LanguageModelV4;
  factory?: (modelId: string) => LanguageModelV4;
}

/**
 * Resolves kaged's `<provider>/<model>` ids. Settings are checked when the registry is created
 * (a provider that cannot work throws `InvalidProviderError`), except a missing API key, which
 * throws `MissingApiKeyError` when a model of that provider is first resolved: an unused
 * built-in provider needs no key. Models are created once per id and reused, so resolving on
 * every turn costs a map lookup.
 */
export function createModelRegistry(options: ModelRegistryOptions = {}): ModelRegistry {
  const env = options.env ?? process.env;
  const entries = new Map<string, ProviderEntry>();
  for (const [name, settings] of Object.entries(options.providers ?? {})) entries.set(name, entryFor(name, settings, env));
  if (options.builtins ?? true) {
    for (const [name, settings] of Object.entries(builtinProviders)) {
      if (!entries.has(name)) entries.set(name, entryFor(name, settings, env));
    }
  }
  const models = new Map<string, LanguageModelV4>();
  const providerNames = [...entries.keys()];
  const apiKeys = [...entries.values()].map((entry) => entry.apiKey);

  const entryOf = (modelId: string) => {
    const { provider, model } = parseModelId(modelId);
    const entry = entries.get(provider);
    if (!entry) throw new NoSuchProviderError(provider, providerNames);
    return { entry, model };
  };

  return {
    providerNames,
    providerType: (name) => entries.get(name)?.type,
    resolve(modelId) {
      const cached = models.get(modelId);
      if (cached) return cached;
      const { entry, model } = entryOf(modelId);
      entry.factory ??= entry.create();
      const created = entry.factory(model);
      models.set(modelId, created);
      return created;
    },
    maxRetriesOf: (modelId) => entryOf(modelId).entry.maxRetries,
    describeError(error, modelId) {
      let entry: ProviderEntry | undefined;
      try {
        entry = entryOf(modelId).entry;
      } catch {
        entry = undefined;
      }
      const http = entry && entry.settings.type !== 'scripted' ? (entry.settings as HttpProviderSettings) : undefined;
      return classifyModelError(error, {
        modelId,
        apiKeyEnv: entry ? apiKeyEnvOf(entry.type) : undefined,
        maxRetries: entry?.maxRetries,
        baseURL: http?.baseURL,
        secrets: apiKeys,
      });
    },
  };
}

function entryFor(name: string, settings: ProviderSettings, env: Record<string, string | undefined>): ProviderEntry {
  switch (settings.type) {
    case 'openai-compatible': {
      // Created at once: it checks the settings, and it makes no request until a model is called.
      const factory = createOpenAICompatibleProvider(name, settings);
      return { type: settings.type, settings, maxRetries: providerMaxRetries(name, settings), apiKey: apiKeyOf(settings, env), create: () => factory, factory };
    }
    case 'openai':
    case 'anthropic': {
      const envVar = apiKeyEnvOf(settings.type)!;
      const apiKey = apiKeyOf(settings, env);
      const createWith = settings.type === 'openai' ? createOpenAIProvider : createAnthropicProvider;
      // Check every other setting now, with a stand-in key, so a bad baseURL is reported at creation.
      createWith(name, { ...settings, apiKey: apiKey ?? 'unset' });
      return {
        type: settings.type,
        settings,
        maxRetries: providerMaxRetries(name, settings),
        apiKey,
        create: () => {
          if (!apiKey) throw new MissingApiKeyError(name, envVar);
          return createWith(name, { ...settings, apiKey });
        },
      };
    }
    case 'scripted': {
      const factory = createScriptedProvider({ name, script: settings.script });
      return { type: settings.type, settings, maxRetries: providerMaxRetries(name, settings), apiKey: undefined, create: () => factory, factory };
    }
    default:
      // Settings often come from plain JavaScript or YAML, where the type is not checked.
      throw new InvalidProviderError(name, `unknown type "${(settings as { type?: unknown }).type}" (types: ${providerTypes.map((t) => `"${t}"`).join(', ')})`);
  }
}
