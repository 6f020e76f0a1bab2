import { useQuery } from '@tanstack/preact-query';
import { useSearch } from 'wouter-preact';
import { getJson } from '../api.js';
import { ms, short, time, type Usage } from '../format.js';
import { navigate } from '../hash-location.js';

export interface TraceSummary {
  traceId: string;
  name: string;
  agentId: string | null;
  sessionId: string | null;
  userId: string | null;
  turnId: string | null;
  tags: string[];
  status: 'ok' | 'error' | 'running';
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
}

export interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  type: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  status: 'ok' | 'error' | 'running';
  error: string | null;
  model: string | null;
  usage: Usage | null;
  costUsd: number | null;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown>;
  children: Span[];
}

export interface TraceDetail extends TraceSummary {
  metadata: Record<string, unknown>;
  usage: Usage;
  costUsd: number | null;
  spanCount: number;
  spans: Span[];
}

const FILTERS = ['agentId', 'sessionId', 'userId', 'tag', 'from'] as const;

export function TracesPage() {
  const search = useSearch();
  const params = new URLSearchParams(search);
  const query = new URLSearchParams({ perPage: '50' });
  for (const key of FILTERS) {
    const value = params.get(key);
    if (value) query.set(key, key === 'from' ? new Date(value).toISOString() : value);
  }
  const wanted = params.get('status');
  const traces = useQuery({
    queryKey: ['traces', query.toString()],
    queryFn: ({ signal }) => getJson<{ traces: TraceSummary[]; pagination: { total: number } }>(`/v1/traces?${query}`, signal),
  });
  // The API has no status filter: the page filters what it got.
  const shown = traces.data ? (wanted ? traces.data.traces.filter((t) => t.status === wanted) : traces.data.traces) : [];
  const total = traces.data?.pagination.total ?? 0;
  return (
    <>
      <details class="filter-box" open={[...params.keys()].length > 0 || matchMedia('(min-width: 800px)').matches}>
        <summary>Filters</summary>
        {/* Keyed by the query: going to other filters (a link, back) shows them in the fields. */}
        <Filters key={search} params={params} />
      </details>
      <div class="list">
        {traces.error ? (
          <p class="error">{(traces.error as Error).message}</p>
        ) : !traces.data ? (
          <p class="muted">Loading traces…</p>
        ) : (
          <>
            <p class="muted small">
              {shown.length} of {total} trace{total === 1 ? '' : 's'} (newest first)
            </p>
            {shown.length === 0 ? <p class="empty">No traces match. A turn’s trace appears about a second after it ends.</p> : null}
            <ul class="rows">
              {shown.map((t) => (
                <li key={t.traceId}>
                  <a class={`row-link status-${t.status}`} href={`#/traces/${t.traceId}`}>
                    <span class={`dot ${t.status}`} title={t.status} />
                    <span class="grow">
                      <strong>{t.agentId ?? t.name}</strong>
                      <span class="muted small block">
                        {time(t.startedAt)} · session {short(t.sessionId)}
                        {t.userId ? ` · ${t.userId}` : ''}
                        {t.tags.length ? ` · ${t.tags.join(', ')}` : ''}
                      </span>
                    </span>
                    <span class="num">{ms(t.durationMs)}</span>
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </>
  );
}

/** Uncontrolled fields (defaultValue, selected): a re-render must not undo what is being typed. */
function Filters({ params }: { params: URLSearchParams }) {
  const field = (name: string, label: string, type = 'search') => (
    <label>
      <span>{label}</span>
      <input name={name} type={type} defaultValue={params.get(name) ?? ''} autocapitalize="off" spellcheck={false} />
    </label>
  );
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        for (const [key, value] of new FormData(event.currentTarget)) if (String(value).trim()) next.set(key, String(value).trim());
        navigate(`/traces?${next}`);
      }}
    >
      {field('agentId', 'Agent')}
      {field('sessionId', 'Session')}
      {field('userId', 'User')}
      {field('tag', 'Tag')}
      <label>
        <span>Status</span>
        <select name="status">
          {['', 'ok', 'error', 'running'].map((s) => (
            <option key={s} value={s} selected={s === (params.get('status') ?? '')}>
              {s || 'any'}
            </option>
          ))}
        </select>
      </label>
      {field('from', 'Since', 'datetime-local')}
      <div class="row end">
        <a class="button ghost" href="#/traces">
          Clear
        </a>
        <button type="submit">Filter</button>
      </div>
    </form>
  );
}
