export { createModelRegistry } from './model-registry.js';
export type { ModelRegistry, ModelRegistryOptions, ProviderSettings } from './model-registry.js';
export { parseModelId, tryParseModelId } from './model-id.js';
export type { ParsedModelId } from './model-id.js';
export { apiKeyEnvOf, builtinProviders, OLLAMA_BASE_URL, providerTypes } from './providers/builtin-providers.js';
export type { ProviderType } from './providers/builtin-providers.js';
export { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, MAX_RETRIES_LIMIT, MAX_TIMEOUT_MS } from './providers/http-settings.js';
export type { HttpProviderSettings } from './providers/http-settings.js';
export { apiKeyOf, providerMaxRetries, providerSettingsOf } from './providers/provider-rules.js';
export type { BuiltinProviderSettings } from './providers/provider-rules.js';
export {
  anthropicSettingsSchema,
  httpSettingsShape,
  openAICompatibleSettingsSchema,
  openAISettingsSchema,
  providerSettingsSchema,
  scriptedSettingsSchema,
} from './providers/provider-schema.js';
export type { ProviderFileSettings } from './providers/provider-schema.js';
export { createOpenAICompatibleProvider } from './providers/openai-compatible.js';
export type { OpenAICompatibleSettings } from './providers/openai-compatible.js';
export { createOpenAIProvider, OPENAI_API_KEY_ENV, OPENAI_BASE_URL } from './providers/openai.js';
export type { OpenAISettings } from './providers/openai.js';
export { ANTHROPIC_API_KEY_ENV, ANTHROPIC_BASE_URL, createAnthropicProvider } from './providers/anthropic.js';
export type { AnthropicSettings } from './providers/anthropic.js';
export { createScriptedProvider } from './providers/scripted/scripted-provider.js';
export { ScriptedLanguageModel } from './providers/scripted/scripted-language-model.js';
export { scriptSchema } from './providers/scripted/script.js';
export type { Script, ScriptInput, ScriptRule, ScriptStep } from './providers/scripted/script.js';
export { createTimeoutFetch } from './http/timeout-fetch.js';
export type { FetchFunction } from './http/timeout-fetch.js';
export { classifyModelError } from './classify-model-error.js';
export type { ModelErrorContext } from './classify-model-error.js';
export { addUsage, emptyUsage, fromFlatUsage, fromProviderUsage } from './usage.js';
export type { FlatUsage, KagedUsage } from './usage.js';
export { createPricing } from './pricing/pricing.js';
export type { Pricing, PricingOptions } from './pricing/pricing.js';
export { BUILTIN_PRICES_DATE, builtinPrices } from './pricing/builtin-prices.js';
export { costAt } from './pricing/model-price.js';
export { priceSchema } from './pricing/price-schema.js';
export type { ModelPrice, PricedUsage } from './pricing/model-price.js';
export { KagedLlmError } from './errors/kaged-llm-error.js';
export { InvalidModelIdError } from './errors/invalid-model-id-error.js';
export { InvalidPriceError } from './errors/invalid-price-error.js';
export { InvalidProviderError } from './errors/invalid-provider-error.js';
export { MissingApiKeyError } from './errors/missing-api-key-error.js';
export { ModelCallError } from './errors/model-call-error.js';
export type { ModelCallErrorCode } from './errors/model-call-error.js';
export { ModelTimeoutError } from './errors/model-timeout-error.js';
export { NoSuchModelError } from './errors/no-such-model-error.js';
export { NoSuchProviderError } from './errors/no-such-provider-error.js';
export { ScriptExhaustedError } from './errors/script-exhausted-error.js';
