import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, routeMissing, sse } from '../api.js';
import type { Usage } from '../format.js';

export interface TurnStart {
  turnId: string;
  sessionId: string;
  agentId: string;
  prompts: { id: string; version: string }[];
  traceId: string | null;
}

export interface TurnEnd {
  turnId: string;
  text: string;
  finishReason: string;
  usage: Usage;
  costUsd: number | null;
  durationMs: number;
  traceId: string | null;
}

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id: string; name: string; input: unknown; output?: unknown; state: 'running' | 'ok' | 'error' }
  | { kind: 'flag'; guard: string; action: string; message: string };

export type Entry =
  | { kind: 'user'; key: number; text: string }
  | {
      kind: 'agent';
      key: number;
      parts: Part[];
      status: 'starting' | 'streaming' | 'done' | 'failed';
      start?: TurnStart;
      end?: TurnEnd;
      error?: string;
      /** From the session's stored history, not streamed in this tab. */
      past?: { createdAt: string; turnId: string | null; traceId: string | null };
    }
  | { kind: 'note'; key: number; text: string; sessionId?: string };

/** `GET /v1/sessions/{id}` (docs/http-api.md). */
export interface SessionMessage {
  id: string;
  role: string;
  text: string;
  createdAt: string;
  toolCalls?: { id?: string; name: string; args: unknown; result: unknown; isError?: boolean; subagent?: string }[];
  turnId?: string | null;
  traceId?: string | null;
}

// The conversation survives a visit to another page: it lives here, not in a component.
export const chat = {
  agentId: '',
  sessionId: undefined as string | undefined,
  entries: [] as Entry[],
  busy: false,
  /** Whether the daemon serves stored session history (`GET /v1/sessions/{id}`); unknown at first. */
  history: undefined as boolean | undefined,
};

let nextKey = 1;
const listeners = new Set<() => void>();

export function changed(): void {
  for (const listener of listeners) listener();
}

/** Re-renders the calling component whenever the conversation changes. */
export function useChat(): typeof chat {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return chat;
}

export function newSession(): void {
  chat.sessionId = undefined;
  chat.entries = [];
  changed();
}

/** Continues session `id`: its stored messages are shown when the daemon serves them. */
export async function resume(id: string): Promise<void> {
  chat.sessionId = id;
  const note: Entry = { kind: 'note', key: nextKey++, text: 'Loading the session’s history…', sessionId: id };
  chat.entries = [note];
  changed();
  let messages: SessionMessage[] | undefined;
  try {
    const session = await getJson<{ id: string; agentId: string; messages: SessionMessage[] }>(`/v1/sessions/${encodeURIComponent(id)}`);
    chat.history = true;
    messages = session.messages;
  } catch (error) {
    if (routeMissing(error)) chat.history = false;
    else if (error instanceof ApiError && error.code === 'unknown_session')
      messages = []; // no turn stored yet: it starts now
    else if (chat.sessionId === id) note.text = `Its history could not be read: ${(error as Error).message}. `;
  }
  if (chat.sessionId !== id) return; // another session was picked meanwhile
  if (messages) {
    note.text = messages.length ? `Session ${id}, resumed: the agent remembers it.` : `Session ${id} has no messages yet.`;
    chat.entries = [note, ...entriesOf(messages), ...chat.entries.filter((e) => e !== note)];
  } else if (chat.history === false) {
    note.text = `Continuing session ${id}: the agent remembers it. `;
  }
  changed();
}

function entriesOf(messages: SessionMessage[]): Entry[] {
  const out: Entry[] = [];
  for (const message of messages) {
    if (message.role === 'user') {
      out.push({ kind: 'user', key: nextKey++, text: message.text });
      continue;
    }
    if (message.role !== 'assistant') continue; // system and tool messages: their content shows in the assistant's
    const parts: Part[] = (message.toolCalls ?? []).map((call, index) => ({
      kind: 'tool',
      id: call.id ?? `${message.id}-${index}`,
      name: call.name,
      input: call.args,
      output: call.result,
      state: call.isError ? 'error' : 'ok',
    }));
    if (message.text) parts.push({ kind: 'text', text: message.text });
    if (parts.length === 0) continue;
    out.push({
      kind: 'agent',
      key: nextKey++,
      parts,
      status: 'done',
      past: { createdAt: message.createdAt, turnId: message.turnId ?? null, traceId: message.traceId ?? null },
    });
  }
  return out;
}

/** Streams one turn into the transcript. Resolves when the turn ended, failed or was cut off. */
export async function runTurn(agentId: string, message: string): Promise<void> {
  chat.busy = true;
  const entry: Extract<Entry, { kind: 'agent' }> = { kind: 'agent', key: nextKey++, parts: [], status: 'starting' };
  chat.entries = [...chat.entries, { kind: 'user', key: nextKey++, text: message }, entry];
  changed();
  const text = (delta: string) => {
    const last = entry.parts.at(-1);
    // Text after a tool call starts a new paragraph.
    if (last?.kind === 'text') last.text += delta;
    else entry.parts.push({ kind: 'text', text: delta });
  };
  try {
    for await (const { event, data } of sse(`/v1/agents/${encodeURIComponent(agentId)}/turns`, {
      body: { message, ...(chat.sessionId ? { sessionId: chat.sessionId } : {}) },
    })) {
      const d = data as Record<string, unknown>;
      if (event === 'turn.start') {
        entry.start = d as unknown as TurnStart;
        entry.status = 'streaming';
        chat.sessionId = entry.start.sessionId;
      } else if (event === 'text.delta') {
        text(String(d.text ?? ''));
      } else if (event === 'tool.call') {
        entry.parts.push({ kind: 'tool', id: String(d.id), name: String(d.name), input: d.input, state: 'running' });
      } else if (event === 'tool.result') {
        const call = entry.parts.find((p) => p.kind === 'tool' && p.id === String(d.id));
        if (call?.kind === 'tool') {
          call.output = d.output;
          call.state = d.isError === true ? 'error' : 'ok';
        }
      } else if (event === 'guard.flag') {
        entry.parts.push({ kind: 'flag', guard: String(d.guard), action: String(d.action), message: String(d.message) });
      } else if (event === 'turn.end') {
        entry.end = d as unknown as TurnEnd;
        if (!entry.parts.some((p) => p.kind === 'text')) text(entry.end.text);
        entry.status = 'done';
      } else if (event === 'turn.error') {
        entry.error = `${String(d.code)}: ${String(d.message)}`;
        entry.status = 'failed';
      }
      changed();
    }
    if (entry.status === 'streaming' || entry.status === 'starting') {
      entry.error = 'The turn ended without turn.end.';
      entry.status = 'failed';
    }
  } catch (error) {
    entry.error = error instanceof ApiError ? `${error.code}: ${error.message}` : `The turn was cut off: ${(error as Error).message}`;
    entry.status = 'failed';
  } finally {
    chat.busy = false;
    changed();
  }
}
