import { safeUrl } from '@kaged/core';
import { ModelTimeoutError } from '../errors/model-timeout-error.js';

export type FetchFunction = typeof globalThis.fetch;

/**
 * Wraps `fetch` so that a server which stays silent for `timeoutMs` fails the call with a
 * `ModelTimeoutError` naming the URL. The clock runs until the response headers arrive, then
 * restarts at every chunk of the body: a long streamed answer is fine as long as it keeps
 * coming, a stalled one is cut. The caller's own abort signal keeps working and wins.
 */
export function createTimeoutFetch(timeoutMs: number, baseFetch?: FetchFunction): FetchFunction {
  return async (input, init) => {
    const url = safeUrl(input instanceof Request ? input.url : input);
    const controller = new AbortController();
    const timeoutError = new ModelTimeoutError(url, timeoutMs);
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(timeoutError), timeoutMs);
      timer.unref?.();
    };
    const outer = init?.signal ?? undefined;
    const onOuterAbort = () => controller.abort(outer!.reason);
    const cleanUp = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    // The error to surface: ours when our clock fired, otherwise whatever fetch threw.
    const mapError = (error: unknown) => (controller.signal.reason === timeoutError ? timeoutError : error);

    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    arm();

    let response: Response;
    try {
      // The global is looked up per call, so an application that replaces it is honoured.
      response = await (baseFetch ?? globalThis.fetch)(input, { ...init, signal: controller.signal });
    } catch (error) {
      cleanUp();
      throw mapError(error);
    }
    if (!response.body) {
      cleanUp();
      return response;
    }

    arm();
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            cleanUp();
            stream.close();
            return;
          }
          arm();
          stream.enqueue(value);
        } catch (error) {
          cleanUp();
          stream.error(mapError(error));
        }
      },
      async cancel(reason) {
        cleanUp();
        await reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
