import { KagedLlmError } from './kaged-llm-error.js';

export class InvalidModelIdError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.InvalidModelIdError';

  readonly modelId: string;

  constructor(modelId: string) {
    super('invalid_model_id', `invalid model id "${modelId}": expected "<provider>/<model>", for example "ollama/llama3.2"`);
    this.modelId = modelId;
  }
}
