import { KagedLlmError } from './kaged-llm-error.js';

/** A provider that needs an API key has none: neither in its settings nor in its environment variable. */
export class MissingApiKeyError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.MissingApiKeyError';

  readonly providerName: string;
  /** The environment variable the key may come from, e.g. `OPENAI_API_KEY`. */
  readonly envVar: string;

  constructor(providerName: string, envVar: string) {
    super('missing_api_key', `provider "${providerName}" needs an API key: set ${envVar} or providers.${providerName}.apiKey`);
    this.providerName = providerName;
    this.envVar = envVar;
  }
}
