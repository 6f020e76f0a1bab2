import { KagedLlmError } from './kaged-llm-error.js';

export class NoSuchProviderError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.NoSuchProviderError';

  readonly providerName: string;
  readonly availableProviders: readonly string[];

  constructor(providerName: string, availableProviders: readonly string[]) {
    const known = availableProviders.length > 0 ? availableProviders.map((p) => `"${p}"`).join(', ') : 'none';
    super('unknown_provider', `unknown provider "${providerName}" (providers: ${known})`);
    this.providerName = providerName;
    this.availableProviders = availableProviders;
  }
}
