import { useQuery } from '@tanstack/preact-query';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson } from '../api.js';
import { json, ms, promptName, short, time, tokens, usd } from '../format.js';
import { href } from '../hash-location.js';
import type { Span, TraceDetail } from './traces.js';

/** `GET /v1/config/langfuse`: where this daemon's traces also go, when Langfuse is configured. */
interface LangfuseConfig {
  baseUrl: string | null;
  projectId: string | null;
  /** The link with `{traceId}` to fill in, when the daemon gives it. */
  traceUrl?: string | null;
}

/** The Langfuse page of a trace; `null` without Langfuse (route missing, 404, or no baseUrl). */
export function langfuseUrl(config: LangfuseConfig | null | undefined, traceId: string): string | null {
  if (!config?.baseUrl) return null;
  try {
    const base = new URL(config.baseUrl.endsWith('/') ? config.baseUrl : `${config.baseUrl}/`);
    // Langfuse keeps the OpenTelemetry trace id, so the local id is its id too. Without a
    // project id, `/trace/{id}` lets Langfuse find the project itself.
    const path = config.projectId ? `project/${encodeURIComponent(config.projectId)}/traces/${traceId}` : `trace/${traceId}`;
    const url = config.traceUrl ? new URL(config.traceUrl.replace('{traceId}', traceId)) : new URL(path, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function useLangfuse() {
  return useQuery({
    queryKey: ['config', 'langfuse'],
    queryFn: ({ signal }) =>
      getJson<LangfuseConfig>('/v1/config/langfuse', signal).catch((error: unknown) =>
        error instanceof ApiError && error.status === 404 ? null : Promise.reject(error),
      ),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

export function TraceDetailPage({ traceId }: { traceId: string }) {
  const trace = useQuery({
    queryKey: ['trace', traceId],
    queryFn: ({ signal }) => getJson<TraceDetail>(`/v1/traces/${encodeURIComponent(traceId)}`, signal),
    // A trace is written about a second after its turn ends: wait for it a little.
    retry: (count, error) => error instanceof ApiError && error.code === 'unknown_trace' && count < 8,
    retryDelay: 700,
    // A running trace is still being written: read it again until it ends (for ten seconds at most).
    refetchInterval: (query) => (query.state.data?.status === 'running' && query.state.dataUpdateCount < 10 ? 1000 : false),
  });
  const langfuse = useLangfuse();
  if (trace.error)
    return (
      <>
        <a href="#/traces" class="back">
          ← traces
        </a>
        <p class="error">{(trace.error as Error).message}</p>
      </>
    );
  if (!trace.data) return <p class="muted">Loading trace {traceId}…</p>;
  return <TraceView trace={trace.data} langfuse={langfuseUrl(langfuse.data, trace.data.traceId)} />;
}

interface Row {
  span: Span;
  depth: number;
}

function flatten(spans: Span[], depth = 0, out: Row[] = []): Row[] {
  for (const span of [...spans].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))) {
    out.push({ span, depth });
    flatten(span.children, depth + 1, out);
  }
  return out;
}

/** Time to first token: from the trace's start to the first model output, when Mastra recorded it. */
function firstToken(rows: Row[], origin: number): number | null {
  for (const { span } of rows) {
    const at = span.attributes.completionStartTime;
    if (typeof at === 'string' || typeof at === 'number') {
      const value = new Date(at).getTime();
      if (!Number.isNaN(value)) return value - origin;
    }
  }
  return null;
}

function kindOf(type: string): string {
  if (type.includes('tool')) return 'tool';
  if (type === 'agent_run') return 'agent';
  if (type === 'model_generation') return 'llm';
  if (type.includes('step')) return 'step';
  return type.replace(/_/g, ' ');
}

function TraceView({ trace, langfuse }: { trace: TraceDetail; langfuse: string | null }) {
  const rows = flatten(trace.spans);
  const origin = Date.parse(trace.startedAt);
  const end = Math.max(origin + 1, ...rows.map(({ span }) => Date.parse(span.endedAt ?? span.startedAt)));
  const total = end - origin;
  const ttft = firstToken(rows, origin);
  // The turn's prompt versions: `{ [promptId]: version }` in the trace metadata.
  const recorded = trace.metadata.prompts;
  const prompts =
    recorded && typeof recorded === 'object' && !Array.isArray(recorded)
      ? Object.entries(recorded as Record<string, string>).map(([id, version]) => ({ id, version }))
      : [];
  const firstError = rows.find(({ span }) => span.status === 'error')?.span.spanId ?? null;
  const [selected, setSelected] = useState<string | null>(firstError);
  const [clicked, setClicked] = useState(0);
  const detail = useRef<HTMLElement>(null);
  useEffect(() => {
    if (clicked && !matchMedia('(min-width: 1100px)').matches) detail.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }, [clicked]);
  const span = rows.find((r) => r.span.spanId === (selected ?? firstError))?.span;

  return (
    <>
      <div class="row between">
        <a href="#/traces" class="back">
          ← traces
        </a>
        {langfuse ? (
          <a class="button ghost langfuse-link" href={langfuse} target="_blank" rel="noopener noreferrer">
            Open in Langfuse ↗
          </a>
        ) : null}
      </div>
      <header class="trace-head">
        <h1>
          <span class={`dot ${trace.status}`} />
          {trace.name}
        </h1>
        <dl class="figures">
          <Fig label="duration">{ms(trace.durationMs)}</Fig>
          <Fig label="first token">{ms(ttft)}</Fig>
          <Fig label="tokens">{tokens(trace.usage)}</Fig>
          <Fig label="cost">{usd(trace.costUsd)}</Fig>
          <Fig label="spans">{String(trace.spanCount)}</Fig>
          <Fig label="session">{trace.sessionId ? <a href={href('/traces', { sessionId: trace.sessionId })}>{short(trace.sessionId, 12)}</a> : '—'}</Fig>
          <Fig label="turn">{trace.turnId ? <a href={href('/logs', { turnId: trace.turnId })}>{short(trace.turnId, 12)}</a> : '—'}</Fig>
          <Fig label="started">{time(trace.startedAt)}</Fig>
          {prompts.map((p) => (
            <Fig key={p.id} label="prompt version" wide>
              <a href={href('/prompts', { id: p.id })} title={`${p.id}@${p.version}`}>
                {promptName(p.id)}@{p.version.slice(0, 7)}
              </a>
            </Fig>
          ))}
        </dl>
      </header>
      <div class="trace-body">
        <div class="waterfall-box">
          <div class="axis" aria-hidden="true">
            {[0, 0.25, 0.5, 0.75, 1].map((f) => (
              <span key={f} class="tick" style={{ left: `${f * 100}%` }}>
                {ms(total * f)}
              </span>
            ))}
          </div>
          <ol class="waterfall" aria-label="Spans">
            {rows.map(({ span: s, depth }) => {
              const start = Date.parse(s.startedAt) - origin;
              const duration = s.durationMs ?? (s.endedAt ? Date.parse(s.endedAt) - Date.parse(s.startedAt) : total - start);
              const left = (start / total) * 100;
              const width = Math.max(0.4, (duration / total) * 100);
              // Compact in the row (in→out tokens, a cost only when there is one); whole in the detail pane.
              const extra = [s.usage ? `${s.usage.inputTokens}→${s.usage.outputTokens} tok` : '', s.costUsd ? usd(s.costUsd) : ''].filter(Boolean).join(' · ');
              return (
                <li key={s.spanId}>
                  <button
                    type="button"
                    class={`span-row type-${s.type} ${s.status}`}
                    data-span-type={s.type}
                    aria-pressed={s.spanId === span?.spanId ? 'true' : undefined}
                    style={{ '--depth': String(depth) }}
                    onClick={() => {
                      setSelected(s.spanId);
                      setClicked((n) => n + 1);
                    }}
                  >
                    <span class="span-name">
                      <span class="span-kind">{kindOf(s.type)}</span>
                      {s.name}
                    </span>
                    <span class="span-track">
                      <span class="bar" style={{ left: `${left}%`, width: `${Math.min(width, 100 - left)}%` }} />
                    </span>
                    <span class="span-figures">
                      {ms(duration)}
                      {extra ? <span class="muted"> · {extra}</span> : null}
                    </span>
                  </button>
                </li>
              );
            })}
          </ol>
        </div>
        <section class="span-detail" id="span-detail" ref={detail}>
          {span ? <SpanView span={span} /> : <p class="muted">Select a span to see its input and output.</p>}
        </section>
      </div>
    </>
  );
}

function Fig({ label, wide, children }: { label: string; wide?: boolean; children: preact.ComponentChildren }) {
  return (
    <div class={wide ? 'wide' : undefined}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function SpanView({ span }: { span: Span }) {
  return (
    <>
      <h2>{span.name}</h2>
      <p class="muted small">
        {span.type} · {ms(span.durationMs)}
        {span.model ? ` · ${span.model}` : ''}
        {span.usage ? ` · ${tokens(span.usage)}` : ''}
      </p>
      {span.error ? <pre class="error">{span.error}</pre> : null}
      <h3>Input</h3>
      <pre>{json(span.input ?? null)}</pre>
      <h3>Output</h3>
      <pre>{json(span.output ?? null)}</pre>
      <details>
        <summary>Attributes</summary>
        <pre>{json(span.attributes)}</pre>
      </details>
    </>
  );
}
