import { useQuery } from '@tanstack/preact-query';
import { ApiError, getJson, request, routeMissing } from '../api.js';
import { time, usd } from '../format.js';

interface Ready {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: { name: string; status: 'ok' | 'degraded' | 'failing'; detail: string }[];
}

/** `GET /v1/usage` (docs/http-api.md): today's turns, tokens and cost, from the daemon's own data. */
interface UsageFigures {
  turns?: number;
  errors?: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number | null;
}

interface Usage extends UsageFigures {
  since: string;
  running?: number;
  /** `false` when the daemon read its cap of traces and older ones were left out. */
  complete?: boolean;
  sampleRate?: number;
  unpricedTurns?: number;
  byAgent?: Record<string, UsageFigures> | (UsageFigures & { agentId: string })[];
}

type Samples = Map<string, { labels: Record<string, string>; value: number }[]>;

/** The Prometheus text format, enough of it for counters and gauges. */
export function parseMetrics(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, '$1');
    const list = out.get(match[1]!) ?? [];
    list.push({ labels, value: Number(match[4]) });
    out.set(match[1]!, list);
  }
  return out;
}

const sum = (samples: Samples, name: string, where: (labels: Record<string, string>) => boolean = () => true) =>
  (samples.get(name) ?? []).filter((s) => where(s.labels)).reduce((total, s) => total + s.value, 0);

// Kept between visits: per-minute rates need two readings some time apart.
const history: { at: number; turns: number; errors: number }[] = [];

async function readMetrics(signal: AbortSignal): Promise<Samples> {
  const samples = parseMetrics(await (await request('/metrics', { accept: 'text/plain', signal })).text());
  const now = Date.now();
  history.push({ at: now, turns: sum(samples, 'kaged_turns_total'), errors: sum(samples, 'kaged_turns_total', (l) => l.outcome === 'error') });
  while (history.length > 2 && now - history[1]!.at > 5 * 60_000) history.shift();
  return samples;
}

async function readReady(signal: AbortSignal): Promise<Ready> {
  // /readyz answers 503 with its body when not ready: read it either way.
  const response = await fetch('/readyz', { headers: { accept: 'application/json' }, cache: 'no-store', mode: 'same-origin', signal });
  return (await response.json()) as Ready;
}

export function HealthPage() {
  const ready = useQuery({ queryKey: ['readyz'], queryFn: ({ signal }) => readReady(signal), refetchInterval: 5000 });
  const metrics = useQuery({ queryKey: ['metrics'], queryFn: ({ signal }) => readMetrics(signal), refetchInterval: 5000 });
  const usage = useQuery({
    queryKey: ['usage'],
    // A daemon without the route shows no usage card; the metrics below still count since start.
    queryFn: ({ signal }) => getJson<Usage>('/v1/usage', signal).catch((error: unknown) => (routeMissing(error) ? null : Promise.reject(error))),
    refetchInterval: 10_000,
  });
  return (
    <div class="health-grid">
      <section class="card">
        {ready.error ? (
          <>
            <h2>Readiness</h2>
            <p class="error">{(ready.error as Error).message}</p>
          </>
        ) : !ready.data ? (
          <>
            <h2>Readiness</h2>
            <p class="muted">Loading…</p>
          </>
        ) : (
          <>
            <h2>
              Readiness{' '}
              <span class={`badge ${ready.data.status === 'ready' ? 'ok' : ready.data.status === 'degraded' ? 'warn' : 'error'}`}>{ready.data.status}</span>
            </h2>
            <ul class="checks">
              {ready.data.checks.map((c) => (
                <li key={c.name} class="check" data-check={c.name}>
                  <span class={`dot ${c.status === 'ok' ? 'ok' : c.status === 'degraded' ? 'warn' : 'error'}`} />
                  <strong>{c.name}</strong>
                  <span class="muted small block">{c.detail}</span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {usage.data ? <UsageCard usage={usage.data} /> : usage.error ? <UsageError error={usage.error} /> : null}
      <section class="card" data-card="activity">
        <h2>Activity</h2>
        {metrics.error ? (
          <p class="error">
            {metrics.error instanceof ApiError && metrics.error.status === 404 ? 'This daemon serves no /metrics.' : (metrics.error as Error).message}
          </p>
        ) : metrics.data ? (
          <Activity samples={metrics.data} />
        ) : (
          <p class="muted">Loading…</p>
        )}
      </section>
    </div>
  );
}

function UsageError({ error }: { error: unknown }) {
  return (
    <section class="card" data-card="usage">
      <h2>Today</h2>
      <p class="error">{(error as Error).message}</p>
    </section>
  );
}

function UsageCard({ usage }: { usage: Usage }) {
  const agents = Array.isArray(usage.byAgent)
    ? usage.byAgent.map(({ agentId, ...figures }) => [agentId, figures] as const)
    : Object.entries(usage.byAgent ?? {});
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en');
  return (
    <section class="card" data-card="usage">
      <h2>Today</h2>
      <dl class="figures big">
        <div>
          <dt>cost</dt>
          <dd data-figure="cost">{usd(usage.costUsd)}</dd>
        </div>
        <div>
          <dt>tokens in</dt>
          <dd data-figure="input">{n(usage.inputTokens)}</dd>
        </div>
        <div>
          <dt>tokens out</dt>
          <dd data-figure="output">{n(usage.outputTokens)}</dd>
        </div>
        <div>
          <dt>turns</dt>
          <dd data-figure="turns">{n(usage.turns)}</dd>
        </div>
        <div>
          <dt>errors</dt>
          <dd data-figure="errors">{n(usage.errors)}</dd>
        </div>
      </dl>
      {agents.length ? (
        <div class="table-scroll">
          <table class="compare-table usage-table">
            <thead>
              <tr>
                <th>agent</th>
                <th>turns</th>
                <th>tokens in · out</th>
                <th>cost</th>
              </tr>
            </thead>
            <tbody>
              {agents.map(([agentId, figures]) => (
                <tr key={agentId} data-agent={agentId}>
                  <th>{agentId}</th>
                  <td>{n(figures.turns)}</td>
                  <td>
                    {n(figures.inputTokens)} · {n(figures.outputTokens)}
                  </td>
                  <td>{usd(figures.costUsd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p class="muted small">
        Since {time(usage.since)}, from the local traces
        {usage.running ? ` (${usage.running} turn${usage.running === 1 ? '' : 's'} still running)` : ''}.
        {usage.unpricedTurns
          ? ` ${usage.unpricedTurns} turn${usage.unpricedTurns === 1 ? ' has' : 's have'} no price and ${usage.unpricedTurns === 1 ? 'is' : 'are'} not in the cost.`
          : ''}
        {usage.sampleRate !== undefined && usage.sampleRate < 1 ? ` Only sampled turns (${Math.round(usage.sampleRate * 100)}%) are counted.` : ''}
        {usage.complete === false ? ' Only the newest traces were read: the figures are a lower bound.' : ''}
      </p>
    </section>
  );
}

function Activity({ samples }: { samples: Samples }) {
  const turns = sum(samples, 'kaged_turns_total');
  const errors = sum(samples, 'kaged_turns_total', (l) => l.outcome === 'error');
  const first = history[0] ?? { at: Date.now(), turns, errors };
  const minutes = (Date.now() - first.at) / 60_000;
  const rate = (value: number) => (minutes > 0.05 ? (value / minutes).toFixed(1) : '…');
  const tokenTypes = ['input', 'output', 'cache_read', 'reasoning'];
  return (
    <>
      <dl class="figures big">
        <div>
          <dt>turns / min</dt>
          <dd>{rate(turns - first.turns)}</dd>
        </div>
        <div>
          <dt>errors / min</dt>
          <dd>{rate(errors - first.errors)}</dd>
        </div>
        <div>
          <dt>in flight</dt>
          <dd>{String(sum(samples, 'kaged_turns_in_flight'))}</dd>
        </div>
        <div>
          <dt>turns</dt>
          <dd>{String(turns)}</dd>
        </div>
        <div>
          <dt>errors</dt>
          <dd>{String(errors)}</dd>
        </div>
        <div>
          <dt>cost</dt>
          <dd>{usd(sum(samples, 'kaged_llm_cost_usd_total'))}</dd>
        </div>
        {tokenTypes.map((t) => (
          <div key={t}>
            <dt>{t.replace('_', ' ')} tokens</dt>
            <dd>{String(sum(samples, 'kaged_llm_tokens_total', (l) => l.type === t))}</dd>
          </div>
        ))}
        <div>
          <dt>export failures</dt>
          <dd>{String(sum(samples, 'kaged_trace_export_failures_total'))}</dd>
        </div>
      </dl>
      <p class="muted small">Counts since the daemon started; rates over the time this page has been watching (up to 5 minutes).</p>
    </>
  );
}
