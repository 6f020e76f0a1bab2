import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';
import { substituteEnvVars } from '../project/env-vars.js';

export interface RemoteOptions {
  url?: string | undefined;
  token?: string | undefined;
}

/**
 * Where a command finds the running daemon: `--url`/`--token`, else `KAGED_URL`/`KAGED_TOKEN`,
 * else the project file's `server` section, else http://127.0.0.1:7420.
 */
export function resolveRemote(options: RemoteOptions & { project?: string | undefined }): RemoteOptions {
  return { ...projectDefaults(options), ...definedOf(options) };
}

/** Where the running daemon is: `--url`, else `KAGED_URL`, else the default address. */
export function daemonUrl(options: RemoteOptions): string {
  const url = options.url ?? process.env.KAGED_URL ?? 'http://127.0.0.1:7420';
  if (!URL.canParse(url)) throw new KagedDaemonError('invalid_argument', `--url must be a URL such as http://127.0.0.1:7420, got "${url}"`);
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
    throw new KagedDaemonError(
      'daemon_unreachable',
      `cannot reach a kaged daemon at ${daemonUrl(options)}: is it running? (--url or KAGED_URL to point elsewhere)`,
      { cause: error },
    );
  }
  if (response.status === 401) throw new KagedDaemonError('unauthorized', `the daemon at ${daemonUrl(options)} wants a token: pass --token or set KAGED_TOKEN`);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    throw new KagedDaemonError('request_failed', `${path}: HTTP ${response.status}: ${body.error?.message ?? response.statusText}`);
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

function definedOf(options: RemoteOptions): RemoteOptions {
  return { ...(options.url ? { url: options.url } : {}), ...(options.token ? { token: options.token } : {}) };
}

/**
 * The address and token from the project file's `server` section, when there is a project
 * (`--project`, `KAGED_PROJECT`, `./kaged.yaml`) and neither `--url` nor `KAGED_URL` is given.
 * Only that section is read: a project whose other settings need variables this shell lacks
 * still works.
 */
function projectDefaults(options: RemoteOptions & { project?: string | undefined }): RemoteOptions {
  if (options.url || process.env.KAGED_URL) return {};
  let file = options.project ?? process.env.KAGED_PROJECT ?? 'kaged.yaml';
  if (!existsSync(file)) {
    if (options.project) throw new KagedDaemonError('invalid_argument', `--project: ${file} does not exist`);
    return {};
  }
  if (statSync(file).isDirectory()) file = join(file, 'kaged.yaml');
  let server: { host?: unknown; port?: unknown; token?: unknown } | undefined;
  try {
    server = (parse(readFileSync(resolve(file), 'utf8')) as { server?: typeof server } | null)?.server;
  } catch {
    return {};
  }
  const port = typeof server?.port === 'number' && server.port > 0 ? server.port : 7420;
  const configured = typeof server?.host === 'string' ? server.host : '127.0.0.1';
  // A daemon bound to every interface is reached on loopback from here.
  const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured;
  const token = typeof server?.token === 'string' && !process.env.KAGED_TOKEN ? substituteEnv(server.token) : undefined;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, ...(token ? { token } : {}) };
}

/** The token as the project loader would read it; a variable unset or empty, without a default: no token. */
function substituteEnv(value: string): string | undefined {
  const set = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== ''));
  const { text, missing } = substituteEnvVars(value, set);
  return missing.length > 0 || text === '' ? undefined : text;
}
