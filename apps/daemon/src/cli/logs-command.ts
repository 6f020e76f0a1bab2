import type { LogEntry } from '@kaged/observability';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';
import { fetchDaemon, readEvents, resolveRemote, type RemoteOptions } from './remote.js';

export interface LogsCommandOptions extends RemoteOptions {
  project?: string | undefined;
  follow?: boolean | undefined;
  level?: string | undefined;
  turn?: string | undefined;
  session?: string | undefined;
  limit?: string | undefined;
  json?: boolean | undefined;
}

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** `kaged logs`: recent lines from a running daemon's log view; `--follow` tails it live. */
export async function logsCommand(flags: LogsCommandOptions): Promise<number> {
  const options = { ...flags, ...resolveRemote(flags) };
  if (options.level !== undefined && !levels.includes(options.level)) {
    throw new KagedDaemonError('invalid_argument', `--level must be one of ${levels.join(', ')}`);
  }
  const limit = options.limit ?? '100';
  if (!/^\d+$/.test(limit) || Number(limit) < 1) throw new KagedDaemonError('invalid_argument', `--limit must be a positive integer, got "${limit}"`);
  const query = new URLSearchParams();
  if (options.level) query.set('level', options.level);
  if (options.turn) query.set('turnId', options.turn);
  if (options.session) query.set('sessionId', options.session);

  const recent = (await (await fetchDaemon(options, `/v1/logs?${query}&limit=${limit}`)).json()) as { lines: LogEntry[] };
  for (const entry of recent.lines) print(entry, options.json === true);
  if (!options.follow) return 0;

  const after = recent.lines.at(-1)?.seq ?? 0;
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  try {
    const response = await fetchDaemon(options, `/v1/logs/stream?${query}&afterSeq=${after}`, { signal: abort.signal, accept: 'text/event-stream' });
    await readEvents(response, (event, data) => {
      if (event === 'log') print(JSON.parse(data) as LogEntry, options.json === true);
    });
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return 0;
}

const colours: Record<string, string> = { trace: '90', debug: '90', info: '32', warn: '33', error: '31', fatal: '35' };
const quiet = new Set(['seq', 'level', 'time', 'msg', 'pid', 'hostname', 'name']);

function print(entry: LogEntry, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(entry)}\n`);
    return;
  }
  const tty = process.stdout.isTTY === true;
  const level = entry.level.toUpperCase().padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !quiet.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const time = entry.time.slice(11, 23);
  const levelText = tty ? `\u001b[${colours[entry.level] ?? '0'}m${level}\u001b[0m` : level;
  process.stdout.write(`${time} ${levelText} ${entry.msg}${fields ? `  ${fields}` : ''}\n`);
}
