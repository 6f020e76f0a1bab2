import { InvalidModelIdError } from './errors/invalid-model-id-error.js';

export interface ParsedModelId {
  provider: string;
  model: string;
}

/**
 * Splits `<provider>/<model>` at the first slash: model names may contain slashes themselves
 * (`openrouter/meta-llama/llama-3.1-8b`). Throws `InvalidModelIdError` for anything else.
 */
export function parseModelId(modelId: string): ParsedModelId {
  const parsed = tryParseModelId(modelId);
  if (!parsed) throw new InvalidModelIdError(modelId);
  return parsed;
}

/** `parseModelId` for places that must not throw (messages, prices, metrics labels): `undefined` when invalid. */
export function tryParseModelId(modelId: string): ParsedModelId | undefined {
  const slash = modelId.indexOf('/');
  if (slash <= 0 || slash === modelId.length - 1) return undefined;
  return { provider: modelId.slice(0, slash), model: modelId.slice(slash + 1) };
}
