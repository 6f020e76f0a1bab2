import { tryParseModelId } from '@kaged/llm';
import type { TurnEvent, TurnUsage } from '@kaged/harness';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadinessCheck } from '../server/routes/health.js';
import { BoundedLabel } from './bounded-label.js';

export interface DaemonMetricsOptions {
  /** kaged's version, for `kaged_build_info`. */
  version: string;
  /** Turns running now (the harness's `activeTurns`), read at each scrape. */
  activeTurns?: (() => number) | undefined;
  /**
   * Export failures that tracing counts itself, by exporter (`{ langfuse: 3 }`), read at each
   * scrape and added to what `traceExportFailures.inc()` counted.
   */
  traceExportFailures?: (() => Readonly<Record<string, number | undefined>>) | undefined;
  /** Process and Node.js metrics (CPU, memory, event loop, GC). Default true. */
  processMetrics?: boolean | undefined;
}

/** How a turn ended, for `kaged_turns_total`. */
export type TurnOutcome = { ok: true } | { ok: false; code: string };

/** What `/readyz` reports, as a metric: one series per check and status, 1 for the current one. */
const CHECK_STATUSES = ['ok', 'degraded', 'failing'] as const;
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The usage field of a turn and its `type` label. */
const TOKEN_TYPES: [keyof TurnUsage, string][] = [
  ['inputTokens', 'input'],
  ['outputTokens', 'output'],
  ['cacheReadTokens', 'cache_read'],
  ['cacheWriteTokens', 'cache_write'],
  ['reasoningTokens', 'reasoning'],
];

/**
 * The daemon's Prometheus metrics, in a registry of their own (never prom-client's global one,
 * so that several daemons in one process, as in the tests, do not collide). No label carries an
 * id that grows with use (session, user, turn): agents, models, tools and routes come from the
 * project and the code, and each label past a generous limit reports `other`.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  /**
   * Guard trips by agent and guard. The `guard.flag` events of turns served over HTTP are
   * counted already (see `metricsObserver`); code that trips a guard elsewhere calls
   * `guardTrips.inc({ agent, guard })`.
   */
  readonly guardTrips: Counter<'agent' | 'guard'>;
  /** Feedback on turns (`POST /v1/turns/{turnId}/feedback`) by agent and value: up, down or score. */
  readonly feedback: Counter<'agent' | 'value'>;
  /**
   * Failed trace exports, by exporter: `traceExportFailures.inc()` (Langfuse) or
   * `.inc('local')`. Failures tracing counts itself are read through the option of that name.
   */
  readonly traceExportFailures: { inc(exporter?: string, by?: number): void };

  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #turns: Counter<'agent' | 'outcome' | 'code'>;
  readonly #turnDuration: Histogram<'agent' | 'outcome'>;
  readonly #tokens: Counter<'provider' | 'model' | 'type'>;
  readonly #cost: Counter<'provider' | 'model'>;
  readonly #toolCalls: Counter<'agent' | 'tool' | 'outcome'>;
  readonly #reloads: Counter<'kind' | 'outcome'>;
  readonly #readiness: Gauge<'check' | 'status'>;

  readonly #agents = new BoundedLabel(100);
  readonly #models = new BoundedLabel(200);
  readonly #tools = new BoundedLabel(200);
  readonly #codes = new BoundedLabel(50);
  readonly #guards = new BoundedLabel(20);
  readonly #checks = new BoundedLabel(20);

  constructor(options: DaemonMetricsOptions) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters, which promtool's lint rejects; `nodejs_active_handles`,
      // `_requests` and `_resources` (by type) carry the same numbers.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
        this.registry.removeSingleMetric(name);
    }

    new Gauge({ name: 'kaged_build_info', help: 'Always 1; the version label says which kaged runs.', labelNames: ['version'], registers }).set(
      { version: options.version },
      1,
    );

    this.#httpRequests = new Counter({
      name: 'kaged_http_requests_total',
      help: 'HTTP requests by method, route template (unmatched for unknown routes) and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.#httpDuration = new Histogram({
      name: 'kaged_http_request_duration_seconds',
      help: 'Time until the response is ready, by method and route template (for streamed turns: until the stream starts).',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#turns = new Counter({
      name: 'kaged_turns_total',
      help: 'Finished turns by agent and outcome (ok, error); errors carry the turn.error code.',
      labelNames: ['agent', 'outcome', 'code'],
      registers,
    });
    this.#turnDuration = new Histogram({
      name: 'kaged_turn_duration_seconds',
      help: 'Turn duration, from the start of the turn to its last event, by agent and outcome.',
      labelNames: ['agent', 'outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
      registers,
    });
    new Gauge({
      name: 'kaged_turns_in_flight',
      help: 'Turns running now.',
      registers,
      collect() {
        if (options.activeTurns) this.set(options.activeTurns());
      },
    });
    this.#tokens = new Counter({
      name: 'kaged_llm_tokens_total',
      help: 'LLM tokens of finished turns by provider, model and type (input, output, cache_read, cache_write, reasoning).',
      labelNames: ['provider', 'model', 'type'],
      registers,
    });
    this.#cost = new Counter({
      name: 'kaged_llm_cost_usd_total',
      help: 'What the LLM calls of finished turns cost in USD, by provider and model (models without a price are not counted).',
      labelNames: ['provider', 'model'],
      registers,
    });
    this.#toolCalls = new Counter({
      name: 'kaged_tool_calls_total',
      help: 'Tool calls with a result, by agent, tool (a subagent is agent-<id>) and outcome (ok, error).',
      labelNames: ['agent', 'tool', 'outcome'],
      registers,
    });
    this.#reloads = new Counter({
      name: 'kaged_prompt_reloads_total',
      help: 'Reloads after an edit on disk, by kind (prompt: a prompt file; project: the project file) and outcome (ok, failed).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.guardTrips = new Counter({
      name: 'kaged_guard_trips_total',
      help: 'Guard trips (flagged or stopped turns) by agent and guard.',
      labelNames: ['agent', 'guard'],
      registers,
    });
    this.feedback = new Counter({
      name: 'kaged_feedback_total',
      help: 'Feedback on turns by agent and value (up, down, score).',
      labelNames: ['agent', 'value'],
      registers,
    });

    const counted = new Map<string, number>();
    this.traceExportFailures = {
      inc(exporter = 'langfuse', by = 1) {
        counted.set(exporter, (counted.get(exporter) ?? 0) + by);
      },
    };
    new Counter({
      name: 'kaged_trace_export_failures_total',
      help: 'Failed trace exports by exporter (langfuse, local); turns are not affected by them.',
      labelNames: ['exporter'],
      registers,
      collect() {
        // Read from where the failures are counted: one source of truth, set at each scrape.
        const totals = new Map(counted);
        for (const [exporter, failures] of Object.entries(options.traceExportFailures?.() ?? {})) {
          if (failures) totals.set(exporter, (totals.get(exporter) ?? 0) + failures);
        }
        this.reset();
        for (const [exporter, total] of totals) this.inc({ exporter }, total);
      },
    });

    this.#readiness = new Gauge({
      name: 'kaged_readiness_check',
      help: "The /readyz checks: 1 on the series of each check's current status (ok, degraded, failing), 0 on the others.",
      labelNames: ['check', 'status'],
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition in Prometheus text format, with the readiness checks as they are now. */
  async metrics(checks: readonly ReadinessCheck[] = []): Promise<string> {
    // Only the checks reported now: one that disappears leaves no stale series behind.
    this.#readiness.reset();
    for (const check of checks) {
      const name = this.#checks.of(check.name);
      for (const status of CHECK_STATUSES) this.#readiness.set({ check: name, status }, check.status === status ? 1 : 0);
    }
    return this.registry.metrics();
  }

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    const m = HTTP_METHODS.has(method) ? method : 'other';
    this.#httpRequests.inc({ method: m, route, status: String(status) });
    this.#httpDuration.observe({ method: m, route }, seconds);
  }

  /** Counts what one event of a turn of `agentId` says: tool results, guard trips, usage and cost. */
  recordTurnEvent(agentId: string, event: TurnEvent): void {
    const agent = this.#agents.of(agentId);
    switch (event.type) {
      case 'tool.result':
        this.#toolCalls.inc({ agent, tool: this.#tools.of(event.name), outcome: event.isError ? 'error' : 'ok' });
        break;
      case 'guard.flag':
        this.guardTrips.inc({ agent, guard: this.#guards.of(event.guard) });
        break;
      case 'turn.end':
        for (const { model, usage, costUsd } of event.usageByModel ?? [{ model: 'unknown/unknown', usage: event.usage, costUsd: event.costUsd }]) {
          const labels = providerAndModel(this.#models.of(model));
          for (const [field, type] of TOKEN_TYPES) this.#tokens.inc({ ...labels, type }, usage[field]);
          if (costUsd !== null && costUsd >= 0) this.#cost.inc(labels, costUsd);
        }
        break;
      default:
        break;
    }
  }

  recordTurnFinished(agentId: string, outcome: TurnOutcome, seconds: number): void {
    const agent = this.#agents.of(agentId);
    const result = outcome.ok ? 'ok' : 'error';
    this.#turns.inc(outcome.ok ? { agent, outcome: result } : { agent, outcome: result, code: this.#codes.of(outcome.code) });
    this.#turnDuration.observe({ agent, outcome: result }, seconds);
  }

  recordReload(kind: 'prompt' | 'project', ok: boolean): void {
    this.#reloads.inc({ kind, outcome: ok ? 'ok' : 'failed' });
  }
}

/** `openai/gpt-4o-mini` -> provider `openai`, model `gpt-4o-mini`; `unknown` provider for a malformed id. */
function providerAndModel(modelId: string): { provider: string; model: string } {
  return tryParseModelId(modelId) ?? { provider: 'unknown', model: modelId };
}
