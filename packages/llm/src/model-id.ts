import { InvalidModelIdError } from './errors/invalid-model-id-error.js';

export interface ParsedModelId {
  provider: string;
  model: string;
}

/**
 * Splits `<provider>/<model>` at the first slash: model names may contain slashes themselves
 * (`openrouter/meta-llama/llama-3.1-8b`).
 */
export function parseModelId(modelId: string): ParsedModelId {
  const slash = modelId.indexOf('/');
  if (slash <= 0 || slash === modelId.length - 1) throw new InvalidModelIdError(modelId);
  return { provider: modelId.slice(0, slash), model: modelId.slice(slash + 1) };
}
