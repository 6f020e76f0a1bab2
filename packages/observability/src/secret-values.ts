import type { DestinationStream } from 'pino';
import { CENSOR } from './redact-secrets.js';

/** Shorter values would censor ordinary words. */
const MIN_LENGTH = 8;

/**
 * The secret values a process knows (API keys, tokens), censored wherever they appear in a log
 * line — in a message, an error's stack, a provider's echoed response body — not only under
 * secret-looking keys. Values can be added while the process runs (a project reload).
 */
export class SecretValues {
  #values: string[] = [];

  /** Adds values to censor; empty and short ones are ignored. */
  add(...values: (string | undefined | null)[]): void {
    for (const value of values) {
      if (typeof value === 'string' && value.length >= MIN_LENGTH && !this.#values.includes(value)) {
        // Longest first, so a value containing another is censored whole.
        this.#values = [...this.#values, value].sort((a, b) => b.length - a.length);
      }
    }
  }

  get size(): number {
    return this.#values.length;
  }

  /** `text` with every known secret value replaced by `[redacted]`. */
  scrub(text: string): string {
    let result = text;
    for (const value of this.#values) if (result.includes(value)) result = result.split(value).join(CENSOR);
    return result;
  }

  /** A destination that scrubs each serialised line before passing it on. */
  wrap(destination: DestinationStream): DestinationStream {
    const target = destination as DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void };
    return {
      write: (line: string) => target.write(this.#values.length === 0 ? line : this.scrub(line)),
      ...(target.flush ? { flush: (cb?: () => void) => target.flush!(cb) } : {}),
      ...(target.flushSync ? { flushSync: () => target.flushSync!() } : {}),
    } as DestinationStream;
  }
}
