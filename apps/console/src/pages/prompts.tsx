import { useQuery } from '@tanstack/preact-query';
import { useState } from 'preact/hooks';
import { useSearch } from 'wouter-preact';
import { ApiError, getJson } from '../api.js';
import { diffLines, sideBySide, type DiffRow } from '../diff.js';
import { ms, percent, short, time, usd } from '../format.js';
import { href } from '../hash-location.js';
import { versionText } from './prompt-text.js';

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
  /** The version's text (the store's, or a trace's); `null` with the reason in `textMissing`. */
  text: string | null;
  textMissing: string | null;
}

interface VersionsAnswer {
  promptId: string;
  tracesRead: number;
  versions: VersionFigures[];
}

export function PromptsPage() {
  const params = new URLSearchParams(useSearch());
  const prompts = useQuery({ queryKey: ['prompts'], queryFn: ({ signal }) => getJson<PromptsView>('/v1/prompts', signal) });
  const view = prompts.data;
  const selected = params.get('id') ?? view?.prompts[0]?.id;
  return (
    <>
      <div class="prompt-list">
        {prompts.error ? <p class="error">{(prompts.error as Error).message}</p> : null}
        {!view && !prompts.error ? <p class="muted">Loading prompts…</p> : null}
        {view?.project.state === 'stale' ? (
          <div class="card error">
            <strong>{view.project.file} is broken; the last good version runs</strong>
            <ul>
              {view.project.errors.map((e) => (
                <li key={e}>
                  <code>{e}</code>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {view ? (
          <ul class="rows">
            {view.prompts.map((p) => (
              <li key={p.id}>
                <a class={`row-link${p.id === selected ? ' selected' : ''}`} href={href('/prompts', { id: p.id })} data-prompt={p.id}>
                  <span class={`dot ${p.state === 'ok' ? 'ok' : 'error'}`} title={p.state} />
                  <span class="grow">
                    <strong>{p.id}</strong>
                    <span class="muted small block">
                      {p.path ?? 'inline in the project file'} · loaded {time(p.loadedAt)}
                    </span>
                    {p.error ? <span class="error small block">stale: {p.error}</span> : null}
                  </span>
                  <code class="num version">{p.version}</code>
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </div>
      <section class="versions" id="versions">
        {selected ? <Versions key={selected} promptId={selected} current={view?.prompts.find((p) => p.id === selected)?.version} /> : null}
      </section>
    </>
  );
}

function Versions({ promptId, current }: { promptId: string; current: string | undefined }) {
  const answer = useQuery({
    // The current version is in the key: an edit on disk reads the figures again.
    queryKey: ['prompt-versions', promptId, current],
    queryFn: ({ signal }) => getJson<VersionsAnswer>(`/v1/prompts/${encodeURIComponent(promptId)}/versions`, signal),
  });
  const [picked, setPicked] = useState<string[]>([]);
  if (answer.error) {
    const error = answer.error;
    const text =
      error instanceof ApiError && error.code === 'local_traces_disabled' ? 'Local traces are off: no per-version figures.' : (error as Error).message;
    return (
      <>
        <h2>{promptId}</h2>
        <p class="error">{text}</p>
      </>
    );
  }
  if (!answer.data)
    return (
      <>
        <h2>{promptId}</h2>
        <p class="muted">Reading its versions from the local traces…</p>
      </>
    );
  const { versions, tracesRead } = answer.data;
  const toggle = (version: string, on: boolean) =>
    setPicked((now) => (on ? [...now.filter((v) => v !== version), version].slice(-2) : now.filter((v) => v !== version)));
  const pair = versions.filter((v) => picked.includes(v.version));
  return (
    <>
      <h2>{promptId}</h2>
      <p class="muted small">
        From the newest {tracesRead} local trace{tracesRead === 1 ? '' : 's'}. Tick two versions to compare them.
      </p>
      {pair.length === 2 ? <Compare promptId={promptId} pair={order(pair[0]!, pair[1]!)} /> : null}
      <div class="version-grid">
        {versions.map((v) => (
          <article key={v.version} class={`card version-card${v.current ? ' current' : ''}`} data-version={v.version}>
            <header class="row between">
              <span>
                <code>{v.version}</code>
                {v.current ? <span class="badge ok">current</span> : null}
              </span>
              <label class="inline small">
                <input
                  type="checkbox"
                  aria-label={`compare ${v.version}`}
                  data-version={v.version}
                  checked={picked.includes(v.version)}
                  onChange={(event) => toggle(v.version, event.currentTarget.checked)}
                />{' '}
                compare
              </label>
            </header>
            {v.commit ? (
              <p class="small">
                commit <code title={v.commit.sha}>{v.commit.sha.slice(0, 8)}</code> · {v.commit.subject} · {time(v.commit.date)}
              </p>
            ) : null}
            <p class="muted small">{v.firstSeenAt ? `used ${time(v.firstSeenAt)} → ${time(v.lastSeenAt)}` : 'no turns yet'}</p>
            <dl class="figures">
              <Pair label="turns" value={String(v.turns)} />
              <Pair label="error rate" value={v.turns ? `${percent(v.errorRate)} (${v.errors})` : '—'} />
              <Pair label="p50" value={ms(v.durationMs.p50)} />
              <Pair label="p95" value={ms(v.durationMs.p95)} />
              <Pair label="tokens in" value={String(v.tokens.input)} />
              <Pair label="tokens out" value={String(v.tokens.output)} />
              <Pair label="cost" value={usd(v.costUsd)} />
              <Pair label="guard flags" value={v.guardFlags === null ? '—' : String(v.guardFlags)} />
              <Pair label="feedback" value={v.feedback ? `▲ ${v.feedback.up} · ▼ ${v.feedback.down}` : '—'} />
            </dl>
          </article>
        ))}
      </div>
    </>
  );
}

/** Older on the left: a version never used (no first turn) counts as the newest. */
function order(a: VersionFigures, b: VersionFigures): [VersionFigures, VersionFigures] {
  const at = (v: VersionFigures) => v.firstSeenAt ?? '\uffff';
  if (a.current !== b.current) return a.current ? [b, a] : [a, b];
  return at(a) <= at(b) ? [a, b] : [b, a];
}

function Pair({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function Compare({ promptId, pair }: { promptId: string; pair: [VersionFigures, VersionFigures] }) {
  const [a, b] = pair;
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
  return (
    <div class="compare">
      <div class="table-scroll">
        <table class="compare-table">
          <thead>
            <tr>
              <th />
              <th>
                <code>{short(a.version, 12)}</code>
              </th>
              <th>
                <code>{short(b.version, 12)}</code>
              </th>
              <th>Δ</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, show, value]) => {
              const va = value(a);
              const vb = value(b);
              const delta = va !== null && vb !== null && va !== 0 ? `${vb >= va ? '+' : ''}${Math.round(((vb - va) / va) * 100)}%` : '—';
              return (
                <tr key={label}>
                  <th>{label}</th>
                  <td>{show(a)}</td>
                  <td>{show(b)}</td>
                  <td class="muted">{delta}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <PromptDiff promptId={promptId} a={a} b={b} />
    </div>
  );
}

const CONTEXT = 3;

function PromptDiff({ promptId, a, b }: { promptId: string; a: VersionFigures; b: VersionFigures }) {
  const left = versionText(a);
  const right = versionText(b);
  const [open, setOpen] = useState<Set<number>>(new Set());
  const label = (
    <div class="diff-head">
      <code>{short(a.version, 12)}</code>
      <span aria-hidden="true">→</span>
      <code>{short(b.version, 12)}</code>
    </div>
  );
  if (left.text === null || right.text === null)
    return (
      <section class="diff-box diff-missing">
        {label}
        {left.text === null ? (
          <p class="muted small">
            <code>{short(a.version, 12)}</code>: {left.reason}
          </p>
        ) : null}
        {right.text === null ? (
          <p class="muted small">
            <code>{short(b.version, 12)}</code>: {right.reason}
          </p>
        ) : null}
      </section>
    );
  const lines = diffLines(left.text, right.text);
  const rows = sideBySide(lines);
  const added = lines.filter((l) => l.kind === 'add').length;
  const removed = lines.filter((l) => l.kind === 'del').length;
  return (
    <section class="diff-box" aria-label={`Diff of ${promptId}`}>
      <div class="row between">
        {label}
        <span class="small diff-stat">
          <span class="add-count">+{added}</span> <span class="del-count">−{removed}</span> line{added + removed === 1 ? '' : 's'}
        </span>
      </div>
      <div class="diff">
        {fold(rows).map((item) =>
          item.kind === 'fold' && !open.has(item.at) ? (
            <button key={`f${item.at}`} type="button" class="diff-fold ghost" onClick={() => setOpen((now) => new Set(now).add(item.at))}>
              ⋯ {item.rows.length} unchanged line{item.rows.length === 1 ? '' : 's'}
            </button>
          ) : (
            (item.kind === 'fold' ? item.rows : [item.row]).map((row, index) => <DiffRowView key={`r${item.at + index}`} row={row} />)
          ),
        )}
      </div>
    </section>
  );
}

type Folded = { kind: 'row'; at: number; row: DiffRow } | { kind: 'fold'; at: number; rows: DiffRow[] };

/** Long runs of unchanged lines fold away, keeping three lines of context around each change. */
function fold(rows: DiffRow[]): Folded[] {
  const out: Folded[] = [];
  for (let i = 0; i < rows.length; ) {
    if (rows[i]!.kind !== 'same') {
      out.push({ kind: 'row', at: i, row: rows[i]! });
      i++;
      continue;
    }
    let end = i;
    while (end < rows.length && rows[end]!.kind === 'same') end++;
    const keepHead = i === 0 ? 0 : CONTEXT;
    const keepTail = end === rows.length ? 0 : CONTEXT;
    if (end - i > keepHead + keepTail + 1) {
      for (let j = i; j < i + keepHead; j++) out.push({ kind: 'row', at: j, row: rows[j]! });
      out.push({ kind: 'fold', at: i + keepHead, rows: rows.slice(i + keepHead, end - keepTail) });
      for (let j = end - keepTail; j < end; j++) out.push({ kind: 'row', at: j, row: rows[j]! });
    } else for (let j = i; j < end; j++) out.push({ kind: 'row', at: j, row: rows[j]! });
    i = end;
  }
  return out;
}

function DiffRowView({ row }: { row: DiffRow }) {
  return (
    <div class={`diff-row ${row.kind}`}>
      <div class="side a">
        <span class="ln">{row.left?.a ?? ''}</span>
        <span class="code">{row.left?.text ?? ''}</span>
      </div>
      <div class="side b">
        <span class="ln">{row.right?.b ?? ''}</span>
        <span class="code">{row.right?.text ?? ''}</span>
      </div>
    </div>
  );
}
