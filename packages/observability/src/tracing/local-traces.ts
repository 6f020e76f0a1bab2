import type { MastraCompositeStore } from '@mastra/core/storage';
import { readTraceScores, type TraceScore } from './trace-scores.js';
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
  /**
   * Spans deleted for being older than `maxAgeDays` (Mastra's retention counts spans). The
   * scores of those days (feedback, guard flags) go with them, and are not counted here.
   */
  spansPastAge: number;
  /** Oldest traces deleted for exceeding `maxTraces`. */
  tracesOverCount: number;
}

/** One trace with the scores recorded on it (feedback, guard flags). */
export interface LocalTraceDetail extends TraceDetail {
  /** Oldest first. */
  scores: TraceScore[];
}

export interface InterruptedQuery {
  /** Only traces whose root span started before this time. */
  startedBefore: Date;
  /** The status message given to them. Default `INTERRUPTED_MESSAGE`. */
  message?: string | undefined;
}

export interface LocalTraces {
  list(query?: TraceQuery): Promise<TracePage>;
  /** The span tree of one trace and its scores; `undefined` when there is no such trace. */
  get(traceId: string, options?: { costOf?: TraceCostFn | undefined }): Promise<LocalTraceDetail | undefined>;
  /** The scores recorded on one trace, oldest first (empty for an unknown trace). */
  scores(traceId: string): Promise<TraceScore[]>;
  /** Deletes traces past the retention limits (age first, then count). */
  prune(): Promise<PruneSummary>;
  /**
   * Ends the traces that a stopped process left `running`: each span of theirs that never ended
   * gets `endedAt` (the trace's last recorded activity) and an error, `INTERRUPTED_MESSAGE`.
   * Which traces are safe to mark is the caller's rule (`startedBefore`). Returns how many.
   */
  markInterrupted(query: InterruptedQuery): Promise<number>;
}

/** The error of a span whose process stopped before it ended (a crash, SIGKILL, power loss). */
export const INTERRUPTED_MESSAGE = 'daemon stopped before the turn ended';
/** `error.id` of such a span, for clients that tell interrupted turns from failed ones. */
export const INTERRUPTED_ERROR_ID = 'KAGED_TURN_INTERRUPTED';

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
/** Running traces marked per `markInterrupted` call: pages of TRACE_PAGE, at most this many. */
const MAX_INTERRUPTED_PAGES = 20;

type ObservabilityStore = NonNullable<Awaited<ReturnType<MastraCompositeStore['getStore']>>> & {
  listTraces(args: unknown): Promise<{ spans: StoredSpan[]; pagination?: { total: number; page: number; perPage: number | false; hasMore: boolean } }>;
  getTrace(args: { traceId: string }): Promise<{ traceId: string; spans: StoredSpan[] } | null>;
  batchDeleteTraces(args: { traceIds: string[] }): Promise<void>;
  batchUpdateSpans(args: { records: { traceId: string; spanId: string; updates: Record<string, unknown> }[] }): Promise<void>;
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

  async function get(traceId: string, options: { costOf?: TraceCostFn | undefined } = {}): Promise<LocalTraceDetail | undefined> {
    const obs = await observability();
    const trace = await obs?.getTrace({ traceId });
    const detail = trace ? toTraceDetail(trace.spans, options.costOf) : undefined;
    return detail ? { ...detail, scores: await readTraceScores(storage, traceId) } : undefined;
  }

  async function pruneNow(): Promise<PruneSummary> {
    const obs = await observability();
    if (!obs) return { spansPastAge: 0, tracesOverCount: 0 };
    let tracesOverCount = 0;
    // Age: Mastra's own retention, asked for this call only (it prunes the spans table and the
    // scores table by their timestamps, in bounded batches); the store keeps no standing policy.
    const maxAge = retention.maxAgeDays * 86_400_000;
    const results = await storage.prune({
      retention: { observability: { spans: { maxAge, batchSize: BATCH } }, scores: { scorers: { maxAge, batchSize: BATCH } } },
      maxBatches: MAX_BATCHES,
    });
    const spansPastAge = results.filter((r) => r.domain === 'observability').reduce((sum, r) => sum + r.deleted, 0);
    // Count: Mastra has no count-based retention. Delete what started before the maxTraces-th
    // newest trace: a boundary that every daemon sharing the store computes alike, so two
    // prunes running at once delete the same traces or none (deleting "the N oldest" instead
    // took the next-oldest, which should stay, when the other daemon's delete landed first).
    // New traces only move the boundary later; a prune with an older one deletes less, never more.
    const boundary = await obs.listTraces({
      pagination: { page: Math.max(retention.maxTraces, 1) - 1, perPage: 1 },
      orderBy: { field: 'startedAt', direction: 'DESC' },
    });
    const newestKept = boundary.spans[0];
    if (newestKept) {
      // Strictly before: ties with the boundary trace are kept (so the store may hold a few more
      // than maxTraces while they last). Mastra's stores compare `startedAt <= end` and ignore
      // `endExclusive`; stored times have millisecond precision, so 1 ms earlier is "before".
      const end = new Date(toDate(newestKept.startedAt).getTime() - 1);
      for (let batch = 0; batch < MAX_COUNT_BATCHES; batch++) {
        const older = await obs.listTraces({
          filters: { startedAt: { end } },
          pagination: { page: 0, perPage: TRACE_PAGE },
          orderBy: { field: 'startedAt', direction: 'ASC' },
        });
        const traceIds = older.spans.map((s) => s.traceId);
        if (traceIds.length === 0) break;
        // Idempotent: a trace the other daemon deleted meanwhile is simply not found again.
        await obs.batchDeleteTraces({ traceIds });
        tracesOverCount += traceIds.length;
        if (traceIds.length < TRACE_PAGE) break;
      }
    }
    return { spansPastAge, tracesOverCount };
  }

  async function markInterrupted(query: InterruptedQuery): Promise<number> {
    const obs = await observability();
    if (!obs) return 0;
    const error = { message: query.message ?? INTERRUPTED_MESSAGE, id: INTERRUPTED_ERROR_ID, domain: 'KAGED', category: 'SYSTEM' };
    const end = new Date(query.startedBefore.getTime() - 1);
    let marked = 0;
    for (let page = 0; page < MAX_INTERRUPTED_PAGES; page++) {
      // Each marked trace leaves the `running` filter, so the first page is always the next one.
      const running = await obs.listTraces({
        filters: { status: 'running', startedAt: { end } },
        pagination: { page: 0, perPage: TRACE_PAGE },
        orderBy: { field: 'startedAt', direction: 'ASC' },
      });
      if (running.spans.length === 0) break;
      const records: { traceId: string; spanId: string; updates: Record<string, unknown> }[] = [];
      for (const root of running.spans) {
        const spans = (await obs.getTrace({ traceId: root.traceId }))?.spans ?? [root];
        // The trace ends at its last recorded activity, the closest known time to the stop.
        const last = Math.max(...spans.map((s) => toDate(s.endedAt ?? s.startedAt).getTime()));
        for (const span of spans) {
          if (span.endedAt || span.error) continue;
          records.push({ traceId: span.traceId, spanId: span.spanId, updates: { endedAt: new Date(last), error } });
        }
        // The root, even if getTrace missed it: without it the trace would be listed again.
        if (!spans.some((s) => s.spanId === root.spanId))
          records.push({ traceId: root.traceId, spanId: root.spanId, updates: { endedAt: new Date(last), error } });
      }
      await obs.batchUpdateSpans({ records });
      marked += running.spans.length;
      if (running.spans.length < TRACE_PAGE) break;
    }
    return marked;
  }

  return {
    list,
    get,
    scores: (traceId) => readTraceScores(storage, traceId),
    markInterrupted,
    prune() {
      // One prune at a time; callers arriving meanwhile share it.
      return (pruning ??= pruneNow().finally(() => (pruning = undefined)));
    },
  };
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
