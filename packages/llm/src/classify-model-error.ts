import { APICallError } from '@ai-sdk/provider';
import { KagedError, networkFailureOf, safeUrl, scrubSecrets } from '@kaged/core';
import { MissingApiKeyError } from './errors/missing-api-key-error.js';
import { ModelCallError, type ModelCallErrorCode } from './errors/model-call-error.js';
import { ModelTimeoutError } from './errors/model-timeout-error.js';
import { tryParseModelId } from './model-id.js';

export interface ModelErrorContext {
  /** The kaged model id of the call, `<provider>/<model>`. */
  modelId: string;
  /** Environment variable the provider's key may come from (`OPENAI_API_KEY`), for auth messages. */
  apiKeyEnv?: string | undefined;
  /** Retries configured for the call; messages of retryable failures say they persisted. */
  maxRetries?: number | undefined;
  /** The provider's base URL, named when the error itself carries no URL. */
  baseURL?: string | undefined;
  /** Values that must never appear in a message (the API key): replaced by `[redacted]`. */
  secrets?: readonly (string | undefined)[] | undefined;
}

/**
 * Turns whatever a model call threw (the AI SDK's `APICallError`, a retry wrapper, a stream
 * error part, Node's network errors, kaged's timeout) into a `ModelCallError` with a stable
 * `code` and an operator-facing message. Returns `undefined` for errors that are not about
 * calling the model (a tool's bug, a scripted model running out of steps): callers keep their
 * own handling for those. Messages name the provider, the model and, where it helps, the URL
 * (without query string or credentials); they never contain the API key.
 */
export function classifyModelError(error: unknown, context: ModelErrorContext): ModelCallError | undefined {
  const parsed = tryParseModelId(context.modelId);
  const providerName = parsed?.provider ?? context.modelId;
  const modelName = parsed?.model ?? context.modelId;
  const details = { modelId: context.modelId, providerName };
  const redact = (text: string) => scrubSecrets(text, context.secrets ?? []);
  const retried = (retryable: boolean) =>
    retryable && context.maxRetries ? `, still failing after ${context.maxRetries} ${context.maxRetries === 1 ? 'retry' : 'retries'}` : '';
  const keyHint = `${context.apiKeyEnv ? `${context.apiKeyEnv} or ` : ''}providers.${providerName}.apiKey`;

  for (const candidate of causeChain(error)) {
    if (ModelCallError.isInstance(candidate)) return candidate;
    if (ModelTimeoutError.isInstance(candidate)) {
      const timeout = candidate;
      return new ModelCallError(
        'timeout',
        `provider "${providerName}" sent nothing for ${timeout.timeoutMs} ms at ${timeout.url}${retried(true)}: check that the server is up and not overloaded, or raise providers.${providerName}.timeoutMs`,
        { ...details, url: timeout.url },
        { cause: error },
      );
    }
    if (MissingApiKeyError.isInstance(candidate)) {
      return new ModelCallError('missing_api_key', candidate.message, details, { cause: error });
    }
    // Any other kaged error already says what failed (storage unavailable, a watchdog, a tool):
    // its cause may be a network error, but not the provider's, so the chain stops here.
    if (KagedError.isInstance(candidate)) return undefined;
    if (isLoadApiKeyError(candidate)) {
      return new ModelCallError('missing_api_key', `provider "${providerName}" needs an API key: set ${keyHint}`, details, { cause: error });
    }
    const status = statusOf(candidate);
    if (status !== undefined) {
      const url = APICallError.isInstance(candidate) && candidate.url ? safeUrl(candidate.url) : undefined;
      const where = `HTTP ${status}${url ? ` from ${url}` : ''}`;
      const said = serverSaid(candidate, redact);
      const retryable = APICallError.isInstance(candidate) ? candidate.isRetryable : status === 429 || status >= 500;
      const make = (code: ModelCallErrorCode, message: string) => new ModelCallError(code, message, { ...details, statusCode: status, url }, { cause: error });
      if (status === 401) return make('auth_failed', `provider "${providerName}" rejected the API key (${where}): check ${keyHint}`);
      if (status === 403) {
        return make(
          'auth_failed',
          `provider "${providerName}" refused access to model "${modelName}" (${where}): check that the API key (${keyHint}) may use this model${said}`,
        );
      }
      if (status === 404 || isModelNotFound(candidate)) {
        return make(
          'model_not_found',
          `provider "${providerName}" has no model "${modelName}" (${where}): check the model name after "${providerName}/"${context.baseURL !== undefined || url ? ` and providers.${providerName}.baseURL` : ''}${said}`,
        );
      }
      if (status === 429) {
        return make(
          'rate_limited',
          `provider "${providerName}" is rate limiting model "${modelName}" (${where}${retried(retryable)}): wait, send fewer requests, or raise the account's limits${said}`,
        );
      }
      if (status >= 500) {
        return make(
          'provider_unavailable',
          `provider "${providerName}" failed for model "${modelName}" (${where}${retried(retryable)}): the service has a problem; try again later${said}`,
        );
      }
      return make('provider_error', `provider "${providerName}" rejected the call to model "${modelName}" (${where})${said}`);
    }
    const network = networkCodeOf(candidate);
    if (network) {
      const apiError = [...causeChain(error)].find((e) => APICallError.isInstance(e)) as APICallError | undefined;
      const url = apiError?.url ? safeUrl(apiError.url) : context.baseURL ? safeUrl(context.baseURL) : undefined;
      const at = url ? ` at ${url}` : '';
      if (network.code === 'timeout') {
        return new ModelCallError(
          'timeout',
          `provider "${providerName}" timed out${at} (${network.reason}${retried(true)}): check that the server is up, or raise providers.${providerName}.timeoutMs`,
          { ...details, url },
          { cause: error },
        );
      }
      return new ModelCallError(
        'connection_failed',
        `cannot connect to provider "${providerName}"${at} (${network.reason}${retried(true)}): check that the server is running and providers.${providerName}.baseURL`,
        { ...details, url },
        { cause: error },
      );
    }
  }
  // "Cannot connect to API" without a recognised network code.
  const apiError = [...causeChain(error)].find((e) => APICallError.isInstance(e)) as APICallError | undefined;
  if (apiError && apiError.statusCode === undefined) {
    const url = apiError.url ? safeUrl(apiError.url) : undefined;
    return new ModelCallError(
      'connection_failed',
      `cannot connect to provider "${providerName}"${url ? ` at ${url}` : ''} (${redact(apiError.message)}${retried(apiError.isRetryable)}): check that the server is running and providers.${providerName}.baseURL`,
      { ...details, url },
      { cause: error },
    );
  }
  return undefined;
}

/** The error, its `cause`s, and the last error of an AI SDK `RetryError`, outermost first. */
function* causeChain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current) && seen.size < 10) {
    seen.add(current);
    yield current;
    if (typeof current !== 'object') return;
    const record = current as { cause?: unknown; lastError?: unknown; name?: unknown };
    current = record.name === 'AI_RetryError' && record.lastError !== undefined ? record.lastError : record.cause;
  }
}

function statusOf(error: unknown): number | undefined {
  if (APICallError.isInstance(error)) return error.statusCode;
  // Errors that arrive inside a stream (an `error` event mid-answer) are plain objects with a status.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/** A network failure (`@kaged/core`'s reading of Node's, undici's and Bun's codes) as a model call's code. */
function networkCodeOf(error: unknown): { code: ModelCallErrorCode; reason: string } | undefined {
  // Strings are codes to `networkFailureOf`; here only thrown errors count.
  const failure = typeof error === 'object' ? networkFailureOf(error) : undefined;
  if (!failure) return undefined;
  return { code: failure.kind === 'timeout' ? 'timeout' : 'connection_failed', reason: failure.reason };
}

function isLoadApiKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AI_LoadAPIKeyError';
}

/** Some servers answer an unknown model with 400 and a `model_not_found` code rather than 404. */
function isModelNotFound(error: unknown): boolean {
  const body = APICallError.isInstance(error) ? error.responseBody : undefined;
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'model_not_found' || (typeof body === 'string' && /"(code|type)"\s*:\s*"(model_not_found|not_found_error)"/.test(body));
}

/** What the server said about the failure, redacted and kept short, as a sentence suffix. */
function serverSaid(error: unknown, redact: (text: string) => string): string {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string' || message.trim() === '') return '';
  const text = redact(message.trim().replace(/\s+/g, ' '));
  return `. The server said: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`;
}
