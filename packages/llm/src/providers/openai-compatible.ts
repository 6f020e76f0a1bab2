import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV4 } from '@ai-sdk/provider';
import { InvalidProviderError } from '../errors/invalid-provider-error.js';

export interface OpenAICompatibleSettings {
  /** Base URL of the API, up to and including `/v1`. */
  baseURL: string;
  apiKey?: string | undefined;
  headers?: Record<string, string> | undefined;
}

/**
 * Ollama, llama.cpp server, vLLM, LM Studio, OpenRouter and other servers that speak the
 * OpenAI Chat Completions protocol.
 */
export function createOpenAICompatibleProvider(name: string, settings: OpenAICompatibleSettings): (modelId: string) => LanguageModelV4 {
  if (!settings.baseURL || !URL.canParse(settings.baseURL) || !/^https?:$/.test(new URL(settings.baseURL).protocol)) {
    throw new InvalidProviderError(name, `baseURL must be an http(s) URL such as http://127.0.0.1:11434/v1, got ${JSON.stringify(settings.baseURL ?? null)}`);
  }
  const provider = createOpenAICompatible({
    name,
    baseURL: settings.baseURL,
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.headers ? { headers: settings.headers } : {}),
    // Without it no `stream_options.include_usage` is sent and real servers report no usage.
    includeUsage: true,
  });
  return (modelId) => provider.chatModel(modelId);
}
