import { getJson, routeMissing } from '../api.js';

/** One row of the session list, from `GET /v1/sessions` or, without it, from the local traces. */
export interface SessionItem {
  id: string;
  title?: string | null;
  updatedAt: string | null;
  lastMessage?: string | null;
  /** Counted from the traces when the list comes from them. */
  turns?: number;
}

export interface SessionList {
  /** `sessions`: the daemon's session store; `traces`: the session ids seen in the local traces. */
  source: 'sessions' | 'traces';
  sessions: SessionItem[];
}

interface SessionsPage {
  sessions: { id: string; agentId: string | null; title?: string | null; createdAt: string; updatedAt: string; lastMessage?: string | null; turns?: number }[];
  nextCursor: string | null;
}

interface TraceSummary {
  sessionId: string | null;
  startedAt: string;
}

/**
 * The agent's sessions, newest first. A daemon without `GET /v1/sessions` still lets the operator
 * resume a session: the ids come from the local traces (one entry per session id, newest first).
 */
export async function listSessions(agentId: string, signal?: AbortSignal): Promise<SessionList> {
  try {
    const page = await getJson<SessionsPage>(`/v1/sessions?agent=${encodeURIComponent(agentId)}`, signal);
    return {
      source: 'sessions',
      sessions: page.sessions.map((s) => ({
        id: s.id,
        title: s.title,
        updatedAt: s.updatedAt,
        lastMessage: s.lastMessage,
        ...(s.turns === undefined ? {} : { turns: s.turns }),
      })),
    };
  } catch (error) {
    if (!routeMissing(error)) throw error;
  }
  try {
    const { traces } = await getJson<{ traces: TraceSummary[] }>(`/v1/traces?agentId=${encodeURIComponent(agentId)}&perPage=100`, signal);
    const seen = new Map<string, SessionItem>();
    for (const trace of traces) {
      if (!trace.sessionId) continue;
      const item = seen.get(trace.sessionId) ?? { id: trace.sessionId, updatedAt: trace.startedAt, turns: 0 };
      item.turns = (item.turns ?? 0) + 1;
      seen.set(trace.sessionId, item);
    }
    return { source: 'traces', sessions: [...seen.values()] };
  } catch {
    return { source: 'traces', sessions: [] }; // no local traces: only new sessions
  }
}
