import { ApiError, getJson } from '../api.js';
import { h, json, replace } from '../dom.js';
import { ms, short, time, tokens, usd, type Usage } from '../format.js';
import type { Page } from '../main.js';

interface TraceSummary {
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

interface Span {
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

interface TraceDetail extends TraceSummary {
  metadata: Record<string, unknown>;
  usage: Usage;
  costUsd: number | null;
  spanCount: number;
  spans: Span[];
}

const FILTERS = ['agentId', 'sessionId', 'userId', 'tag', 'status', 'from'] as const;

export const tracesPage: Page = (root, params) => {
  const field = (name: string, label: string, type = 'search') =>
    h('label', null, h('span', null, label), h('input', { name, type, value: params.get(name) ?? '', autocapitalize: 'off', spellcheck: 'false' }));
  const status = h(
    'select',
    { name: 'status' },
    ['', 'ok', 'error', 'running'].map((s) => h('option', { value: s }, s || 'any')),
  );
  status.value = params.get('status') ?? '';
  const form = h(
    'form',
    { class: 'filters' },
    field('agentId', 'Agent'),
    field('sessionId', 'Session'),
    field('userId', 'User'),
    field('tag', 'Tag'),
    h('label', null, h('span', null, 'Status'), status),
    field('from', 'Since', 'datetime-local'),
    h('div', { class: 'row end' }, h('a', { class: 'button ghost', href: '#/traces' }, 'Clear'), h('button', { type: 'submit' }, 'Filter')),
  );
  const list = h('div', { class: 'list' }, h('p', { class: 'muted' }, 'Loading traces…'));
  replace(
    root,
    h('details', { class: 'filter-box', open: [...params.keys()].length > 0 || matchMedia('(min-width: 800px)').matches }, h('summary', null, 'Filters'), form),
    list,
  );

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (String(value).trim()) next.set(key, String(value).trim());
    location.hash = `#/traces?${next}`;
  });

  const query = new URLSearchParams({ perPage: '50' });
  for (const key of FILTERS) {
    const value = params.get(key);
    if (!value || key === 'status') continue;
    query.set(key, key === 'from' ? new Date(value).toISOString() : value);
  }
  const wanted = params.get('status');
  let stopped = false;
  const load = () =>
    getJson<{ traces: TraceSummary[]; pagination: { total: number } }>(`/v1/traces?${query}`).then(
      ({ traces, pagination }) => {
        if (stopped) return;
        // The API has no status filter: the page filters what it got.
        const shown = wanted ? traces.filter((t) => t.status === wanted) : traces;
        replace(
          list,
          h('p', { class: 'muted small' }, `${shown.length} of ${pagination.total} trace${pagination.total === 1 ? '' : 's'} (newest first)`),
          shown.length === 0 ? h('p', { class: 'empty' }, 'No traces match. A turn’s trace appears about a second after it ends.') : null,
          h(
            'ul',
            { class: 'rows' },
            shown.map((t) =>
              h(
                'li',
                null,
                h(
                  'a',
                  { class: `row-link status-${t.status}`, href: `#/traces/${t.traceId}` },
                  h('span', { class: `dot ${t.status}`, title: t.status }),
                  h(
                    'span',
                    { class: 'grow' },
                    h('strong', null, t.agentId ?? t.name),
                    h(
                      'span',
                      { class: 'muted small block' },
                      `${time(t.startedAt)} · session ${short(t.sessionId)}${t.userId ? ` · ${t.userId}` : ''}${t.tags.length ? ` · ${t.tags.join(', ')}` : ''}`,
                    ),
                  ),
                  h('span', { class: 'num' }, ms(t.durationMs)),
                ),
              ),
            ),
          ),
        );
      },
      (error: unknown) => !stopped && replace(list, h('p', { class: 'error' }, (error as Error).message)),
    );
  void load();
  return () => {
    stopped = true;
  };
};

export const traceDetailPage: Page = (root, _params, path) => {
  const traceId = path[1]!;
  replace(root, h('p', { class: 'muted' }, `Loading trace ${traceId}…`));
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const load = (attempt: number) =>
    getJson<TraceDetail>(`/v1/traces/${encodeURIComponent(traceId)}`).then(
      (trace) => {
        if (stopped) return;
        drawTrace(root, trace);
        if (trace.status === 'running' && attempt < 10) timer = setTimeout(() => void load(attempt + 1), 1000);
      },
      (error: unknown) => {
        if (stopped) return;
        // A trace is written about a second after its turn ends: wait for it a little.
        if (error instanceof ApiError && error.code === 'unknown_trace' && attempt < 6) {
          timer = setTimeout(() => void load(attempt + 1), 700);
          return;
        }
        replace(root, h('a', { href: '#/traces' }, '← traces'), h('p', { class: 'error' }, (error as Error).message));
      },
    );
  void load(0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
};

function flatten(spans: Span[], depth = 0, out: { span: Span; depth: number }[] = []): { span: Span; depth: number }[] {
  for (const span of [...spans].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))) {
    out.push({ span, depth });
    flatten(span.children, depth + 1, out);
  }
  return out;
}

/** Time to first token: from the trace's start to the first model output, when Mastra recorded it. */
function firstToken(rows: { span: Span }[], origin: number): number | null {
  for (const { span } of rows) {
    const at = span.attributes.completionStartTime;
    if (typeof at === 'string' || typeof at === 'number') {
      const value = new Date(at).getTime();
      if (!Number.isNaN(value)) return value - origin;
    }
  }
  return null;
}

function drawTrace(root: HTMLElement, trace: TraceDetail): void {
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
  const detail = h('section', { class: 'span-detail', id: 'span-detail' }, h('p', { class: 'muted' }, 'Select a span to see its input and output.'));

  const axis = h(
    'div',
    { class: 'axis', 'aria-hidden': 'true' },
    [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { class: 'tick', style: `left:${f * 100}%` }, ms(total * f))),
  );
  const waterfall = h(
    'ol',
    { class: 'waterfall', 'aria-label': 'Spans' },
    rows.map(({ span, depth }) => {
      const start = Date.parse(span.startedAt) - origin;
      const duration = span.durationMs ?? (span.endedAt ? Date.parse(span.endedAt) - Date.parse(span.startedAt) : total - start);
      const left = (start / total) * 100;
      const width = Math.max(0.4, (duration / total) * 100);
      // Compact in the row (in→out tokens, a cost only when there is one); whole in the detail pane.
      const extra = [span.usage ? `${span.usage.inputTokens}→${span.usage.outputTokens} tok` : '', span.costUsd ? usd(span.costUsd) : '']
        .filter(Boolean)
        .join(' · ');
      const button = h(
        'button',
        { type: 'button', class: `span-row type-${span.type} ${span.status}`, 'data-span-type': span.type, style: `--depth:${depth}` },
        h('span', { class: 'span-name' }, h('span', { class: 'span-kind' }, kindOf(span.type)), span.name),
        h('span', { class: 'span-track' }, h('span', { class: 'bar', style: `left:${left}%;width:${Math.min(width, 100 - left)}%` })),
        h('span', { class: 'span-figures' }, ms(duration), extra ? h('span', { class: 'muted' }, ` · ${extra}`) : null),
      );
      button.addEventListener('click', () => {
        for (const b of waterfall.querySelectorAll('.span-row[aria-pressed]')) b.removeAttribute('aria-pressed');
        button.setAttribute('aria-pressed', 'true');
        drawSpan(detail, span);
        if (!matchMedia('(min-width: 1100px)').matches) detail.scrollIntoView({ behavior: 'smooth', block: 'start' });
      });
      return h('li', null, button);
    }),
  );

  replace(
    root,
    h('a', { href: '#/traces', class: 'back' }, '← traces'),
    h(
      'header',
      { class: 'trace-head' },
      h('h1', null, h('span', { class: `dot ${trace.status}` }), trace.name),
      h(
        'dl',
        { class: 'figures' },
        fig('duration', ms(trace.durationMs)),
        fig('first token', ms(ttft)),
        fig('tokens', tokens(trace.usage)),
        fig('cost', usd(trace.costUsd)),
        fig('spans', String(trace.spanCount)),
        fig('session', trace.sessionId ? h('a', { href: `#/traces?sessionId=${encodeURIComponent(trace.sessionId)}` }, short(trace.sessionId, 12)) : '—'),
        fig('turn', trace.turnId ? h('a', { href: `#/logs?turnId=${encodeURIComponent(trace.turnId)}` }, short(trace.turnId, 12)) : '—'),
        fig('started', time(trace.startedAt)),
        ...prompts.map((p) =>
          fig(
            'prompt version',
            h('a', { href: `#/prompts?id=${encodeURIComponent(p.id)}`, title: `${p.id}@${p.version}` }, `${promptName(p.id)}@${p.version.slice(0, 7)}`),
          ),
        ),
      ),
    ),
    h('div', { class: 'trace-body' }, h('div', { class: 'waterfall-box' }, axis, waterfall), detail),
  );
  const firstError = rows.find(({ span }) => span.status === 'error');
  if (firstError) drawSpan(detail, firstError.span);
}

/** `agents.assistant.prompt` reads as `assistant`. */
export function promptName(id: string): string {
  return id.replace(/^agents\./, '').replace(/\.prompt$/, '');
}

function fig(label: string, value: Node | string): HTMLElement {
  return h('div', { class: label === 'prompt version' ? 'wide' : null }, h('dt', null, label), h('dd', null, value));
}

function kindOf(type: string): string {
  if (type.includes('tool')) return 'tool';
  if (type === 'agent_run') return 'agent';
  if (type === 'model_generation') return 'llm';
  if (type.includes('step')) return 'step';
  return type.replace(/_/g, ' ');
}

function drawSpan(detail: HTMLElement, span: Span): void {
  replace(
    detail,
    h('h2', null, span.name),
    h(
      'p',
      { class: 'muted small' },
      `${span.type} · ${ms(span.durationMs)}${span.model ? ` · ${span.model}` : ''}${span.usage ? ` · ${tokens(span.usage)}` : ''}`,
    ),
    span.error ? h('pre', { class: 'error' }, span.error) : null,
    h('h3', null, 'Input'),
    h('pre', null, json(span.input ?? null)),
    h('h3', null, 'Output'),
    h('pre', null, json(span.output ?? null)),
    h('details', null, h('summary', null, 'Attributes'), h('pre', null, json(span.attributes))),
  );
}
