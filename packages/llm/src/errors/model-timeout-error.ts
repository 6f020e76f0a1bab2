import { KagedLlmError } from './kaged-llm-error.js';

/**
 * A model server sent nothing for `timeoutMs`: no response headers, or no further bytes of a
 * streamed response. Thrown by the fetch wrapper every real provider uses.
 */
export class ModelTimeoutError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.ModelTimeoutError';

  /** The request URL, without query string or credentials. */
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, timeoutMs: number) {
    super('timeout', `no answer from ${url} within ${timeoutMs} ms`);
    this.url = url;
    this.timeoutMs = timeoutMs;
  }
}
