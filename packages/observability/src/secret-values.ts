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
  /** A destination that scrubs each serialised line before passing it on. */
  wrap(destination: DestinationStream): DestinationStream {
    const target = destination as DestinationStream & { flush?: (cb?: () => void) => void; flushSync?: () => void };
    return {
      write: (line: string) => target.write(this.scrub(line)),
      ...(target.flush ? { flush: (cb?: () => void) => target.flush!(cb) } : {}),
      ...(target.flushSync ? { flushSync: () => target.flushSync!() } : {}),
    } as DestinationStream;
  }
}
