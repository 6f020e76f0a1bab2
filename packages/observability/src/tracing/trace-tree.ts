import { addUsage, emptyUsage, sumCosts, type TokenUsage } from '@kaged/core';

/** The fields of a stored Mastra span that a kaged trace view reads. */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string | null;
  name: string;
  spanType: string;
  startedAt: Date | string;
  endedAt?: Date | string | null;
  entityId?: string | null;
  userId?: string | null;
  sessionId?: string | null;
  environment?: string | null;
  metadata?: Record<string, unknown> | null;
  tags?: string[] | null;
  attributes?: Record<string, unknown> | null;
  input?: unknown;
  output?: unknown;
  error?: unknown;
}

/** Token counts, named as in `turn.end`'s `usage`: `@kaged/core`'s `TokenUsage`. */
export type TraceUsage = TokenUsage;

/** Prices one agent's model generation; `null` when unknown. Supplied by the application. */
export type TraceCostFn = (generation: { agentId: string | null; model: string | null; provider: string | null; usage: TraceUsage }) => number | null;

export interface TraceSummary {
  traceId: string;
  /** The root span's name, e.g. `agent run: 'assistant'`. */
  name: string;
  agentId: string | null;
  sessionId: string | null;
  userId: string | null;
  turnId: string | null;
  tags: string[];
  status: 'ok' | 'error' | 'running';
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
}

export interface TraceSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Mastra's span type: `agent_run`, `model_generation`, `model_step`, `model_inference`, `tool_call`… */
  type: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  status: 'ok' | 'error' | 'running';
  error: string | null;
  /** Model spans: the provider's model name. */
  model: string | null;
  /** Model spans: tokens (a generation's are the sum of its steps). */
  usage: TraceUsage | null;
  /** Model generations: USD at the project's prices, when known. */
  costUsd: number | null;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown>;
  children: TraceSpan[];
}

export interface TraceDetail extends TraceSummary {
  environment: string | null;
  /** The turn's trace metadata: agent, prompt versions, project, kaged version… */
  metadata: Record<string, unknown>;
  /** Summed over every model generation of the trace (subagents included). */
  usage: TraceUsage;
  /** Summed like `usage`; `null` when any generation's price is unknown. */
  costUsd: number | null;
  spanCount: number;
  /** The span tree: usually one root, the agent run. */
  spans: TraceSpan[];
}

export function toTraceSummary(root: StoredSpan): TraceSummary {
  const metadata = root.metadata ?? {};
  const startedAt = toDate(root.startedAt);
  const endedAt = root.endedAt ? toDate(root.endedAt) : null;
  return {
    traceId: root.traceId,
    name: root.name,
    agentId: root.entityId ?? stringOr(metadata.agentId),
    sessionId: root.sessionId ?? stringOr(metadata.sessionId),
    userId: root.userId ?? stringOr(metadata.userId),
    turnId: stringOr(metadata.turnId),
    tags: root.tags ?? [],
    status: statusOf(root),
    startedAt: startedAt.toISOString(),
    endedAt: endedAt?.toISOString() ?? null,
    durationMs: endedAt ? endedAt.getTime() - startedAt.getTime() : null,
  };
}

/** Builds the span tree of one trace; `undefined` when `spans` is empty. */
export function toTraceDetail(spans: readonly StoredSpan[], costOf?: TraceCostFn): TraceDetail | undefined {
  if (spans.length === 0) return undefined;
  const sorted = [...spans].sort((a, b) => toDate(a.startedAt).getTime() - toDate(b.startedAt).getTime());
  const ids = new Set(sorted.map((s) => s.spanId));
  const root = sorted.find((s) => !s.parentSpanId) ?? sorted[0]!;
  const nodes = new Map<string, TraceSpan>();
  const usage = emptyUsage();
  const costs: (number | null)[] = [];
  for (const span of sorted) {
    const node = toTraceSpan(span);
    if (span.spanType === 'model_generation' && node.usage) {
      addUsage(usage, node.usage);
      node.costUsd = costOf?.({ agentId: span.entityId ?? null, model: node.model, provider: stringOr(span.attributes?.provider), usage: node.usage }) ?? null;
      costs.push(node.costUsd);
    }
    nodes.set(span.spanId, node);
  }
  const roots: TraceSpan[] = [];
  for (const span of sorted) {
    const node = nodes.get(span.spanId)!;
    // A span whose parent is missing (pruned, or not written yet) is shown at the top level.
    if (span.parentSpanId && ids.has(span.parentSpanId)) nodes.get(span.parentSpanId)!.children.push(node);
    else roots.push(node);
  }
  // No generation at all means no price to speak of: unknown, not a made-up 0.
  const hasGenerations = sorted.some((s) => s.spanType === 'model_generation');
  return {
    ...toTraceSummary(root),
    environment: root.environment ?? null,
    metadata: root.metadata ?? {},
    usage,
    costUsd: hasGenerations ? sumCosts(costs) : null,
    spanCount: sorted.length,
    spans: roots,
  };
}

function toTraceSpan(span: StoredSpan): TraceSpan {
  const attributes = span.attributes ?? {};
  const startedAt = toDate(span.startedAt);
  const endedAt = span.endedAt ? toDate(span.endedAt) : null;
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? null,
    name: span.name,
    type: span.spanType,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt?.toISOString() ?? null,
    durationMs: endedAt ? endedAt.getTime() - startedAt.getTime() : null,
    status: statusOf(span),
    error: errorText(span.error),
    model: stringOr(attributes.model),
    usage: usageOf(attributes.usage),
    costUsd: null,
    input: span.input ?? null,
    output: span.output ?? null,
    attributes,
    children: [],
  };
}

/** Mastra's usage attribute (`inputTokens`, `inputDetails.cacheRead`…) in kaged's names. */
export function usageOf(value: unknown): TraceUsage | null {
  if (!value || typeof value !== 'object') return null;
  const u = value as {
    inputTokens?: number;
    outputTokens?: number;
    inputDetails?: { cacheRead?: number; cacheWrite?: number };
    outputDetails?: { reasoning?: number };
  };
  return {
    inputTokens: u.inputTokens ?? 0,
    outputTokens: u.outputTokens ?? 0,
    cacheReadTokens: u.inputDetails?.cacheRead ?? 0,
    cacheWriteTokens: u.inputDetails?.cacheWrite ?? 0,
    reasoningTokens: u.outputDetails?.reasoning ?? 0,
  };
}

function statusOf(span: StoredSpan): 'ok' | 'error' | 'running' {
  if (span.error) return 'error';
  return span.endedAt ? 'ok' : 'running';
}

function errorText(error: unknown): string | null {
  if (!error) return null;
  if (typeof error === 'string') return error;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
