import { ApiError, getJson } from '../api.js';
import { h, replace } from '../dom.js';
import { ms, percent, short, time, usd } from '../format.js';
import type { Page } from '../main.js';

interface PromptStatus {
  id: string;
  path: string | null;
  version: string;
  loadedAt: string;
  state: 'ok' | 'stale';
  error: string | null;
}

interface PromptsView {
  project: { file: string; state: 'ok' | 'stale'; errors: string[]; loadedAt: string };
  prompts: PromptStatus[];
}

export interface VersionFigures {
  version: string;
  current: boolean;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  turns: number;
  errors: number;
  errorRate: number | null;
  durationMs: { p50: number | null; p95: number | null };
  tokens: { input: number; output: number };
  costUsd: number | null;
  guardFlags: number | null;
  feedback: { up: number; down: number } | null;
  commit: { sha: string; date: string; subject: string } | null;
}

interface VersionsAnswer {
  promptId: string;
  tracesRead: number;
  versions: VersionFigures[];
}

export const promptsPage: Page = (root, params) => {
  const list = h('div', { class: 'prompt-list' }, h('p', { class: 'muted' }, 'Loading prompts…'));
  const versions = h('section', { class: 'versions', id: 'versions' });
  replace(root, list, versions);
  let stopped = false;
  getJson<PromptsView>('/v1/prompts').then(
    (view) => {
      if (stopped) return;
      const selected = params.get('id') ?? view.prompts[0]?.id;
      replace(
        list,
        view.project.state === 'stale'
          ? h(
              'div',
              { class: 'card error' },
              h('strong', null, `${view.project.file} is broken; the last good version runs`),
              h(
                'ul',
                null,
                view.project.errors.map((e) => h('li', null, h('code', null, e))),
              ),
            )
          : null,
        h(
          'ul',
          { class: 'rows' },
          view.prompts.map((p) =>
            h(
              'li',
              null,
              h(
                'a',
                { class: `row-link${p.id === selected ? ' selected' : ''}`, href: `#/prompts?id=${encodeURIComponent(p.id)}`, 'data-prompt': p.id },
                h('span', { class: `dot ${p.state === 'ok' ? 'ok' : 'error'}`, title: p.state }),
                h(
                  'span',
                  { class: 'grow' },
                  h('strong', null, p.id),
                  h('span', { class: 'muted small block' }, `${p.path ?? 'inline in the project file'} · loaded ${time(p.loadedAt)}`),
                  p.error ? h('span', { class: 'error small block' }, `stale: ${p.error}`) : null,
                ),
                h('code', { class: 'num version' }, p.version),
              ),
            ),
          ),
        ),
      );
      if (selected) void drawVersions(versions, selected, () => stopped);
    },
    (error: unknown) => replace(list, h('p', { class: 'error' }, (error as Error).message)),
  );
  return () => {
    stopped = true;
  };
};

async function drawVersions(box: HTMLElement, promptId: string, stopped: () => boolean): Promise<void> {
  replace(box, h('h2', null, promptId), h('p', { class: 'muted' }, 'Reading its versions from the local traces…'));
  let answer: VersionsAnswer;
  try {
    answer = await getJson<VersionsAnswer>(`/v1/prompts/${encodeURIComponent(promptId)}/versions`);
  } catch (error) {
    if (!stopped()) {
      const text =
        error instanceof ApiError && error.code === 'local_traces_disabled' ? 'Local traces are off: no per-version figures.' : (error as Error).message;
      replace(box, h('h2', null, promptId), h('p', { class: 'error' }, text));
    }
    return;
  }
  if (stopped()) return;
  const compare = h('div', { class: 'compare' });
  const picked: string[] = [];
  const cards = answer.versions.map((v) => {
    const check = h('input', { type: 'checkbox', 'aria-label': `compare ${v.version}` });
    check.addEventListener('change', () => {
      if (check.checked) picked.push(v.version);
      else picked.splice(picked.indexOf(v.version), 1);
      while (picked.length > 2) {
        const dropped = picked.shift();
        for (const other of box.querySelectorAll<HTMLInputElement>('input[data-version]')) if (other.dataset.version === dropped) other.checked = false;
      }
      drawCompare(
        compare,
        answer.versions.filter((x) => picked.includes(x.version)),
      );
    });
    check.dataset.version = v.version;
    return h(
      'article',
      { class: `card version-card${v.current ? ' current' : ''}`, 'data-version': v.version },
      h(
        'header',
        { class: 'row between' },
        h('span', null, h('code', null, v.version), v.current ? h('span', { class: 'badge ok' }, 'current') : null),
        h('label', { class: 'inline small' }, check, ' compare'),
      ),
      v.commit
        ? h('p', { class: 'small' }, 'commit ', h('code', { title: v.commit.sha }, v.commit.sha.slice(0, 8)), ` · ${v.commit.subject} · ${time(v.commit.date)}`)
        : null,
      h('p', { class: 'muted small' }, v.firstSeenAt ? `used ${time(v.firstSeenAt)} → ${time(v.lastSeenAt)}` : 'no turns yet'),
      h('dl', { class: 'figures' }, ...figures(v)),
    );
  });
  replace(
    box,
    h('h2', null, promptId),
    h(
      'p',
      { class: 'muted small' },
      `From the newest ${answer.tracesRead} local trace${answer.tracesRead === 1 ? '' : 's'}. Tick two versions to compare them.`,
    ),
    compare,
    h('div', { class: 'version-grid' }, cards),
  );
}

function figures(v: VersionFigures): HTMLElement[] {
  const pair = (label: string, value: string) => h('div', null, h('dt', null, label), h('dd', null, value));
  return [
    pair('turns', String(v.turns)),
    pair('error rate', v.turns ? `${percent(v.errorRate)} (${v.errors})` : '—'),
    pair('p50', ms(v.durationMs.p50)),
    pair('p95', ms(v.durationMs.p95)),
    pair('tokens in', String(v.tokens.input)),
    pair('tokens out', String(v.tokens.output)),
    pair('cost', usd(v.costUsd)),
    pair('guard flags', v.guardFlags === null ? '—' : String(v.guardFlags)),
    pair('feedback', v.feedback ? `▲ ${v.feedback.up} · ▼ ${v.feedback.down}` : '—'),
  ];
}

function drawCompare(box: HTMLElement, pair: VersionFigures[]): void {
  if (pair.length < 2) {
    replace(box);
    return;
  }
  const [a, b] = pair as [VersionFigures, VersionFigures];
  const rows: [string, (v: VersionFigures) => string, (v: VersionFigures) => number | null][] = [
    ['turns', (v) => String(v.turns), (v) => v.turns],
    ['error rate', (v) => percent(v.errorRate), (v) => v.errorRate],
    ['p50', (v) => ms(v.durationMs.p50), (v) => v.durationMs.p50],
    ['p95', (v) => ms(v.durationMs.p95), (v) => v.durationMs.p95],
    [
      'tokens / turn',
      (v) => (v.turns ? String(Math.round((v.tokens.input + v.tokens.output) / v.turns)) : '—'),
      (v) => (v.turns ? (v.tokens.input + v.tokens.output) / v.turns : null),
    ],
    [
      'cost / turn',
      (v) => (v.turns && v.costUsd !== null ? usd(v.costUsd / v.turns) : '—'),
      (v) => (v.turns && v.costUsd !== null ? v.costUsd / v.turns : null),
    ],
  ];
  replace(
    box,
    h(
      'table',
      { class: 'compare-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, ''),
          h('th', null, h('code', null, short(a.version, 12))),
          h('th', null, h('code', null, short(b.version, 12))),
          h('th', null, 'Δ'),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map(([label, show, value]) => {
          const va = value(a);
          const vb = value(b);
          const delta = va !== null && vb !== null && va !== 0 ? `${vb >= va ? '+' : ''}${Math.round(((vb - va) / va) * 100)}%` : '—';
          return h('tr', null, h('th', null, label), h('td', null, show(a)), h('td', null, show(b)), h('td', { class: 'muted' }, delta));
        }),
      ),
    ),
  );
}
