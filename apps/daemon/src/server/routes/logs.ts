import { levelValues, type LogEntry, type LogFilter, type LogRing } from '@kaged/observability';
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errorResponse } from '../error-body.js';

export interface LogRoutesOptions {
  ring: LogRing | undefined;
  /** Aborted when the daemon shuts down: live tails end then. */
  shutdown: AbortSignal;
}

/** The most lines a tail buffers for a slow client before dropping the oldest. */
const TAIL_BUFFER = 1000;

/**
 * `GET /v1/logs`: recent lines from the in-memory log view (filters: level, turnId, sessionId,
 * since, limit). `GET /v1/logs/stream`: the same filters as a live tail over server-sent events;
 * `afterSeq` resumes after a line already seen.
 */
export function logRoutes({ ring, shutdown }: LogRoutesOptions): Hono {
  const app = new Hono();

  app.get('/v1/logs', (c) => {
    if (!ring) return unavailable(c);
    const filter = parseFilter(c);
    if (filter instanceof Response) return filter;
    return c.json({ lines: ring.query({ limit: 500, ...filter }) });
  });

  app.get('/v1/logs/stream', (c) => {
    if (!ring) return unavailable(c);
    const filter = parseFilter(c);
    if (filter instanceof Response) return filter;
    const { limit: _limit, ...liveFilter } = filter;
    return streamSSE(c, async (stream) => {
      const queue: LogEntry[] = [];
      let dropped = 0;
      let wake: (() => void) | undefined;
      const unsubscribe = ring.subscribe(liveFilter, (entry) => {
        queue.push(entry);
        if (queue.length > TAIL_BUFFER) {
          queue.shift();
          dropped++;
        }
        wake?.();
      });
      const stop = () => wake?.();
      stream.onAbort(stop);
      shutdown.addEventListener('abort', stop, { once: true });
      try {
        if (filter.afterSeq !== undefined) queue.unshift(...ring.query(liveFilter).filter((e) => !queue.includes(e)));
        while (!stream.aborted && !shutdown.aborted) {
          if (dropped > 0) {
            await stream.writeSSE({ event: 'dropped', data: JSON.stringify({ lines: dropped }) });
            dropped = 0;
          }
          const entry = queue.shift();
          if (entry) {
            await stream.writeSSE({ event: 'log', id: String(entry.seq), data: JSON.stringify(entry) });
            continue;
          }
          // Wait for a line, or send a heartbeat comment so proxies keep the connection open.
          const timedOut = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), 15_000);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = undefined;
          if (timedOut) await stream.write(': heartbeat\n\n');
        }
      } finally {
        unsubscribe();
        shutdown.removeEventListener('abort', stop);
      }
    });
  });

  return app;
}

function unavailable(c: Context): Response {
  return errorResponse(c, 404, 'logs_unavailable', 'this daemon keeps no log view (it was started with a logger of its own and no log ring)');
}

function parseFilter(c: Context): LogFilter | Response {
  const query = c.req.query();
  const filter: LogFilter = {};
  for (const key of Object.keys(query)) {
    if (!['level', 'turnId', 'sessionId', 'since', 'limit', 'afterSeq'].includes(key)) {
      return errorResponse(c, 400, 'invalid_request', `${key}: unknown query parameter (level, turnId, sessionId, since, limit, afterSeq)`, { field: key });
    }
  }
  if (query.level !== undefined) {
    if (!(query.level in levelValues))
      return errorResponse(c, 400, 'invalid_request', `level: must be one of ${Object.keys(levelValues).join(', ')}`, { field: 'level' });
    filter.level = query.level;
  }
  if (query.turnId !== undefined) filter.turnId = query.turnId;
  if (query.sessionId !== undefined) filter.sessionId = query.sessionId;
  if (query.since !== undefined) {
    const since = new Date(query.since);
    if (Number.isNaN(since.getTime()))
      return errorResponse(c, 400, 'invalid_request', 'since: must be an ISO 8601 time such as 2026-11-23T18:00:00Z', { field: 'since' });
    filter.since = since.toISOString();
  }
  for (const key of ['limit', 'afterSeq'] as const) {
    const value = query[key];
    if (value === undefined) continue;
    if (!/^\d+$/.test(value) || (key === 'limit' && (Number(value) < 1 || Number(value) > 5000))) {
      return errorResponse(c, 400, 'invalid_request', `${key}: must be ${key === 'limit' ? 'an integer from 1 to 5000' : 'a non-negative integer'}`, {
        field: key,
      });
    }
    filter[key] = Number(value);
  }
  return filter;
}
