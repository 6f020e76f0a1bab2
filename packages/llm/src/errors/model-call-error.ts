import { KagedLlmError } from './kaged-llm-error.js';

/** Stable codes of a failed model call; `turn.error` carries them. */
export type ModelCallErrorCode =
  | 'auth_failed'
  | 'rate_limited'
  | 'provider_unavailable'
  | 'connection_failed'
  | 'timeout'
  | 'model_not_found'
  | 'missing_api_key'
  | 'provider_error';

/**
 * A model call that failed, classified: a stable `code` and a message that names the provider
 * (and the URL where it helps) and says what to do. Messages never contain API keys or
 * authorization headers. See `classifyModelError`.
 */
export class ModelCallError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.ModelCallError';

  declare readonly code: ModelCallErrorCode;
  /** The kaged model id, `<provider>/<model>`. */
  readonly modelId: string;
  readonly providerName: string;
  /** HTTP status of the provider's answer, when there was one. */
  readonly statusCode: number | undefined;
  /** The request URL without query string or credentials, when known. */
  readonly url: string | undefined;

  constructor(
    code: ModelCallErrorCode,
    message: string,
    details: { modelId: string; providerName: string; statusCode?: number | undefined; url?: string | undefined },
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.modelId = details.modelId;
    this.providerName = details.providerName;
    this.statusCode = details.statusCode;
    this.url = details.url;
  }
}
