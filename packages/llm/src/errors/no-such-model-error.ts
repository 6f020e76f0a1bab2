import { KagedLlmError } from './kaged-llm-error.js';

export class NoSuchModelError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.NoSuchModelError';

  readonly modelId: string;

  constructor(modelId: string, detail: string) {
    super('unknown_model', `unknown model "${modelId}": ${detail}`);
    this.modelId = modelId;
  }
}
