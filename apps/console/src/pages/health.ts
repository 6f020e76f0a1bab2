import { ApiError, request } from '../api.js';
import { h, replace } from '../dom.js';
import { usd } from '../format.js';
import type { Page } from '../main.js';

interface Ready {
  status: 'ready' | 'degraded' | 'not_ready';
  checks: { name: string; status: 'ok' | 'degraded' | 'failing'; detail: string }[];
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

export const healthPage: Page = (root) => {
  const checks = h('section', { class: 'card' }, h('h2', null, 'Readiness'), h('p', { class: 'muted' }, 'Loading…'));
  const figures = h('section', { class: 'card' }, h('h2', null, 'Activity'), h('p', { class: 'muted' }, 'Loading…'));
  replace(root, h('div', { class: 'health-grid' }, checks, figures));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const refresh = async () => {
    try {
      // /readyz answers 503 with its body when not ready: read it either way.
      const response = await fetch('/readyz', { headers: { accept: 'application/json' }, cache: 'no-store', mode: 'same-origin' });
      const ready = (await response.json()) as Ready;
      if (stopped) return;
      replace(
        checks,
        h(
          'h2',
          null,
          'Readiness ',
          h('span', { class: `badge ${ready.status === 'ready' ? 'ok' : ready.status === 'degraded' ? 'warn' : 'error'}` }, ready.status),
        ),
        h(
          'ul',
          { class: 'checks' },
          ready.checks.map((c) =>
            h(
              'li',
              { class: 'check', 'data-check': c.name },
              h('span', { class: `dot ${c.status === 'ok' ? 'ok' : c.status === 'degraded' ? 'warn' : 'error'}` }),
              h('strong', null, c.name),
              h('span', { class: 'muted small block' }, c.detail),
            ),
          ),
        ),
      );
    } catch (error) {
      if (!stopped) replace(checks, h('h2', null, 'Readiness'), h('p', { class: 'error' }, (error as Error).message));
    }
    try {
      const samples = parseMetrics(await (await request('/metrics', { accept: 'text/plain' })).text());
      if (stopped) return;
      const turns = sum(samples, 'kaged_turns_total');
      const errors = sum(samples, 'kaged_turns_total', (l) => l.outcome === 'error');
      const now = Date.now();
      history.push({ at: now, turns, errors });
      while (history.length > 2 && now - history[1]!.at > 5 * 60_000) history.shift();
      const first = history[0]!;
      const minutes = (now - first.at) / 60_000;
      const rate = (value: number) => (minutes > 0.05 ? (value / minutes).toFixed(1) : '…');
      const tokenTypes = ['input', 'output', 'cache_read', 'reasoning'];
      const failures = sum(samples, 'kaged_trace_export_failures_total');
      replace(
        figures,
        h('h2', null, 'Activity'),
        h(
          'dl',
          { class: 'figures big' },
          h('div', null, h('dt', null, 'turns / min'), h('dd', null, rate(turns - first.turns))),
          h('div', null, h('dt', null, 'errors / min'), h('dd', null, rate(errors - first.errors))),
          h('div', null, h('dt', null, 'in flight'), h('dd', null, String(sum(samples, 'kaged_turns_in_flight')))),
          h('div', null, h('dt', null, 'turns'), h('dd', null, String(turns))),
          h('div', null, h('dt', null, 'errors'), h('dd', null, String(errors))),
          h('div', null, h('dt', null, 'cost'), h('dd', null, usd(sum(samples, 'kaged_llm_cost_usd_total')))),
          ...tokenTypes.map((t) =>
            h('div', null, h('dt', null, `${t.replace('_', ' ')} tokens`), h('dd', null, String(sum(samples, 'kaged_llm_tokens_total', (l) => l.type === t)))),
          ),
          h('div', null, h('dt', null, 'export failures'), h('dd', null, String(failures))),
        ),
        h('p', { class: 'muted small' }, 'Counts since the daemon started; rates over the time this page has been watching (up to 5 minutes).'),
      );
    } catch (error) {
      if (stopped) return;
      const text = error instanceof ApiError && error.status === 404 ? 'This daemon serves no /metrics.' : (error as Error).message;
      replace(figures, h('h2', null, 'Activity'), h('p', { class: 'error' }, text));
    }
    if (!stopped) timer = setTimeout(() => void refresh(), 5000);
  };
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
};
