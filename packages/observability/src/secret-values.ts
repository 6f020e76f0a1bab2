import { SecretScrubber } from '@kaged/core';
import type { DestinationStream } from 'pino';

/**
 * The secret values a process knows (API keys, tokens), censored wherever they appear in a log
 * line — in a message, an error's stack, a provider's echoed response body — not only under
 * secret-looking keys; credential-shaped text (`Bearer …`, `api_key=…`, `sk-…`) goes too.
 * `@kaged/core`'s `SecretScrubber` (one regular-expression pass per line, however many values)
 * plus `wrap()`, which puts it in front of a pino destination. Values can be added while the
 * process runs (a project reload).
 */
export class SecretValues extends SecretScrubber {
  // pino's multistream hands the same line to every wrapped destination (stdout, the log ring)
  // in turn: the last result is kept so that the line is scrubbed once, not once per stream.
  // Values only ever grow, so the count tells whether the result is still valid.
  #lastLine: string | undefined;
  #lastScrubbed = '';
  #lastSize = -1;

  /** A destination that scrubs each serialised line before passing it on. */
  wrap(destination: DestinationStream): DestinationStream {
    const target = destination as DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void };
    return {
      write: (line: string) => target.write(this.#scrubLine(line)),
      ...(target.flush ? { flush: (cb?: () => void) => target.flush!(cb) } : {}),
      ...(target.flushSync ? { flushSync: () => target.flushSync!() } : {}),
    } as DestinationStream;
  }

  #scrubLine(line: string): string {
    if (line !== this.#lastLine || this.size !== this.#lastSize) {
      this.#lastLine = line;
      this.#lastSize = this.size;
      this.#lastScrubbed = this.scrub(line);
    }
    return this.#lastScrubbed;
  }
}
