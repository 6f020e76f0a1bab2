import type { TraceDetail, TracePage, TraceSpan, TraceUsage } from '@kaged/observability/tracing';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';
import { fetchDaemon, resolveRemote, type RemoteOptions } from './remote.js';

export interface TracesCommandOptions extends RemoteOptions {
  project?: string | undefined;
  session?: string | undefined;
  follow?: boolean | undefined;
  limit?: string | undefined;
  json?: boolean | undefined;
}

const POLL_MS = 1_000;
/** Spans per chunk type of a streamed answer: noise in a terminal (the HTTP API keeps them). */
const HIDDEN_TYPES = new Set(['model_chunk']);

/**
 * `kaged traces`: the latest local traces of a running daemon as indented span trees, oldest
 * first; `--follow` keeps printing new ones. The daemon is `--url`, else `KAGED_URL`, else the
 * project's `server` section, else http://127.0.0.1:7420.
 */
export async function tracesCommand(options: TracesCommandOptions): Promise<number> {
  const limit = options.limit ?? '10';
  if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100)
    throw new KagedDaemonError('invalid_argument', `--limit must be an integer from 1 to 100, got "${limit}"`);
  const remote = resolveRemote(options);
  const query = new URLSearchParams({ perPage: limit });
  if (options.session) query.set('sessionId', options.session);

  const page = (await (await fetchDaemon(remote, `/v1/traces?${query}`)).json()) as TracePage;
  const printed = new Set<string>();
  const pending = new Set<string>();
  for (const summary of [...page.traces].reverse()) {
    if (summary.status === 'running') pending.add(summary.traceId);
    else await show(summary.traceId);
  }
  if (!options.follow) return 0;

  let stopped = false;
  const stop = () => (stopped = true);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let since = page.traces[0]?.startedAt;
  while (!stopped) {
    await new Promise((done) => setTimeout(done, POLL_MS));
    if (stopped) break;
    const next = new URLSearchParams(query);
    if (since) next.set('from', since);
    const latest = (await (await fetchDaemon(remote, `/v1/traces?${next}`)).json()) as TracePage;
    for (const summary of [...latest.traces].reverse()) {
      if (printed.has(summary.traceId)) continue;
      // Spans arrive in batches: print a trace once its root has ended.
      if (summary.status === 'running') pending.add(summary.traceId);
      else await show(summary.traceId);
      if (!since || summary.startedAt > since) since = summary.startedAt;
    }
    for (const traceId of pending) if (!printed.has(traceId)) await show(traceId, true);
  }
  return 0;

  async function show(traceId: string, onlyWhenEnded = false): Promise<void> {
    const trace = (await (await fetchDaemon(remote, `/v1/traces/${traceId}`)).json()) as TraceDetail;
    if (onlyWhenEnded && trace.status === 'running') return;
    pending.delete(traceId);
    printed.add(traceId);
    process.stdout.write(options.json ? `${JSON.stringify(trace)}\n` : formatTrace(trace));
  }
}

/** One trace as text: a header line, then its spans as an indented tree. */
export function formatTrace(trace: TraceDetail): string {
  const lines = [
    [
      `trace ${trace.traceId}`,
      trace.startedAt.replace('T', ' ').slice(0, 19),
      trace.agentId ? `agent ${trace.agentId}` : undefined,
      trace.sessionId ? `session ${trace.sessionId}` : undefined,
      trace.userId ? `user ${trace.userId}` : undefined,
      duration(trace.durationMs),
      trace.status,
      tokens(trace.usage),
      trace.costUsd === null ? undefined : `$${trace.costUsd.toFixed(6)}`,
      trace.tags.length ? `tags ${trace.tags.join(',')}` : undefined,
    ]
      .filter(Boolean)
      .join('  '),
  ];
  const prompts = trace.metadata.prompts;
  if (prompts && typeof prompts === 'object') {
    lines.push(
      `  prompts ${Object.entries(prompts as Record<string, unknown>)
        .map(([id, version]) => `${id}@${String(version)}`)
        .join(' ')}`,
    );
  }
  const visit = (spans: TraceSpan[], prefix: string) => {
    const shown = spans.filter((span) => !HIDDEN_TYPES.has(span.type));
    shown.forEach((span, index) => {
      const last = index === shown.length - 1;
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${spanLine(span)}`);
      visit(span.children, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  visit(trace.spans, '  ');
  return `${lines.join('\n')}\n\n`;
}

function spanLine(span: TraceSpan): string {
  return [
    span.name,
    `[${span.type}]`,
    duration(span.durationMs),
    span.usage ? tokens(span.usage) : undefined,
    span.costUsd === null ? undefined : `$${span.costUsd.toFixed(6)}`,
    span.status === 'ok' ? undefined : span.status,
    span.error ? `error: ${span.error}` : undefined,
  ]
    .filter(Boolean)
    .join('  ');
}

function duration(ms: number | null): string | undefined {
  if (ms === null) return undefined;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function tokens(usage: TraceUsage): string {
  const extra = [
    usage.cacheReadTokens ? `cache read ${usage.cacheReadTokens}` : '',
    usage.cacheWriteTokens ? `cache write ${usage.cacheWriteTokens}` : '',
    usage.reasoningTokens ? `reasoning ${usage.reasoningTokens}` : '',
  ].filter(Boolean);
  return `tokens ${usage.inputTokens} in / ${usage.outputTokens} out${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
