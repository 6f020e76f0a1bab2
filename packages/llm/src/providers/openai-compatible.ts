import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { OLLAMA_BASE_URL } from './builtin-providers.js';
import { checkBaseURL, providerFetch, type HttpProviderSettings } from './http-settings.js';

export interface OpenAICompatibleSettings extends HttpProviderSettings {
  /** Base URL of the API, up to and including `/v1`. */
  baseURL: string;
}

/**
 * Ollama, llama.cpp server, vLLM, LM Studio, OpenRouter and other servers that speak the
 * OpenAI Chat Completions protocol.
 */
export function createOpenAICompatibleProvider(name: string, settings: OpenAICompatibleSettings): (modelId: string) => LanguageModelV4 {
  const baseURL = checkBaseURL(name, settings.baseURL, OLLAMA_BASE_URL);
  const provider = createOpenAICompatible({
    name,
    baseURL,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.headers ? { headers: settings.headers } : {}),
    fetch: providerFetch(name, settings),
    // Without it no `stream_options.include_usage` is sent and real servers report no usage.
    includeUsage: true,
  });
  return (modelId) => provider.chatModel(modelId);
}
