import type { LocalTraces, TraceCostFn, TraceDetail, TraceScore, TraceSpan } from '@kaged/observability/tracing';
import { Hono } from 'hono';
import { agentOfPromptId } from '../../project/project.js';
import { errorResponse } from '../error-body.js';
import { createPromptCommits, type PromptCommit } from './prompt-commits.js';
import type { PromptsView } from './prompts.js';

export interface PromptVersionRoutesOptions {
  prompts: () => PromptsView;
  /** `undefined` when local traces are off. */
  traces: LocalTraces | undefined;
  costOf?: TraceCostFn | undefined;
  /** How many of the newest traces the figures are computed from. Default 500. */
  maxTraces?: number | undefined;
  /** The text of a prompt's version, while the store serves it (the current one); `undefined` otherwise. */
  promptText?: ((promptId: string, version: string) => string | undefined) | undefined;
}

export interface PromptVersionFigures {
  version: string;
  current: boolean;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  turns: number;
  errors: number;
  errorRate: number | null;
  durationMs: { p50: number | null; p95: number | null };
  tokens: { input: number; output: number };
  /** Summed over the turns whose cost is known; `null` when none is. */
  costUsd: number | null;
  /** Guard flags (`guard.flag`, kept as scores on the trace) over the version's finished turns. */
  guardFlags: number;
  /** Feedback from `POST /v1/turns/{turnId}/feedback` on the version's finished turns. */
  feedback: FeedbackFigures;
  commit: PromptCommit | null;
  /**
   * The version's text: the store's for the version it serves, else the system prompt a turn
   * of the version ran with (`attributes.instructions` of its agent-run span, which the harness
   * fills with exactly the prompt's text). `null` when neither holds it, and `textMissing` says why.
   */
  text: string | null;
  textMissing: string | null;
}

export interface FeedbackFigures {
  /** Thumbs up and down. */
  up: number;
  down: number;
  /** Every feedback score: thumbs (1 and 0) and numbers from 0 to 1. */
  count: number;
  /** Their mean, 0 to 1; `null` without feedback. */
  mean: number | null;
}

/** The scorer ids of the feedback route and the guard observer (feedback.ts, guard-score-observer.ts). */
const FEEDBACK_SCORER = 'kaged.feedback';
const GUARD_SCORER_PREFIX = 'kaged.guard.';
/** Scores are read again on every request (feedback arrives after a trace ends), this many at a time. */
const SCORE_READS_AT_ONCE = 8;

/** A finished trace never changes: details are kept (bounded) instead of read again each time. */
const CACHE_LIMIT = 2000;

/**
 * `GET /v1/prompts/{promptId}/versions`: each version of a prompt seen in the local traces (the
 * prompt versions a turn used are in its trace metadata), with turns, error rate, p50/p95
 * duration, tokens, cost, guard flags and feedback per version (the last two from the scores on
 * each trace), and the git commit that introduced it when the file is in a repository. No prompt
 * database: the traces and git are the record.
 */
export function promptVersionRoutes(options: PromptVersionRoutesOptions): Hono {
  const app = new Hono();
  const maxTraces = options.maxTraces ?? 500;
  const details = new Map<string, TraceDetail>();
  const commitsOf = createPromptCommits();

  app.get('/v1/prompts/:promptId/versions', async (c) => {
    const promptId = c.req.param('promptId');
    const view = options.prompts();
    const prompt = view.prompts.find((p) => p.id === promptId);
    if (!prompt) {
      return errorResponse(c, 404, 'unknown_prompt', `no prompt "${promptId}" (prompts: ${view.prompts.map((p) => p.id).join(', ')})`);
    }
    if (!options.traces) {
      return errorResponse(c, 404, 'local_traces_disabled', 'local traces are off (observability.localTraces.enabled: false in the project file)');
    }
    const traces = options.traces;
    const summaries = [];
    for (let page = 0; summaries.length < maxTraces; page++) {
      const result = await traces.list({ page, perPage: 100 });
      summaries.push(...result.traces);
      if (!result.pagination.hasMore) break;
    }
    const read = summaries.slice(0, maxTraces);
    const byVersion = new Map<string, ScoredTrace[]>();
    for (const summary of read) {
      let detail = details.get(summary.traceId);
      if (!detail) {
        detail = await traces.get(summary.traceId, { costOf: options.costOf });
        if (!detail) continue;
        if (detail.status !== 'running') {
          if (details.size >= CACHE_LIMIT) details.delete(details.keys().next().value!);
          details.set(summary.traceId, detail);
        }
      }
      const version = versionIn(detail, promptId);
      if (version) byVersion.set(version, [...(byVersion.get(version) ?? []), { ...detail, scores: [] }]);
    }
    // A trace's spans never change once it ended, its scores do: feedback comes later.
    await eachAtOnce(
      [...byVersion.values()].flat(),
      async (trace) => {
        trace.scores = await traces.scores(trace.traceId);
      },
      SCORE_READS_AT_ONCE,
    );
    if (!byVersion.has(prompt.version)) byVersion.set(prompt.version, []);
    const commits = prompt.path ? await commitsOf(prompt.path) : new Map<string, PromptCommit>();
    const versions = [...byVersion].map(([version, list]) => ({
      ...figures(version, version === prompt.version, list, commits.get(version) ?? null),
      ...textOf(promptId, version, list, options.promptText),
    }));
    versions.sort((a, b) => Number(b.current) - Number(a.current) || (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? ''));
    return c.json({ promptId, tracesRead: read.length, versions });
  });

  return app;
}

function versionIn(trace: TraceDetail, promptId: string): string | undefined {
  // The harness records `prompts: { [promptId]: version }` in each turn's trace metadata.
  const prompts = trace.metadata.prompts;
  if (!prompts || typeof prompts !== 'object') return undefined;
  const version = Array.isArray(prompts)
    ? (prompts.find((p) => typeof p === 'object' && p !== null && (p as { id?: unknown }).id === promptId) as { version?: unknown } | undefined)?.version
    : (prompts as Record<string, unknown>)[promptId];
  return typeof version === 'string' ? version : undefined;
}

type ScoredTrace = TraceDetail & { scores: TraceScore[] };

/** Where a version's text is found, newest trace first (see `PromptVersionFigures.text`). */
function textOf(
  promptId: string,
  version: string,
  traces: readonly TraceDetail[],
  promptText: PromptVersionRoutesOptions['promptText'],
): Pick<PromptVersionFigures, 'text' | 'textMissing'> {
  const served = promptText?.(promptId, version);
  if (served !== undefined) return { text: served, textMissing: null };
  const agent = agentOfPromptId(promptId);
  if (!agent) return { text: null, textMissing: 'only agent prompts are recorded in the traces, and the store now serves another version' };
  if (traces.length === 0) return { text: null, textMissing: 'no kept trace used this version (pruned, or not sampled)' };
  let redacted = false;
  for (const trace of traces) {
    const run = findSpan(trace.spans, (span) => span.type === 'agent_run' && span.name === `agent run: '${agent}'`);
    const text = run?.attributes.instructions;
    if (typeof text === 'string') return { text, textMissing: null };
    if (run) redacted = true;
  }
  return {
    text: null,
    textMissing: redacted
      ? 'the traces of this version hold no system prompt (observability.redact.inputs removes it)'
      : 'no kept trace of this version has its agent run',
  };
}

function findSpan(spans: readonly TraceSpan[], match: (span: TraceSpan) => boolean): TraceSpan | undefined {
  for (const span of spans) {
    if (match(span)) return span;
    const inner = findSpan(span.children, match);
    if (inner) return inner;
  }
  return undefined;
}

function figures(version: string, current: boolean, traces: ScoredTrace[], commit: PromptCommit | null): Omit<PromptVersionFigures, 'text' | 'textMissing'> {
  const finished = traces.filter((t) => t.status !== 'running');
  const errors = finished.filter((t) => t.status === 'error').length;
  const durations = finished
    .map((t) => t.durationMs)
    .filter((d): d is number => typeof d === 'number')
    .sort((a, b) => a - b);
  const costs = finished.map((t) => t.costUsd).filter((cost): cost is number => typeof cost === 'number');
  const times = traces.map((t) => t.startedAt).sort();
  const feedback = feedbackOf(finished);
  return {
    version,
    current,
    firstSeenAt: times[0] ?? null,
    lastSeenAt: times.at(-1) ?? null,
    turns: finished.length,
    errors,
    errorRate: finished.length ? errors / finished.length : null,
    durationMs: { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95) },
    tokens: {
      input: finished.reduce((sum, t) => sum + (t.usage?.inputTokens ?? 0), 0),
      output: finished.reduce((sum, t) => sum + (t.usage?.outputTokens ?? 0), 0),
    },
    costUsd: costs.length ? costs.reduce((sum, cost) => sum + cost, 0) : null,
    guardFlags: finished.reduce((sum, t) => sum + t.scores.filter((s) => s.scorerId.startsWith(GUARD_SCORER_PREFIX)).length, 0),
    feedback,
    commit,
  };
}

/** Nearest rank over sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Thumbs and numbers from the feedback route: up is 1 and down 0 (its `value` is kept in metadata). */
function feedbackOf(traces: ScoredTrace[]): FeedbackFigures {
  let up = 0;
  let down = 0;
  let sum = 0;
  let count = 0;
  for (const score of traces.flatMap((t) => t.scores)) {
    if (score.scorerId !== FEEDBACK_SCORER) continue;
    const kind = score.metadata.value;
    if (kind === 'up') up++;
    else if (kind === 'down') down++;
    sum += score.value;
    count++;
  }
  return { up, down, count, mean: count ? sum / count : null };
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachAtOnce<T>(items: readonly T[], work: (item: T) => Promise<void>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
