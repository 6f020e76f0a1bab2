import { useMutation, useQuery, useQueryClient } from '@tanstack/preact-query';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useSearch } from 'wouter-preact';
import { getJson, postJson, probeCapabilities } from '../api.js';
import { json, ms, promptName, short, time, tokens, usd } from '../format.js';
import { href, navigate } from '../hash-location.js';
import { chat, type Entry, newSession, type Part, resume, runTurn, useChat } from './chat-store.js';
import { listSessions, type SessionItem } from './sessions.js';

interface Agent {
  id: string;
  description?: string | null;
  model: string;
  tools: string[];
  subagents: string[];
  prompt: { id: string; version: string; path: string | null };
}

/** Keeps `#/chat?agent=…&session=…` in step, so a reload resumes the same conversation. */
function syncUrl(): void {
  navigate(href('/chat', { agent: chat.agentId, session: chat.sessionId }).slice(1), { replace: true });
}

export function ChatPage() {
  const state = useChat();
  const search = useSearch();
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const agents = useQuery({ queryKey: ['agents'], queryFn: ({ signal }) => getJson<{ agents: Agent[] }>('/v1/agents', signal) });
  const list = agents.data?.agents ?? [];

  // `#/chat?agent=…&session=…` picks the agent and resumes the session, once per visit.
  const [wanted] = useState(() => new URLSearchParams(search));
  useEffect(() => {
    if (!agents.data) return;
    const ids = list.map((a) => a.id);
    const agentId = wanted.get('agent') ?? state.agentId;
    const next = ids.includes(agentId) ? agentId : (ids[0] ?? '');
    if (next !== state.agentId) {
      state.agentId = next;
      newSession();
    }
    const session = wanted.get('session');
    if (session && session !== state.sessionId) void resume(session);
  }, [agents.data]);

  const sessions = useQuery({
    queryKey: ['sessions', state.agentId],
    queryFn: ({ signal }) => listSessions(state.agentId, signal),
    enabled: Boolean(state.agentId),
  });
  const agent = list.find((a) => a.id === state.agentId);
  const current = sessions.data?.sessions.find((s) => s.id === state.sessionId);

  const pick = (id: string | undefined) => {
    setOpen(false);
    if (id === state.sessionId) return;
    if (id) void resume(id);
    else newSession();
    syncUrl();
  };
  const send = async (message: string) => {
    const agentId = state.agentId;
    await runTurn(agentId, message);
    syncUrl();
    void queries.invalidateQueries({ queryKey: ['sessions', agentId] });
  };

  return (
    <>
      <div class="chat-bar">
        <label>
          <span class="sr">Agent</span>
          <select
            name="agent"
            aria-label="Agent"
            value={state.agentId}
            onChange={(event) => {
              state.agentId = event.currentTarget.value;
              newSession();
              syncUrl();
            }}
          >
            {list.map((a) => (
              <option key={a.id} value={a.id}>
                {a.id} · {a.model}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="ghost sessions-toggle" aria-expanded={open} aria-controls="sessions" onClick={() => setOpen(!open)} title="Sessions">
          <span class="grow ellipsis">{state.sessionId ? sessionLabel(current ?? { id: state.sessionId, updatedAt: null }) : 'New session'}</span>
          <span aria-hidden="true">{open ? '▴' : '▾'}</span>
        </button>
      </div>
      <p class="muted small about">
        {agents.error
          ? `Could not list agents: ${(agents.error as Error).message}`
          : agent
            ? describe(agent)
            : agents.data
              ? 'This project has no agents.'
              : ''}
      </p>
      <aside class={`sessions-pane${open ? ' open' : ''}`} id="sessions" aria-label="Sessions">
        <div class="row between">
          <h2>Sessions</h2>
          <button type="button" class="ghost small-button" onClick={() => pick(undefined)} data-session="">
            New session
          </button>
        </div>
        {sessions.error ? <p class="error small">{(sessions.error as Error).message}</p> : null}
        {sessions.data && sessions.data.sessions.length === 0 ? <p class="muted small">No earlier sessions.</p> : null}
        <ul class="rows session-list">
          {sessions.data?.sessions.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                class="row-link row-button"
                data-session={s.id}
                aria-current={s.id === state.sessionId ? 'true' : undefined}
                onClick={() => pick(s.id)}
              >
                <span class="grow">
                  <strong>{sessionLabel(s)}</strong>
                  <span class="muted small block ellipsis">
                    {time(s.updatedAt)}
                    {s.turns ? ` · ${s.turns} turn${s.turns === 1 ? '' : 's'}` : ''}
                    {s.title && s.lastMessage ? ` · ${s.lastMessage}` : ` · ${short(s.id, 10)}`}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <Transcript entries={state.entries} busy={state.busy} />
      <Composer busy={state.busy || !state.agentId} onSend={send} />
    </>
  );
}

function sessionLabel(s: SessionItem): string {
  return s.title || s.lastMessage || `session ${short(s.id, 10)}`;
}

function describe(agent: Agent): string {
  const parts = [
    agent.description ?? '',
    agent.tools.length ? `tools: ${agent.tools.join(', ')}` : '',
    agent.subagents.length ? `subagents: ${agent.subagents.join(', ')}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

function Composer({ busy, onSend }: { busy: boolean; onSend: (message: string) => Promise<void> }) {
  const input = useRef<HTMLTextAreaElement>(null);
  const form = useRef<HTMLFormElement>(null);
  // Through the CSSOM: the Content-Security-Policy (style-src 'self') refuses style attributes.
  const grow = () => {
    const area = input.current;
    if (!area) return;
    area.style.height = 'auto';
    area.style.height = `${Math.min(area.scrollHeight, 160)}px`;
  };
  return (
    <form
      ref={form}
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        const area = input.current;
        const message = area?.value.trim();
        if (!area || !message || busy) return;
        area.value = '';
        grow();
        void onSend(message);
      }}
    >
      <textarea
        ref={input}
        rows={1}
        name="message"
        placeholder="Message the agent…"
        aria-label="Message"
        enterkeyhint="send"
        onInput={grow}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && matchMedia('(pointer: fine)').matches) {
            event.preventDefault();
            form.current?.requestSubmit();
          }
        }}
      />
      <button type="submit" class="send" disabled={busy}>
        Send
      </button>
    </form>
  );
}

function Transcript({ entries, busy }: { entries: Entry[]; busy: boolean }) {
  const list = useRef<HTMLOListElement>(null);
  const count = entries.length;
  const last = entries.at(-1);
  const size = last?.kind === 'agent' ? last.parts.reduce((n, p) => n + (p.kind === 'text' ? p.text.length : 1000), 0) : 0;
  useLayoutEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [count, size, busy, last?.kind === 'agent' ? last.status : '']);
  return (
    <ol class="transcript" aria-live="polite" ref={list}>
      {entries.map((entry) => {
        if (entry.kind === 'user')
          return (
            <li key={entry.key} class="msg user">
              <div class="bubble">{entry.text}</div>
            </li>
          );
        if (entry.kind === 'note')
          return (
            <li key={entry.key} class="note">
              {entry.text}
              {entry.sessionId && chat.history === false ? (
                <a href={href('/traces', { sessionId: entry.sessionId })}>Its earlier turns are in Traces.</a>
              ) : null}
            </li>
          );
        return <AgentTurn key={entry.key} entry={entry} />;
      })}
    </ol>
  );
}

function AgentTurn({ entry }: { entry: Extract<Entry, { kind: 'agent' }> }) {
  const live = entry.status === 'starting' || entry.status === 'streaming';
  return (
    <li
      class={`msg agent${entry.status === 'failed' ? ' failed' : ''}${entry.past ? ' past' : ''}`}
      aria-busy={live ? 'true' : undefined}
      data-turn={entry.end?.turnId ?? entry.start?.turnId ?? entry.past?.turnId ?? undefined}
    >
      <div class="bubble">
        {entry.parts.map((part, index) => (
          <PartView key={part.kind === 'tool' ? part.id : index} part={part} />
        ))}
        {entry.error ? <p class="error">{entry.error}</p> : null}
      </div>
      <div class="turn-meta">
        <Meta entry={entry} />
      </div>
    </li>
  );
}

function PartView({ part }: { part: Part }) {
  if (part.kind === 'text') return <div class="text">{part.text}</div>;
  if (part.kind === 'flag')
    return (
      <p class={`flag${part.action === 'stop' ? ' error' : ''}`}>
        ⚑ {part.guard} ({part.action}): {part.message}
      </p>
    );
  const sub = part.name.startsWith('agent-');
  const running = part.state === 'running';
  return (
    <details class={`tool${sub ? ' subagent' : ''}${part.state === 'error' ? ' error' : ''}`} data-tool={part.name}>
      <summary>
        <span class="badge">{sub ? 'subagent' : 'tool'}</span> <code>{part.name}</code>
        <span class="tool-state">{running ? ' …' : part.state === 'error' ? ' failed' : ' ✓'}</span>
      </summary>
      <div class="kv">
        <span class="kv-label">input</span>
        <pre>{json(part.input)}</pre>
      </div>
      <div class="kv">
        <span class="kv-label">output</span>
        <pre class={running ? 'pending' : undefined}>{running ? 'running…' : json(part.output ?? null)}</pre>
      </div>
    </details>
  );
}

function Meta({ entry }: { entry: Extract<Entry, { kind: 'agent' }> }) {
  if (entry.status === 'starting') return <span class="muted">starting…</span>;
  if (entry.status === 'streaming') return <span class="muted">streaming…</span>;
  if (entry.past)
    return (
      <>
        <span>{time(entry.past.createdAt)}</span>
        {entry.past.traceId ? (
          <a href={`#/traces/${entry.past.traceId}`} class="trace-link">
            trace →
          </a>
        ) : null}
        {entry.past.turnId ? <Feedback turnId={entry.past.turnId} /> : null}
      </>
    );
  const { start, end } = entry;
  const traceId = end?.traceId ?? start?.traceId;
  return (
    <>
      {end ? (
        <>
          <span>{ms(end.durationMs)}</span>
          <span>{tokens(end.usage)}</span>
          <span>{usd(end.costUsd)}</span>
        </>
      ) : null}
      {start?.prompts.map((prompt) => (
        <a key={prompt.id} href={href('/prompts', { id: prompt.id })} title={prompt.id}>
          {promptName(prompt.id)}@{prompt.version.slice(0, 7)}
        </a>
      ))}
      {traceId && (end || entry.status === 'failed') ? (
        <a href={`#/traces/${traceId}`} class="trace-link">
          trace →
        </a>
      ) : null}
      {end ? <Feedback turnId={end.turnId} /> : null}
    </>
  );
}

/** Votes already given in this tab, so a re-rendered turn keeps its "thanks". */
const votes = new Map<string, 'up' | 'down'>();

function Feedback({ turnId }: { turnId: string }) {
  const capabilities = useQuery({ queryKey: ['capabilities'], queryFn: probeCapabilities, staleTime: Number.POSITIVE_INFINITY });
  const [sent, setSent] = useState(votes.get(turnId));
  const vote = useMutation({
    mutationFn: (value: 'up' | 'down') => postJson(`/v1/turns/${encodeURIComponent(turnId)}/feedback`, { value }),
    onSuccess: (_answer, value) => {
      votes.set(turnId, value);
      setSent(value);
    },
  });
  if (!capabilities.data?.feedback) return null;
  if (sent)
    return (
      <span class="feedback" data-sent={sent}>
        {sent === 'up' ? '▲ thanks' : '▼ noted'}
      </span>
    );
  return (
    <span class="feedback" title={vote.error ? (vote.error as Error).message : undefined}>
      <button type="button" class="ghost icon-button" aria-label="Good answer" title="Good answer" disabled={vote.isPending} onClick={() => vote.mutate('up')}>
        ▲
      </button>
      <button type="button" class="ghost icon-button" aria-label="Bad answer" title="Bad answer" disabled={vote.isPending} onClick={() => vote.mutate('down')}>
        ▼
      </button>
    </span>
  );
}
