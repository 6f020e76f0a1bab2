import { getJson, sse } from '../api.js';
import { h, replace } from '../dom.js';
import { short } from '../format.js';
import type { Page } from '../main.js';

interface LogLine {
  seq: number;
  level: string;
  time: string;
  msg: string;
  component?: string;
  turnId?: string;
  sessionId?: string;
  traceId?: string;
  agentId?: string;
  [key: string]: unknown;
}

const KEEP = 1000;
// Shown in their own columns, or the same on every line of this daemon (pid, hostname, name).
const HIDDEN = new Set(['seq', 'level', 'time', 'msg', 'component', 'turnId', 'sessionId', 'agentId', 'traceId', 'pid', 'hostname', 'name']);

export const logsPage: Page = (root, params) => {
  const level = h(
    'select',
    { name: 'level' },
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => h('option', { value: l }, l)),
  );
  level.value = params.get('level') ?? 'info';
  const input = (name: string, label: string) =>
    h('label', null, h('span', null, label), h('input', { name, type: 'search', value: params.get(name) ?? '', autocapitalize: 'off', spellcheck: 'false' }));
  const form = h(
    'form',
    { class: 'filters' },
    h('label', null, h('span', null, 'Level'), level),
    input('turnId', 'Turn'),
    input('sessionId', 'Session'),
    h('div', { class: 'row end' }, h('a', { class: 'button ghost', href: '#/logs' }, 'Clear'), h('button', { type: 'submit' }, 'Filter')),
  );
  const state = h('span', { class: 'live', 'data-state': 'connecting' }, 'connecting');
  const follow = h('input', { type: 'checkbox', checked: true, name: 'follow' });
  const lines = h('ol', { class: 'log-lines', 'aria-live': 'polite' });
  replace(
    root,
    h('details', { class: 'filter-box', open: matchMedia('(min-width: 800px)').matches || [...params.keys()].length > 0 }, h('summary', null, 'Filters'), form),
    h('div', { class: 'row between' }, state, h('label', { class: 'inline' }, follow, ' follow')),
    lines,
  );
  form.addEventListener('change', () => form.requestSubmit());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) if (String(value).trim()) next.set(key, String(value).trim());
    location.hash = `#/logs?${next}`;
  });

  const filter = new URLSearchParams({ level: level.value });
  for (const key of ['turnId', 'sessionId']) {
    const value = params.get(key);
    if (value) filter.set(key, value);
  }
  const abort = new AbortController();
  let lastSeq: number | undefined;
  const add = (line: LogLine) => {
    lastSeq = line.seq;
    lines.append(row(line));
    while (lines.childElementCount > KEEP) lines.firstElementChild?.remove();
    if (follow.checked) lines.lastElementChild?.scrollIntoView({ block: 'end' });
  };

  const run = async () => {
    const recent = await getJson<{ lines: LogLine[] }>(`/v1/logs?${filter}&limit=200`, abort.signal);
    for (const line of recent.lines) add(line);
    // Reconnects resume after the last line seen (afterSeq): no gap, no duplicate.
    while (!abort.signal.aborted) {
      try {
        const query = new URLSearchParams(filter);
        if (lastSeq !== undefined) query.set('afterSeq', String(lastSeq));
        const stream = sse(`/v1/logs/stream?${query}`, { signal: abort.signal });
        state.dataset.state = 'live';
        state.textContent = 'live';
        for await (const { event, data } of stream) {
          if (event === 'log') add(data as LogLine);
          else if (event === 'dropped') lines.append(h('li', { class: 'note' }, `${(data as { lines: number }).lines} lines dropped (too slow)`));
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        state.textContent = `reconnecting (${(error as Error).message})`;
      }
      state.dataset.state = 'connecting';
      await new Promise((done) => setTimeout(done, 2000));
    }
  };
  run().catch((error: unknown) => {
    if (abort.signal.aborted) return;
    state.dataset.state = 'off';
    state.textContent = (error as Error).message;
  });
  return () => abort.abort();
};

function row(line: LogLine): HTMLElement {
  const rest = Object.fromEntries(Object.entries(line).filter(([key]) => !HIDDEN.has(key)));
  const restText = Object.keys(rest).length ? JSON.stringify(rest) : '';
  return h(
    'li',
    { class: `log level-${line.level}`, 'data-seq': line.seq },
    h('time', { datetime: line.time }, new Date(line.time).toLocaleTimeString()),
    h('span', { class: `lvl ${line.level}` }, line.level),
    h('span', { class: 'msg' }, line.msg),
    line.component ? h('span', { class: 'muted' }, line.component) : null,
    line.turnId
      ? h(
          'a',
          { href: line.traceId ? `#/traces/${line.traceId}` : `#/logs?turnId=${encodeURIComponent(line.turnId)}`, title: `turn ${line.turnId}` },
          `turn ${short(line.turnId)}`,
        )
      : null,
    restText
      ? h(
          'code',
          { class: 'rest', title: 'tap to show all', onclick: (event: Event) => (event.currentTarget as HTMLElement).classList.toggle('open') },
          restText,
        )
      : null,
  );
}
