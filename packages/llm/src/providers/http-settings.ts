import { InvalidProviderError } from '../errors/invalid-provider-error.js';
import { createTimeoutFetch, type FetchFunction } from '../http/timeout-fetch.js';

/** Settings every provider that calls a model server over HTTP accepts. */
export interface HttpProviderSettings {
  /** Base URL of the API, up to and including `/v1`. */
  baseURL?: string | undefined;
  apiKey?: string | undefined;
  /** Extra HTTP headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /**
   * How long the server may stay silent, in milliseconds: until the response starts, and
   * between two chunks of a streamed response. Default `DEFAULT_TIMEOUT_MS` (5 minutes).
   */
  timeoutMs?: number | undefined;
  /**
   * How often a failed call (429, 5xx, connection errors, timeouts) is retried. The model does
   * not retry by itself: the caller (the AI SDK's `maxRetries`, Mastra's agent `maxRetries`)
   * does; `ModelRegistry.maxRetriesOf()` reports this value for it. Default `DEFAULT_MAX_RETRIES`.
   */
  maxRetries?: number | undefined;
  /** The `fetch` to use (tests, proxies). The timeout wraps it. */
  fetch?: FetchFunction | undefined;
}

/** Default of `timeoutMs`: generous, because a local server may first load the model from disk. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Default of `maxRetries` for providers that call a server. */
export const DEFAULT_MAX_RETRIES = 2;
/** Largest `timeoutMs`: setTimeout fires at once for delays beyond a signed 32-bit int. */
export const MAX_TIMEOUT_MS = 2_147_483_647;
/** Largest `maxRetries`: more would hold a failing turn open for minutes. */
export const MAX_RETRIES_LIMIT = 10;

/** Checks a base URL; throws `InvalidProviderError` naming the provider. */
export function checkBaseURL(name: string, baseURL: string | undefined, example: string): string {
  if (!baseURL || !URL.canParse(baseURL) || !/^https?:$/.test(new URL(baseURL).protocol)) {
    throw new InvalidProviderError(name, `baseURL must be an http(s) URL such as ${example}, got ${JSON.stringify(baseURL ?? null)}`);
  }
  return baseURL;
}

/** The fetch a provider uses: the configured one (or the global) behind the silence timeout. */
export function providerFetch(name: string, settings: HttpProviderSettings): FetchFunction {
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new InvalidProviderError(
      name,
      `timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(settings.timeoutMs)}`,
    );
  }
  return createTimeoutFetch(timeoutMs, settings.fetch);
}

/** Checks `maxRetries` and applies its default. */
export function maxRetriesOf(name: string, settings: HttpProviderSettings): number {
  const maxRetries = settings.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > MAX_RETRIES_LIMIT) {
    throw new InvalidProviderError(name, `maxRetries must be a whole number from 0 to ${MAX_RETRIES_LIMIT}, got ${JSON.stringify(settings.maxRetries)}`);
  }
  return maxRetries;
}
