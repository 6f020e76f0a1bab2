import type { LocalTraces, TraceCostFn, TraceDetail } from '@kaged/observability/tracing';
import { Hono } from 'hono';
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
  /** Guard flags are not in the local traces yet: `null`. */
  guardFlags: number | null;
  /** Thumbs from the feedback route, when the traces carry them; otherwise `null`. */
  feedback: { up: number; down: number } | null;
  commit: PromptCommit | null;
}

/** A finished trace never changes: details are kept (bounded) instead of read again each time. */
const CACHE_LIMIT = 2000;

/**
 * `GET /v1/prompts/{promptId}/versions`: each version of a prompt seen in the local traces (the
 * prompt versions a turn used are in its trace metadata), with turns, error rate, p50/p95
 * duration, tokens and cost per version, and the git commit that introduced it when the file is
 * in a repository. No prompt database: the traces and git are the record.
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
    const byVersion = new Map<string, TraceDetail[]>();
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
      if (version) byVersion.set(version, [...(byVersion.get(version) ?? []), detail]);
    }
    if (!byVersion.has(prompt.version)) byVersion.set(prompt.version, []);
    const commits = prompt.path ? await commitsOf(prompt.path) : new Map<string, PromptCommit>();
    const versions = [...byVersion].map(([version, list]) => figures(version, version === prompt.version, list, commits.get(version) ?? null));
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

function figures(version: string, current: boolean, traces: TraceDetail[], commit: PromptCommit | null): PromptVersionFigures {
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
    guardFlags: null,
    feedback,
    commit,
  };
}

/** Nearest rank over sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Thumbs, when a trace carries feedback (`feedback: [{ value }]`, added by the feedback route). */
function feedbackOf(traces: TraceDetail[]): { up: number; down: number } | null {
  let seen = false;
  let up = 0;
  let down = 0;
  for (const trace of traces) {
    const list = (trace as unknown as { feedback?: unknown }).feedback;
    if (!Array.isArray(list)) continue;
    seen = true;
    for (const item of list) {
      const value = (item as { value?: unknown }).value;
      if (value === 'up' || value === 1) up++;
      else if (value === 'down' || value === 0) down++;
    }
  }
  return seen ? { up, down } : null;
}
