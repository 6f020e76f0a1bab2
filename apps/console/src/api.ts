/**
 * The daemon's documented HTTP API (docs/http-api.md), same origin only. The bearer token, when
 * the daemon has one, is asked for once, kept in sessionStorage (never in a URL) and sent as an
 * Authorization header; every request body is JSON with `Content-Type: application/json`.
 */
const TOKEN_KEY = 'kaged.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string | null): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Called on a 401: resolves with a token to retry with, or null to give up. Set by the shell. */
let askToken: (wrong: boolean) => Promise<string | null> = async () => null;
/** Requests refused at the same time share one question: the first page load sends several. */
let asking: Promise<string | null> | undefined;
export function onTokenNeeded(ask: (wrong: boolean) => Promise<string | null>): void {
  askToken = ask;
}

function ask(wrong: boolean): Promise<string | null> {
  asking ??= askToken(wrong).finally(() => {
    asking = undefined;
  });
  return asking;
}

function headers(extra: Record<string, string> = {}): Headers {
  const result = new Headers(extra);
  const bearer = token();
  if (bearer) result.set('authorization', `Bearer ${bearer}`);
  return result;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  accept?: string;
  signal?: AbortSignal | undefined;
}

/** One request; on 401 asks for the token and retries. Non-2xx answers throw an ApiError. */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  if (!path.startsWith('/')) throw new Error(`console: ${path} is not a same-origin path`);
  for (let attempt = 0; ; attempt++) {
    const init: RequestInit = {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: headers({
        accept: options.accept ?? 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      }),
      credentials: 'same-origin',
      mode: 'same-origin',
      cache: 'no-store',
      signal: options.signal ?? null,
    };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    const response = await fetch(path, init);
    if (response.status === 401 && attempt < 3) {
      const sent = init.headers instanceof Headers ? init.headers.get('authorization') : null;
      // Another request may have been given the token while this one was on its way.
      const current = token();
      if (current && sent !== `Bearer ${current}`) continue;
      const next = await ask(current !== null);
      if (next === null) throw await errorOf(response);
      setToken(next);
      continue;
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string; field?: string } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? body.error.code, body.error.field);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(response.status, `http_${response.status}`, text.slice(0, 200) || response.statusText);
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, { signal })).json()) as T;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return (await (await request(path, { body })).json()) as T;
}

export interface SseMessage {
  event: string;
  id: string | undefined;
  data: unknown;
}

/**
 * Server-sent events over fetch: EventSource cannot send an Authorization header. Yields each
 * event with its JSON data until the stream ends or `signal` aborts.
 */
export async function* sse(path: string, options: RequestOptions = {}): AsyncGenerator<SseMessage> {
  const response = await request(path, { ...options, accept: 'text/event-stream' });
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.search(/\r?\n\r?\n/);
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
        const message = parseBlock(block);
        if (message) yield message;
        end = buffer.search(/\r?\n\r?\n/);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function parseBlock(block: string): SseMessage | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  try {
    return { event, id, data: JSON.parse(text) };
  } catch {
    return { event, id, data: text };
  }
}

/**
 * True when the daemon has no such route at all (its generic 404 `not_found`), as opposed to a
 * route answering "no such thing" with its own code. Routes added later (sessions, usage, the
 * Langfuse link) are feature-detected this way: the console hides what the daemon cannot serve.
 */
export function routeMissing(error: unknown): boolean {
  return error instanceof ApiError && ((error.status === 404 && error.code === 'not_found') || error.status === 405);
}

/** What this daemon serves beyond the core routes, probed once. */
export interface Capabilities {
  feedback: boolean;
}

let capabilities: Promise<Capabilities> | undefined;

/**
 * The feedback route (`POST /v1/turns/{turnId}/feedback`) may or may not exist in this daemon.
 * An empty body to a turn that cannot exist tells: the route answers 400/404 with its own code,
 * a daemon without it answers 404 `not_found`. Nothing is recorded either way.
 */
export function probeCapabilities(): Promise<Capabilities> {
  capabilities ??= request('/v1/turns/console-probe/feedback', { body: {} }).then(
    () => ({ feedback: true }),
    (error: unknown) => ({ feedback: error instanceof ApiError && error.code !== 'not_found' && error.status !== 405 }),
  );
  return capabilities;
}
