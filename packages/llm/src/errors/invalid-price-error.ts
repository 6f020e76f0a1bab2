import { KagedLlmError } from './kaged-llm-error.js';

/** A price entry that cannot be used: a negative or missing rate. */
export class InvalidPriceError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.InvalidPriceError';

  readonly pattern: string;

  constructor(pattern: string, problem: string) {
    super('invalid_price', `price for "${pattern}": ${problem}`);
    this.pattern = pattern;
  }
}
