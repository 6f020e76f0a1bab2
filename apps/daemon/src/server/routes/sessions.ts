import { redactSecretFields, SecretScrubber } from '@kaged/core';
import { isSessionCursor, type Harness, type SessionMessage } from '@kaged/harness';
import type { LocalTraces } from '@kaged/observability/tracing';
import { Hono, type Context } from 'hono';
import { errorResponse } from '../error-body.js';
import { ID_PATTERN, invalidField as invalid } from '../query-params.js';

export interface SessionRoutesOptions {
  harness: Harness;
  /** Local traces, to give each message the turn id of its trace; without them messages have none. */
  traces?: LocalTraces | undefined;
  /**
   * Censors the project's secret values wherever they appear in a message (a tool that echoed
   * a key, a model that repeated it). Default: only credential-shaped text and secret-named fields.
   */
  secrets?: { scrub(text: string): string } | undefined;
}

/** As `sessionId` in a turn request, longer for the threads Mastra keeps for subagent calls. */
/** A session's traces read to find its messages' turn ids: pages of 100, newest first. */
const TRACE_PAGES = 10;

/**
 * `GET /v1/sessions`: the sessions kept in memory, newest first (`agent`, `limit`, `cursor`).
 * `GET /v1/sessions/{sessionId}`: one session with its newest messages (`limit`), their tool
 * calls and results, trace ids and turn ids. What they return passes through the same secret
 * scrubbing as the logs: known secret values, credential-shaped text and secret-named fields.
 */
export function sessionRoutes({ harness, traces, secrets }: SessionRoutesOptions): Hono {
  const app = new Hono();
  const scrubber = secrets ?? new SecretScrubber();
  const text = (value: string) => scrubber.scrub(value);
  // Only what a model, a tool or a user wrote: ids and times are left alone (a session id may look like a key).
  const data = (value: unknown) => scrubDeep(redactSecretFields(value), text);
  const cleanMessage = (m: SessionMessage): SessionMessage => ({
    ...m,
    text: text(m.text),
    ...(m.toolCalls ? { toolCalls: m.toolCalls.map((call) => ({ ...call, args: data(call.args), result: data(call.result) })) } : {}),
  });

  app.get('/v1/sessions', async (c) => {
    const query = parseQuery(c, ['agent', 'limit', 'cursor']);
    if (query instanceof Response) return query;
    const agent = query.agent;
    if (agent !== undefined && !ID_PATTERN.test(agent)) return invalid(c, 'agent', 'must be an agent id (letters, digits, ".", "_", ":" or "-")');
    const limit = integer(query.limit, 1, 100);
    if (limit === null) return invalid(c, 'limit', 'must be an integer from 1 to 100');
    const cursor = query.cursor;
    if (cursor !== undefined && !isSessionCursor(cursor)) return invalid(c, 'cursor', 'must be the nextCursor of an earlier page');
    const page = await harness.sessions.list({ agentId: agent, limit, cursor });
    const sessions = page.sessions.map((session) => ({
      ...session,
      title: session.title === null ? null : text(session.title),
      ...(session.lastMessage === undefined ? {} : { lastMessage: text(session.lastMessage) }),
    }));
    return c.json({ sessions, nextCursor: page.nextCursor });
  });

  app.get('/v1/sessions/:sessionId', async (c) => {
    const sessionId = c.req.param('sessionId');
    if (!ID_PATTERN.test(sessionId)) {
      return invalid(c, 'sessionId', 'must be 1-256 characters of letters, digits, ".", "_", ":" or "-" (as in turn.start)');
    }
    const query = parseQuery(c, ['limit']);
    if (query instanceof Response) return query;
    const limit = integer(query.limit, 1, 1000);
    if (limit === null) return invalid(c, 'limit', 'must be an integer from 1 to 1000');
    const session = await harness.sessions.get(sessionId, { limit });
    if (!session) return errorResponse(c, 404, 'unknown_session', `no session ${sessionId}: no turn has used it (a turn with a client history keeps none)`);
    const turnIds = traces ? await turnIdsOf(traces, sessionId, session.messages) : new Map<string, string>();
    const messages = session.messages.map((m): SessionMessage & { turnId?: string } => {
      const turnId = m.traceId ? turnIds.get(m.traceId) : undefined;
      return { ...cleanMessage(m), ...(turnId ? { turnId } : {}) };
    });
    return c.json({ ...session, title: session.title === null ? null : text(session.title), messages });
  });

  return app;
}

/** The turn id of each trace the messages name, from the session's local traces (whose metadata has it). */
async function turnIdsOf(traces: LocalTraces, sessionId: string, messages: readonly SessionMessage[]): Promise<Map<string, string>> {
  const wanted = new Set(messages.flatMap((m) => (m.traceId ? [m.traceId] : [])));
  const found = new Map<string, string>();
  for (let page = 0; page < TRACE_PAGES && found.size < wanted.size; page++) {
    const result = await traces.list({ sessionId, page, perPage: 100 });
    for (const trace of result.traces) if (trace.turnId && wanted.has(trace.traceId)) found.set(trace.traceId, trace.turnId);
    if (!result.pagination.hasMore) break;
  }
  return found;
}

/** Every string in a JSON-like value scrubbed; keys are left as they are. */
function scrubDeep(value: unknown, scrub: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrubDeep(item, scrub, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item, scrub, depth + 1)]));
}

function parseQuery(c: Context, allowed: readonly string[]): Record<string, string | undefined> | Response {
  const result: Record<string, string | undefined> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (!allowed.includes(key)) return invalid(c, key, `unknown query parameter (${allowed.join(', ')})`);
    if (values.length > 1) return invalid(c, key, 'given more than once');
    result[key] = values[0];
  }
  return result;
}

/** `undefined` when absent, `null` when not an integer in [min, max]. */
function integer(value: string | undefined, min: number, max: number): number | undefined | null {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}
