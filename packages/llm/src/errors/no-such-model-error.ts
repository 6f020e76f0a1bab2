import { KagedLlmError } from './kaged-llm-error.js';

export class NoSuchModelError extends KagedLlmError {
  readonly modelId: string;

  constructor(modelId: string, detail: string) {
    super('unknown_model', `unknown model "${modelId}": ${detail}`);
    this.modelId = modelId;
  }
}
