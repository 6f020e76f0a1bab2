import { roundCost } from '@kaged/core';
import type { LocalTraces, TraceCostFn, TraceUsage } from '@kaged/observability/tracing';
import { Hono } from 'hono';
import { errorResponse } from '../error-body.js';
import { invalidField as invalid, parseTime } from '../query-params.js';

export interface UsageRoutesOptions {
  /** `undefined` when local traces are off: the route then answers `local_traces_disabled`. */
  traces: LocalTraces | undefined;
  /** Prices a trace's model generations, as for `GET /v1/traces/{traceId}`; default none. */
  costOf?: TraceCostFn | undefined;
  /** The share of turns traced (0 to 1): the totals cover that share of the turns. */
  sampleRate?: (() => number) | undefined;
  /** The clock, for "since midnight". */
  now?: (() => Date) | undefined;
  /** At most this many traces are read per request (newest first). Default 5000. */
  maxTraces?: number | undefined;
}

export interface UsageFigures {
  /** Finished turns: `ok` and `error` traces. */
  turns: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Summed over the turns whose cost is known; `null` when none of several turns is. */
  costUsd: number | null;
  /** Turns left out of `costUsd`: a model of theirs has no price. */
  unpricedTurns: number;
}

/** A finished trace's part in the figures. Its spans no longer change, so it is kept. */
interface TraceRow {
  agentId: string;
  error: boolean;
  usage: TraceUsage;
  costUsd: number | null;
}

const CACHE_LIMIT = 10_000;
const READS_AT_ONCE = 8;

/**
 * `GET /v1/usage?since=`: turns, errors, tokens and cost since a time (default: the daemon's
 * local midnight), in total and by agent. From the local traces, not the metrics registry: the
 * traces are in the store (they outlive a restart, and on a shared PostgreSQL they hold every
 * daemon's turns) and name each turn's agent, while the counters start from zero with each
 * process and count tokens by model only. The price is sampling: with `sampleRate` below 1
 * the figures cover the sampled turns.
 */
export function usageRoutes(options: UsageRoutesOptions): Hono {
  const app = new Hono();
  const rows = new Map<string, TraceRow>();
  const maxTraces = options.maxTraces ?? 5000;

  app.get('/v1/usage', async (c) => {
    const traces = options.traces;
    if (!traces) {
      return errorResponse(
        c,
        404,
        'local_traces_disabled',
        'usage comes from the local traces, which are off (observability.localTraces.enabled: false in the project file)',
      );
    }
    const queries = c.req.queries();
    for (const [key, values] of Object.entries(queries)) {
      if (key !== 'since') return invalid(c, key, 'unknown query parameter (since)');
      if (values.length > 1) return invalid(c, key, 'given more than once');
    }
    const now = options.now?.() ?? new Date();
    const given = queries.since?.[0];
    const since = given === undefined ? localMidnight(now) : parseTime(given);
    if (!since) return invalid(c, 'since', 'must be an ISO 8601 time such as 2026-11-23T18:00:00Z, or milliseconds since 1970');

    const summaries = [];
    let complete = true;
    for (let page = 0; ; page++) {
      const result = await traces.list({ from: since, page, perPage: 100 });
      summaries.push(...result.traces);
      if (summaries.length >= maxTraces) {
        complete = !result.pagination.hasMore && summaries.length === maxTraces;
        break;
      }
      if (!result.pagination.hasMore) break;
    }
    const read = summaries.slice(0, maxTraces);
    let running = 0;
    const finished: TraceRow[] = [];
    await eachAtOnce(
      read,
      async (summary) => {
        if (summary.status === 'running') {
          running++;
          return;
        }
        let row = rows.get(summary.traceId);
        if (!row) {
          const detail = await traces.get(summary.traceId, { costOf: options.costOf });
          // Pruned between the list and the read, or still being written: left out this time.
          if (!detail || detail.status === 'running') return;
          row = { agentId: detail.agentId ?? 'unknown', error: detail.status === 'error', usage: detail.usage, costUsd: detail.costUsd };
          if (rows.size >= CACHE_LIMIT) rows.delete(rows.keys().next().value!);
          rows.set(summary.traceId, row);
        }
        finished.push(row);
      },
      READS_AT_ONCE,
    );

    const byAgent: Record<string, UsageFigures> = {};
    const agents = [...new Set(finished.map((row) => row.agentId))].sort();
    for (const agent of agents) byAgent[agent] = figures(finished.filter((row) => row.agentId === agent));
    return c.json({
      since: since.toISOString(),
      source: 'local_traces',
      sampleRate: options.sampleRate?.() ?? 1,
      tracesRead: read.length,
      complete,
      running,
      ...figures(finished),
      byAgent,
    });
  });

  return app;
}

function figures(rows: readonly TraceRow[]): UsageFigures {
  const known = rows.filter((row) => row.costUsd !== null);
  const sum = (pick: (row: TraceRow) => number) => rows.reduce((total, row) => total + pick(row), 0);
  return {
    turns: rows.length,
    errors: rows.filter((row) => row.error).length,
    inputTokens: sum((row) => row.usage.inputTokens),
    outputTokens: sum((row) => row.usage.outputTokens),
    cacheReadTokens: sum((row) => row.usage.cacheReadTokens),
    cacheWriteTokens: sum((row) => row.usage.cacheWriteTokens),
    reasoningTokens: sum((row) => row.usage.reasoningTokens),
    costUsd: rows.length > 0 && known.length === 0 ? null : roundCost(known.reduce((total, row) => total + row.costUsd!, 0)),
    unpricedTurns: rows.length - known.length,
  };
}

/** Midnight of `now`'s day in the daemon's time zone. */
function localMidnight(now: Date): Date {
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  return midnight;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachAtOnce<T>(items: readonly T[], work: (item: T) => Promise<void>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
