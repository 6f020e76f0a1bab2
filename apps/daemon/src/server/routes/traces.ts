import type { LocalTraces, TraceCostFn, TraceQuery } from '@kaged/observability/tracing';
import { Hono, type Context } from 'hono';
import { errorResponse } from '../error-body.js';
import { ID_PATTERN, ID_RULE, invalidField as invalid, parseTime } from '../query-params.js';

export interface TraceRoutesOptions {
  /** `undefined` when local traces are off. */
  traces: LocalTraces | undefined;
  /** Prices a trace's model generations for `costUsd`; default none (`null`). */
  costOf?: TraceCostFn | undefined;
}

const SINGLE = ['sessionId', 'userId', 'agentId', 'from', 'to', 'page', 'perPage'] as const;
const PARAMS = [...SINGLE, 'tag'];

/**
 * `GET /v1/traces`: the local traces, newest first (filters: sessionId, userId, agentId, tag,
 * from, to; page/perPage). `GET /v1/traces/{traceId}`: one trace as a span tree with timings,
 * tokens, cost where known, inputs and outputs as stored (after redaction), and its `scores`
 * (feedback, guard flags). A trace whose daemon stopped mid-turn is `error` with the message
 * "daemon stopped before the turn ended" once the next start (or, on a shared store, the grace
 * time) has passed.
 */
export function traceRoutes({ traces, costOf }: TraceRoutesOptions): Hono {
  const app = new Hono();

  app.get('/v1/traces', async (c) => {
    if (!traces) return disabled(c);
    const query = parseQuery(c);
    if (query instanceof Response) return query;
    return c.json(await traces.list(query));
  });

  app.get('/v1/traces/:traceId', async (c) => {
    if (!traces) return disabled(c);
    const traceId = c.req.param('traceId');
    if (!/^[0-9a-f]{1,32}$/i.test(traceId)) {
      return errorResponse(c, 400, 'invalid_request', 'traceId: must be 1-32 hexadecimal digits (as in turn.start)', { field: 'traceId' });
    }
    const trace = await traces.get(traceId.toLowerCase(), { costOf });
    if (!trace)
      return errorResponse(c, 404, 'unknown_trace', `no local trace ${traceId}: it was not sampled, was pruned, or is still being written (wait a second)`);
    return c.json(trace);
  });

  return app;
}

function disabled(c: Context): Response {
  return errorResponse(c, 404, 'local_traces_disabled', 'local traces are off (observability.localTraces.enabled: false in the project file)');
}

function parseQuery(c: Context): TraceQuery | Response {
  const queries = c.req.queries();
  for (const [key, values] of Object.entries(queries)) {
    if (!PARAMS.includes(key)) return invalid(c, key, `unknown query parameter (${PARAMS.join(', ')})`);
    if (key !== 'tag' && values.length > 1) return invalid(c, key, 'given more than once');
  }
  const one = (key: (typeof SINGLE)[number]) => queries[key]?.[0];
  const query: TraceQuery = {};
  for (const key of ['sessionId', 'userId', 'agentId'] as const) {
    const value = one(key);
    if (value === undefined) continue;
    if (!ID_PATTERN.test(value)) return invalid(c, key, ID_RULE);
    query[key] = value;
  }
  const tags = queries.tag;
  if (tags) {
    if (tags.length > 50) return invalid(c, 'tag', 'at most 50 tags');
    if (tags.some((tag) => tag === '' || tag.length > 100)) return invalid(c, 'tag', 'each tag must be 1-100 characters');
    query.tags = tags;
  }
  for (const key of ['from', 'to'] as const) {
    const value = one(key);
    if (value === undefined) continue;
    const time = parseTime(value);
    if (!time) return invalid(c, key, 'must be an ISO 8601 time such as 2026-11-23T18:00:00Z, or milliseconds since 1970');
    query[key] = time;
  }
  if (query.from && query.to && query.from > query.to) return invalid(c, 'to', 'must not be before from');
  const page = one('page');
  if (page !== undefined) {
    if (!/^\d{1,9}$/.test(page)) return invalid(c, 'page', 'must be an integer from 0 (the first page)');
    query.page = Number(page);
  }
  const perPage = one('perPage');
  if (perPage !== undefined) {
    if (!/^\d{1,3}$/.test(perPage) || Number(perPage) < 1 || Number(perPage) > 100) return invalid(c, 'perPage', 'must be an integer from 1 to 100');
    query.perPage = Number(perPage);
  }
  return query;
}
