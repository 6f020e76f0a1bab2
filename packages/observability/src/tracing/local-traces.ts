import type { MastraCompositeStore } from '@mastra/core/storage';
import { toTraceDetail, toTraceSummary, type StoredSpan, type TraceCostFn, type TraceDetail, type TraceSummary } from './trace-tree.js';

/** Filters of `list()`; every given filter must match. */
export interface TraceQuery {
  sessionId?: string | undefined;
  userId?: string | undefined;
  agentId?: string | undefined;
  /** Traces carrying every one of these tags. */
  tags?: readonly string[] | undefined;
  /** Traces that started at or after this time. */
  from?: Date | undefined;
  /** Traces that started at or before this time. */
  to?: Date | undefined;
  /** 0-based. Default 0. */
  page?: number | undefined;
  /** Default 20. */
  perPage?: number | undefined;
}

export interface TracePage {
  /** Newest first. */
  traces: TraceSummary[];
  pagination: { total: number; page: number; perPage: number; hasMore: boolean };
}

export interface TraceRetention {
  /** Keep at most this many traces: the oldest go first. */
  maxTraces: number;
  /** Delete traces that started longer ago than this. */
  maxAgeDays: number;
}

export interface PruneSummary {
  /** Spans deleted for being older than `maxAgeDays` (Mastra's retention counts spans). */
  spansPastAge: number;
  /** Oldest traces deleted for exceeding `maxTraces`. */
  tracesOverCount: number;
}

export interface LocalTraces {
  list(query?: TraceQuery): Promise<TracePage>;
  /** The span tree of one trace; `undefined` when there is no such trace. */
  get(traceId: string, options?: { costOf?: TraceCostFn | undefined }): Promise<TraceDetail | undefined>;
  /** Deletes traces past the retention limits (age first, then count). */
  prune(): Promise<PruneSummary>;
}

/** Spans per age-retention delete batch (Mastra's `storage.prune`), at most MAX_BATCHES of them. */
const BATCH = 500;
const MAX_BATCHES = 20;
/**
 * Traces per count-retention batch. It is a page of `listTraces`, which Mastra refuses above
 * 100 rows (`too_big … perPage`): asking for more made every prune fail once the excess passed
 * 100, and retention stopped for good. Each prune call runs at most MAX_COUNT_BATCHES.
 */
const TRACE_PAGE = 100;
const MAX_COUNT_BATCHES = 50;

type ObservabilityStore = NonNullable<Awaited<ReturnType<MastraCompositeStore['getStore']>>> & {
  listTraces(args: unknown): Promise<{ spans: StoredSpan[]; pagination?: { total: number; page: number; perPage: number | false; hasMore: boolean } }>;
  getTrace(args: { traceId: string }): Promise<{ traceId: string; spans: StoredSpan[] } | null>;
  batchDeleteTraces(args: { traceIds: string[] }): Promise<void>;
};

/**
 * Traces that Mastra's storage exporter keeps in the application's Mastra store (the daemon's
 * `kaged.db`), read back through Mastra's observability storage API.
 */
export function createLocalTraces(storage: MastraCompositeStore, retention: TraceRetention): LocalTraces {
  let store: Promise<ObservabilityStore | undefined> | undefined;
  const observability = () => (store ??= storage.getStore('observability') as Promise<ObservabilityStore | undefined>);
  let pruning: Promise<PruneSummary> | undefined;

  async function list(query: TraceQuery = {}): Promise<TracePage> {
    const page = query.page ?? 0;
    const perPage = query.perPage ?? 20;
    const obs = await observability();
    if (!obs) return { traces: [], pagination: { total: 0, page, perPage, hasMore: false } };
    const result = await obs.listTraces({
      filters: {
        ...(query.sessionId ? { sessionId: query.sessionId } : {}),
        ...(query.userId ? { userId: query.userId } : {}),
        ...(query.agentId ? { entityId: query.agentId } : {}),
        ...(query.tags?.length ? { tags: [...query.tags] } : {}),
        ...(query.from || query.to ? { startedAt: { ...(query.from ? { start: query.from } : {}), ...(query.to ? { end: query.to } : {}) } } : {}),
      },
      pagination: { page, perPage },
      orderBy: { field: 'startedAt', direction: 'DESC' },
    });
    const total = result.pagination?.total ?? result.spans.length;
    return { traces: result.spans.map(toTraceSummary), pagination: { total, page, perPage, hasMore: result.pagination?.hasMore ?? false } };
  }

  async function get(traceId: string, options: { costOf?: TraceCostFn | undefined } = {}): Promise<TraceDetail | undefined> {
    const obs = await observability();
    const trace = await obs?.getTrace({ traceId });
    return trace ? toTraceDetail(trace.spans, options.costOf) : undefined;
  }

  async function pruneNow(): Promise<PruneSummary> {
    const obs = await observability();
    if (!obs) return { spansPastAge: 0, tracesOverCount: 0 };
    let tracesOverCount = 0;
    // Age: Mastra's own retention, asked for this call only (it prunes the spans table by
    // startedAt, in bounded batches); the store keeps no standing policy.
    const results = await storage.prune({
      retention: { observability: { spans: { maxAge: retention.maxAgeDays * 86_400_000, batchSize: BATCH } } },
      maxBatches: MAX_BATCHES,
    });
    const spansPastAge = results.reduce((sum, r) => sum + r.deleted, 0);
    // Count: Mastra has no count-based retention; delete the oldest traces beyond the limit.
    for (let batch = 0; batch < MAX_COUNT_BATCHES; batch++) {
      const total = (await obs.listTraces({ pagination: { page: 0, perPage: 1 } })).pagination?.total ?? 0;
      const excess = total - retention.maxTraces;
      if (excess <= 0) break;
      const oldest = await obs.listTraces({
        pagination: { page: 0, perPage: Math.min(excess, TRACE_PAGE) },
        orderBy: { field: 'startedAt', direction: 'ASC' },
      });
      const traceIds = oldest.spans.map((s) => s.traceId);
      if (traceIds.length === 0) break;
      await obs.batchDeleteTraces({ traceIds });
      tracesOverCount += traceIds.length;
    }
    return { spansPastAge, tracesOverCount };
  }

  return {
    list,
    get,
    prune() {
      // One prune at a time; callers arriving meanwhile share it.
      return (pruning ??= pruneNow().finally(() => (pruning = undefined)));
    },
  };
}
