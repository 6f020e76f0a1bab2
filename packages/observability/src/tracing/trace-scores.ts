import type { SaveScorePayload } from '@mastra/core/evals';
import type { ScoreEvent } from '@mastra/core/observability';
import { ObservabilityStorage, type MastraCompositeStore } from '@mastra/core/storage';

/** A score on a trace: user feedback, a guard flag, or any other score sent through Mastra's `addScore`. */
export interface TraceScore {
  /** The scorer's display name (`user feedback`, `guard: loop`…), else its id. */
  name: string;
  /** `kaged.feedback`, `kaged.guard.<guard>`… */
  scorerId: string;
  value: number;
  /** The feedback comment or the scorer's reason; `null` when none was given. */
  comment: string | null;
  /** How the score was produced: `manual` (feedback), `automated` (guards)… */
  source: string | null;
  /** The span it is about; `null` for the trace as a whole. */
  spanId: string | null;
  /** When it was recorded (ISO 8601). */
  createdAt: string;
  metadata: Record<string, unknown>;
}

/**
 * Mastra's observability store keeps score events only where it implements them (the v-next
 * PostgreSQL store); LibSQL and the standard PostgreSQL store inherit the base class's
 * "not implemented", and Mastra's storage exporter then drops every score. Asked here so that
 * a score goes to exactly one place: that store when it keeps scores, else the `scores` domain.
 */
export function keepsScoreEvents(observability: object | undefined): boolean {
  // The class that defines `batchCreateScores`: the base (by identity, or by name when the store
  // was loaded through another copy of @mastra/core, as under a test runner) means "not implemented".
  for (let proto = observability ? Object.getPrototypeOf(observability) : null; proto; proto = Object.getPrototypeOf(proto)) {
    if (!Object.hasOwn(proto, 'batchCreateScores')) continue;
    return proto !== ObservabilityStorage.prototype && (proto as { constructor?: { name?: string } }).constructor?.name !== 'ObservabilityStorage';
  }
  return false;
}

type ScoresStore = NonNullable<Awaited<ReturnType<MastraCompositeStore['getStore']>>> & {
  saveScore(score: SaveScorePayload): Promise<unknown>;
  listScoresByRunId(args: { runId: string; pagination: { page: number; perPage: number } }): Promise<{
    scores: ScoreRow[];
    pagination: { hasMore: boolean };
  }>;
};

interface ScoreRow {
  id: string;
  scorerId: string;
  score: number;
  reason?: string | null;
  scorer?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  traceId?: string | null;
  spanId?: string | null;
  createdAt: Date | string;
}

interface ObservabilityScoreRow {
  scoreId: string;
  timestamp: Date | string;
  spanId?: string | null;
  scorerId: string;
  scorerName?: string | null;
  scoreSource?: string | null;
  source?: string | null;
  score: number;
  reason?: string | null;
  metadata?: Record<string, unknown> | null;
}

const ENTITY_TYPES: Record<string, SaveScorePayload['entityType']> = { agent: 'AGENT', workflow_run: 'WORKFLOW', workflow: 'WORKFLOW' };

/**
 * A score event as a row of Mastra's `scores` domain. The row's `runId` is the trace id, so a
 * trace's scores are one `listScoresByRunId` away; the event's id becomes the row's id, so a
 * retried write replaces the row instead of adding a second one.
 */
export function savedScoreOf(event: ScoreEvent): SaveScorePayload | undefined {
  const score = event.score;
  const context = score.correlationContext;
  const traceId = score.traceId ?? context?.traceId;
  if (!traceId) return undefined;
  const spanId = score.spanId ?? context?.spanId;
  const entityType = ENTITY_TYPES[String(context?.entityType ?? score.targetEntityType ?? '')];
  const scoreSource = score.scoreSource ?? score.source;
  return {
    id: score.scoreId,
    scorerId: score.scorerId,
    scorer: {
      id: score.scorerId,
      ...(score.scorerName ? { name: score.scorerName } : {}),
      ...(score.scorerVersion ? { version: score.scorerVersion } : {}),
      ...(scoreSource ? { scoreSource } : {}),
    },
    entityId: context?.entityId ?? context?.entityName ?? 'unknown',
    ...(entityType ? { entityType } : {}),
    entity: { id: context?.entityId ?? null, name: context?.entityName ?? null },
    runId: traceId,
    traceId,
    ...(spanId ? { spanId } : {}),
    ...(context?.threadId || context?.sessionId ? { threadId: context.threadId ?? context.sessionId } : {}),
    ...(context?.resourceId ? { resourceId: context.resourceId } : {}),
    score: score.score,
    ...(score.reason ? { reason: score.reason } : {}),
    output: null,
    metadata: score.metadata ?? {},
    source: 'LIVE',
  };
}

/** At most this many pages of 100 scores are read per trace. */
const MAX_SCORE_PAGES = 10;

/** A trace's scores, oldest first, from wherever `savedScoreOf`/Mastra's exporter put them. */
export async function readTraceScores(storage: MastraCompositeStore, traceId: string): Promise<TraceScore[]> {
  const observability = await storage.getStore('observability');
  const scores: TraceScore[] = [];
  if (keepsScoreEvents(observability)) {
    const obs = observability as unknown as {
      listScores(args: unknown): Promise<{ scores: ObservabilityScoreRow[]; pagination: { hasMore: boolean } }>;
    };
    for (let page = 0; page < MAX_SCORE_PAGES; page++) {
      const result = await obs.listScores({ filters: { traceId }, pagination: { page, perPage: 100 } });
      scores.push(...result.scores.map(fromObservabilityRow));
      if (!result.pagination.hasMore) break;
    }
  } else {
    const store = (await storage.getStore('scores')) as ScoresStore | undefined;
    if (!store) return [];
    for (let page = 0; page < MAX_SCORE_PAGES; page++) {
      const result = await store.listScoresByRunId({ runId: traceId, pagination: { page, perPage: 100 } });
      // `runId` is the trace id for kaged's rows; a scorer run of Mastra's own evals has a run id of its own.
      scores.push(...result.scores.filter((row) => row.traceId === traceId).map(fromScoresRow));
      if (!result.pagination.hasMore) break;
    }
  }
  return scores.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

function fromScoresRow(row: ScoreRow): TraceScore {
  const scorer = row.scorer ?? {};
  return {
    name: stringOr(scorer.name) ?? row.scorerId,
    scorerId: row.scorerId,
    value: row.score,
    comment: row.reason ?? null,
    source: stringOr(scorer.scoreSource),
    spanId: row.spanId ?? null,
    createdAt: toIso(row.createdAt),
    metadata: row.metadata ?? {},
  };
}

function fromObservabilityRow(row: ObservabilityScoreRow): TraceScore {
  return {
    name: row.scorerName ?? row.scorerId,
    scorerId: row.scorerId,
    value: row.score,
    comment: row.reason ?? null,
    source: row.scoreSource ?? row.source ?? null,
    spanId: row.spanId ?? null,
    createdAt: toIso(row.timestamp),
    metadata: row.metadata ?? {},
  };
}

function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
