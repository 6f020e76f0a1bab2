import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV4 } from '@ai-sdk/provider';

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
