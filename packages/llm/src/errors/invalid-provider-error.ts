import { KagedLlmError } from './kaged-llm-error.js';

/** A provider's settings cannot work: an unknown type, a missing base URL, an invalid script. */
export class InvalidProviderError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.InvalidProviderError';

  readonly providerName: string;

  constructor(providerName: string, problem: string, options?: { cause?: unknown }) {
    super('invalid_provider', `provider "${providerName}": ${problem}`, options);
    this.providerName = providerName;
  }
}
