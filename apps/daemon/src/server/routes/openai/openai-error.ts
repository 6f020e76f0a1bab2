import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The error body of the OpenAI API, which chat clients know how to show. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/** OpenAI's error `type` for a status: clients show the message, some branch on the type. */
export function openAiErrorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  return 'invalid_request_error';
}

export function openAiError(c: Context, status: ContentfulStatusCode, code: string, message: string, param: string | null = null): Response {
  const body: OpenAiErrorBody = { error: { message, type: openAiErrorType(status), param, code } };
  return c.json(body, status);
}

// Model-call failures (see @kaged/llm's classifyModelError): the provider behind the agent failed,
// so kaged is a gateway that got a bad answer.
const badGateway = new Set([
  'auth_failed',
  'model_not_found',
  'provider_unavailable',
  'connection_failed',
  'missing_api_key',
  'provider_error',
  'script_exhausted',
  'unknown_provider',
  'unknown_model',
  'invalid_provider',
  'invalid_model_id',
]);

/** The HTTP status for a failed turn, from its `turn.error` code. */
export function statusOfTurnError(code: string): ContentfulStatusCode {
  if (code === 'rate_limited') return 429;
  if (code === 'timeout') return 504;
  if (code === 'aborted') return 503;
  if (badGateway.has(code)) return 502;
  return 500;
}

const OPENAI_PATHS = /^\/v1\/(models(\/.*)?|chat\/completions)$/;

/**
 * Rewrites the daemon's own error bodies (`{ error: { code, message } }`) on the OpenAI routes
 * into OpenAI's shape: the bearer check, the Origin/Host guard, body limits, unknown methods and
 * unhandled errors answer before or around these routes, in the daemon's shape. Registered
 * before those middlewares so it sees what they answer.
 */
export function openAiErrorShape(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!OPENAI_PATHS.test(c.req.path) || c.res.status < 400) return;
    if (!(c.res.headers.get('content-type') ?? '').includes('application/json')) return;
    const body = (await c.res
      .clone()
      .json()
      .catch(() => undefined)) as { error?: { code?: unknown; message?: unknown; type?: unknown; field?: unknown } } | undefined;
    const error = body?.error;
    if (!error || typeof error.message !== 'string' || error.type !== undefined) return;
    const shaped: OpenAiErrorBody = {
      error: {
        message: error.message,
        type: openAiErrorType(c.res.status),
        param: typeof error.field === 'string' ? error.field : null,
        code: typeof error.code === 'string' ? error.code : 'error',
      },
    };
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    // Replacing c.res merges the old headers in; `undefined` first so the new ones win.
    const status = c.res.status;
    c.res = undefined;
    c.res = new Response(JSON.stringify(shaped), { status, headers });
  };
}
