import { KagedError } from '../errors/kaged-error.js';

export interface RemoteOptions {
  url?: string | undefined;
  token?: string | undefined;
}

/** Where the running daemon is: `--url`, else `KAGED_URL`, else the default address. */
export function daemonUrl(options: RemoteOptions): string {
  const url = options.url ?? process.env.KAGED_URL ?? 'http://127.0.0.1:7420';
  if (!URL.canParse(url)) throw new KagedError('invalid_argument', `--url must be a URL such as http://127.0.0.1:7420, got "${url}"`);
  return url.replace(/\/+$/, '');
}

/** GET a daemon route; errors say what to do (start the daemon, pass a token). */
export async function fetchDaemon(options: RemoteOptions, path: string, init: { signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
  const url = `${daemonUrl(options)}${path}`;
  const token = options.token ?? process.env.KAGED_TOKEN;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: init.accept ?? 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(init.signal ? { signal: init.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new KagedError('daemon_unreachable', `cannot reach a kaged daemon at ${daemonUrl(options)}: is it running? (--url or KAGED_URL to point elsewhere)`, { cause: error });
  }
  if (response.status === 401) throw new KagedError('unauthorized', `the daemon at ${daemonUrl(options)} wants a token: pass --token or set KAGED_TOKEN`);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new KagedError('request_failed', `${path}: HTTP ${response.status}: ${body.error?.message ?? response.statusText}`);
  }
  return response;
}

/** Reads a server-sent event stream, calling `onEvent` per event until it ends or aborts. */
export async function readEvents(response: Response, onEvent: (event: string, data: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(event, data.join('\n'));
    }
  }
}
