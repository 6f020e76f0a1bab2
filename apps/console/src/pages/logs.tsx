import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useSearch } from 'wouter-preact';
import { getJson, sse } from '../api.js';
import { short } from '../format.js';
import { href, navigate } from '../hash-location.js';

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

type Item = { kind: 'line'; key: string; line: LogLine } | { kind: 'dropped'; key: string; lines: number };

const KEEP = 1000;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
// Shown in their own columns, or the same on every line of this daemon (pid, hostname, name).
const HIDDEN = new Set(['seq', 'level', 'time', 'msg', 'component', 'turnId', 'sessionId', 'agentId', 'traceId', 'pid', 'hostname', 'name']);

export function LogsPage() {
  const search = useSearch();
  const params = new URLSearchParams(search);
  const filter = new URLSearchParams({ level: params.get('level') ?? 'info' });
  for (const key of ['turnId', 'sessionId']) {
    const value = params.get(key);
    if (value) filter.set(key, value);
  }
  const filterText = filter.toString();
  const [items, setItems] = useState<Item[]>([]);
  const [live, setLive] = useState<{ state: 'connecting' | 'live' | 'off'; text: string }>({ state: 'connecting', text: 'connecting' });
  const [follow, setFollow] = useState(true);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    let lastSeq: number | undefined;
    // Lines are added in batches: a busy daemon must not re-render the page once per line.
    let pending: Item[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const batch = pending;
      pending = [];
      setItems((current) => [...current, ...batch].slice(-KEEP));
    };
    const add = (item: Item) => {
      if (item.kind === 'line') lastSeq = item.line.seq;
      pending.push(item);
      timer ??= setTimeout(flush, 30);
    };
    setItems([]);
    const run = async () => {
      const recent = await getJson<{ lines: LogLine[] }>(`/v1/logs?${filterText}&limit=200`, abort.signal);
      for (const line of recent.lines) add({ kind: 'line', key: `l${line.seq}`, line });
      // Reconnects resume after the last line seen (afterSeq): no gap, no duplicate.
      while (!abort.signal.aborted) {
        try {
          const query = new URLSearchParams(filterText);
          if (lastSeq !== undefined) query.set('afterSeq', String(lastSeq));
          const stream = sse(`/v1/logs/stream?${query}`, { signal: abort.signal });
          setLive({ state: 'live', text: 'live' });
          for await (const { event, data } of stream) {
            if (event === 'log') {
              const line = data as LogLine;
              add({ kind: 'line', key: `l${line.seq}`, line });
            } else if (event === 'dropped') add({ kind: 'dropped', key: `d${lastSeq ?? 0}-${Date.now()}`, lines: (data as { lines: number }).lines });
          }
        } catch (error) {
          if (abort.signal.aborted) return;
          setLive({ state: 'connecting', text: `reconnecting (${(error as Error).message})` });
        }
        if (!abort.signal.aborted) setLive((current) => (current.state === 'live' ? { state: 'connecting', text: 'connecting' } : current));
        await new Promise((done) => setTimeout(done, 2000));
      }
    };
    run().catch((error: unknown) => {
      if (!abort.signal.aborted) setLive({ state: 'off', text: (error as Error).message });
    });
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [filterText]);

  useLayoutEffect(() => {
    if (follow) list.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [items, follow]);

  return (
    <>
      <details class="filter-box" open={matchMedia('(min-width: 800px)').matches || [...params.keys()].length > 0}>
        <summary>Filters</summary>
        <Filters key={search} params={params} />
      </details>
      <div class="row between">
        <span class="live" data-state={live.state}>
          {live.text}
        </span>
        <label class="inline">
          <input type="checkbox" name="follow" checked={follow} onChange={(event) => setFollow(event.currentTarget.checked)} /> follow
        </label>
      </div>
      <ol class="log-lines" aria-live="polite" ref={list}>
        {items.map((item) =>
          item.kind === 'line' ? (
            <LogRow key={item.key} line={item.line} />
          ) : (
            <li key={item.key} class="note">
              {item.lines} lines dropped (too slow)
            </li>
          ),
        )}
      </ol>
    </>
  );
}

function Filters({ params }: { params: URLSearchParams }) {
  const input = (name: string, label: string) => (
    <label>
      <span>{label}</span>
      <input name={name} type="search" defaultValue={params.get(name) ?? ''} autocapitalize="off" spellcheck={false} />
    </label>
  );
  return (
    <form
      class="filters"
      onChange={(event) => event.currentTarget.requestSubmit()}
      onSubmit={(event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        for (const [key, value] of new FormData(event.currentTarget)) if (String(value).trim()) next.set(key, String(value).trim());
        navigate(`/logs?${next}`);
      }}
    >
      <label>
        <span>Level</span>
        <select name="level">
          {LEVELS.map((l) => (
            <option key={l} value={l} selected={l === (params.get('level') ?? 'info')}>
              {l}
            </option>
          ))}
        </select>
      </label>
      {input('turnId', 'Turn')}
      {input('sessionId', 'Session')}
      <div class="row end">
        <a class="button ghost" href="#/logs">
          Clear
        </a>
        <button type="submit">Filter</button>
      </div>
    </form>
  );
}

/** A line never changes once shown: skip re-rendering it when more lines arrive. */
class LogRow extends Component<{ line: LogLine }> {
  shouldComponentUpdate(next: { line: LogLine }): boolean {
    return next.line !== this.props.line;
  }

  render() {
    const { line } = this.props;
    const rest = Object.fromEntries(Object.entries(line).filter(([key]) => !HIDDEN.has(key)));
    const restText = Object.keys(rest).length ? JSON.stringify(rest) : '';
    return (
      <li class={`log level-${line.level}`} data-seq={line.seq}>
        <time dateTime={line.time}>{new Date(line.time).toLocaleTimeString()}</time>
        <span class={`lvl ${line.level}`}>{line.level}</span>
        <span class="msg">{line.msg}</span>
        {line.component ? <span class="muted">{line.component}</span> : null}
        {line.turnId ? (
          <a href={line.traceId ? `#/traces/${line.traceId}` : href('/logs', { turnId: line.turnId })} title={`turn ${line.turnId}`}>
            turn {short(line.turnId)}
          </a>
        ) : null}
        {restText ? (
          <button
            type="button"
            class="rest"
            title="tap to show all"
            aria-expanded="false"
            onClick={(event) => event.currentTarget.setAttribute('aria-expanded', String(event.currentTarget.classList.toggle('open')))}
          >
            {restText}
          </button>
        ) : null}
      </li>
    );
  }
}
