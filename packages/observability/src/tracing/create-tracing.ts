import { SECRET_KEY_NAMES } from '@kaged/core';
import { NoOpObservability, type ObservabilityEntrypoint, type ObservabilityExporter } from '@mastra/core/observability';
import type { MastraCompositeStore } from '@mastra/core/storage';
import { Observability, SamplingStrategyType, type SamplingStrategy } from '@mastra/observability';
import type { Logger } from 'pino';
import { KagedLangfuseExporter, type LangfuseExportStatus } from '../langfuse/kaged-langfuse-exporter.js';
import { createLogger } from '../logger.js';
import { LocalTraceExporter } from './local-trace-exporter.js';
import { interruptedBefore } from './interrupted-traces.js';
import { createLocalTraces, type LocalTraces, type TraceRetention } from './local-traces.js';
import { RedactContentProcessor } from './redact-content-processor.js';
import { COMPACT_EXCLUDED_SPAN_TYPES, GenerationDetailProcessor } from './generation-detail-processor.js';
import { ToolOutputTruncationProcessor } from './tool-output-truncation.js';
import {
  DEFAULT_MAX_AGE_DAYS,
  DEFAULT_MAX_TRACES,
  DEFAULT_SAMPLE_RATE,
  DEFAULT_TOOL_OUTPUT_MAX_CHARS,
  displayUrl,
  resolveLangfuse,
  type TracingConfig,
} from './tracing-config.js';
import { settleWithin } from './with-timeout.js';

export interface CreateTracingOptions extends TracingConfig {
  /**
   * The Mastra store that local traces go to: the one the application passes to
   * `new Mastra({ storage })`. Without it there are no local traces.
   */
  storage?: MastraCompositeStore | undefined;
  /** Where `LANGFUSE_*` fallbacks are read. Default `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** Default: silent. Export failures are logged at warn through it. */
  logger?: Logger | undefined;
  /** OpenTelemetry `service.name` of exported spans. Default `kaged`. */
  serviceName?: string | undefined;
  /** The application's version: Langfuse's `version` of traces and observations. */
  serviceVersion?: string | undefined;
  /** Removes secrets from span error messages (a provider's message can echo a key). */
  scrub?: ((text: string) => string) | undefined;
  /** The longest a flush is waited for (per turn and at shutdown). Default 5000 ms. */
  flushTimeoutMs?: number | undefined;
  /** How often local traces are pruned to their retention limits. Default 60 s. */
  pruneIntervalMs?: number | undefined;
  /**
   * Whether other processes write to `storage` too (several daemons on one PostgreSQL). Decides
   * which traces left `running` are marked interrupted (`interruptedBefore`). Default false.
   */
  sharedStorage?: boolean | undefined;
  /** The bound on a turn's total time (`sessions.turnTimeoutMs`), for the same rule. Default 10 min. */
  turnTimeoutMs?: number | undefined;
  /** At most one warn line per kind of export failure in this window. Default 30 s. */
  warnIntervalMs?: number | undefined;
  /** The status stays `degraded` this long after the last export failure. Default 60 s. */
  degradedForMs?: number | undefined;
}

export type TracingExporterName = 'langfuse' | 'local';

/**
 * Why nothing goes to Langfuse, when nothing does: no key at all (config or environment), or
 * one of the pair missing (Langfuse stays off; `createTracing` warned once).
 */
export type LangfuseOffReason = { reason: 'no_keys' } | { reason: 'incomplete'; missing: ('publicKey' | 'secretKey')[] };

/** Tracing's state as data, for a readiness check or a status page to put in words. */
export interface TracingStatus {
  /** `off`: nothing is traced. `degraded`: an export failed recently (`degradedForMs`); turns are unaffected. */
  state: 'off' | 'ok' | 'degraded';
  /** The registered exporters, in order; empty when `off`. */
  exporters: TracingExporterName[];
  /** Share of turns traced, 0 to 1. */
  sampleRate: number;
  /** The Langfuse exporter's target and health; `null` when Langfuse is off. */
  langfuse: LangfuseExportStatus | null;
  /** Why Langfuse is off; `null` when it is on. */
  langfuseOff: LangfuseOffReason | null;
  /** Local traces' retention; `null` when local traces are off (disabled, or no store given). */
  localTraces: TraceRetention | null;
}

/** Tracing for a kaged process: Mastra's `Observability` with kaged's exporters and settings. */
export interface KagedTracing {
  readonly name: 'tracing';
  /**
   * Pass to `new Mastra({ observability })`. Mastra's `Observability` with kaged's exporters, or,
   * when no exporter is configured, Mastra's own `NoOpObservability`: always an object, never
   * a reason to branch; with the no-op nothing is traced and nothing is flushed.
   */
  readonly observability: ObservabilityEntrypoint;
  /** The registered exporters, in order; empty when nothing is traced. */
  readonly exporters: readonly TracingExporterName[];
  /** Reads and prunes local traces; `undefined` when they are off (an API answers "traces off"). */
  readonly localTraces: LocalTraces | undefined;
  /** Starts pruning local traces (now, then periodically). */
  start(): void;
  /**
   * A turn ended: flushes its spans in the background when `flushEachTurn` is set, and counts
   * it towards the next prune. Structural, so any turn observer can call it.
   */
  turnFinished(turn: { traceId: string | null }): void;
  /** Mastra's `Observability.flush()`, waiting at most `timeoutMs`. Never rejects; failures are counted and logged. */
  flush(timeoutMs?: number): Promise<void>;
  status(): TracingStatus;
  /** Stops pruning and failure reporting. Call after `mastra.shutdown()`, which flushes once more. */
  close(): Promise<void>;
}

/**
 * Builds Mastra's `Observability` from kaged's settings: the Langfuse exporter when both keys
 * are known (config, else environment), Mastra's storage exporter for local traces (on by
 * default), ratio sampling, the content-redaction processor, and Mastra's `SensitiveDataFilter`
 * with `@kaged/core`'s secret key names. With neither exporter, `observability` is Mastra's
 * `NoOpObservability` and nothing is traced. Nothing connects anywhere until Mastra exports a span.
 */
export async function createTracing(options: CreateTracingOptions = {}): Promise<KagedTracing> {
  const logger = (options.logger ?? createLogger({ level: 'silent' })).child({ component: 'tracing' });
  const env = options.env ?? process.env;
  const sampleRate = options.sampleRate ?? DEFAULT_SAMPLE_RATE;
  const flushTimeoutMs = options.flushTimeoutMs ?? 5_000;
  const langfuseSettings = resolveLangfuse(options.langfuse, env);
  const localEnabled = options.localTraces?.enabled !== false && options.storage !== undefined;
  const retention: TraceRetention = {
    maxTraces: options.localTraces?.maxTraces ?? DEFAULT_MAX_TRACES,
    maxAgeDays: options.localTraces?.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS,
  };

  const exporters: ObservabilityExporter[] = [];
  const names: TracingExporterName[] = [];

  if (langfuseSettings.state === 'incomplete') {
    logger.warn(
      { missing: langfuseSettings.missing },
      `tracing.langfuse_incomplete: Langfuse needs both keys; ${langfuseSettings.missing.join(' and ')} is missing (observability.langfuse or LANGFUSE_${langfuseSettings.missing[0] === 'publicKey' ? 'PUBLIC' : 'SECRET'}_KEY), so nothing is sent to Langfuse`,
    );
  }
  // Loaded only when configured: without Langfuse, neither @mastra/langfuse nor OpenTelemetry is imported.
  const langfuse =
    langfuseSettings.state === 'on'
      ? await KagedLangfuseExporter.create({
          publicKey: langfuseSettings.publicKey,
          secretKey: langfuseSettings.secretKey,
          baseUrl: langfuseSettings.baseUrl,
          realtime: langfuseSettings.realtime,
          environment: options.environment,
          release: options.release,
          version: options.serviceVersion,
          logger,
          timeoutMs: flushTimeoutMs,
          warnIntervalMs: options.warnIntervalMs,
          degradedForMs: options.degradedForMs,
        })
      : undefined;
  if (langfuse) {
    exporters.push(langfuse);
    names.push('langfuse');
  }
  const local = localEnabled
    ? new LocalTraceExporter(
        {},
        { onFlushError: (error) => logger.warn({ exporter: 'local', err: (error as Error)?.message ?? String(error) }, 'trace.export_failed') },
      )
    : undefined;
  if (local) {
    exporters.push(local);
    names.push('local');
  }
  const localTraces = local && options.storage ? createLocalTraces(options.storage, retention) : undefined;

  const observability: ObservabilityEntrypoint =
    exporters.length === 0
      ? new NoOpObservability()
      : new Observability({
          configs: {
            // One config: Mastra sends each trace to exactly one config, so every exporter is here.
            kaged: {
              serviceName: options.serviceName ?? 'kaged',
              sampling: samplingOf(sampleRate),
              exporters,
              // Completes each model call first (input, timing, failure), cuts long tool outputs, then redacts.
              spanOutputProcessors: [
                new GenerationDetailProcessor({ detail: options.detail, scrub: options.scrub }),
                new ToolOutputTruncationProcessor({ maxChars: options.toolOutputMaxChars ?? DEFAULT_TOOL_OUTPUT_MAX_CHARS, scrub: options.scrub }),
                ...(options.redact?.inputs || options.redact?.outputs ? [new RedactContentProcessor(options.redact)] : []),
              ],
              ...((options.detail ?? 'compact') === 'compact' ? { excludeSpanTypes: [...COMPACT_EXCLUDED_SPAN_TYPES] } : {}),
              // kaged's logs go to its own logger, not into the trace store.
              logging: { enabled: false },
            },
          },
          // Mastra's filter runs after kaged's processors; `sensitiveFields` replaces its
          // defaults, and core's one list starts with them.
          sensitiveDataFilter: { sensitiveFields: [...SECRET_KEY_NAMES] },
        });

  let pruneTimer: NodeJS.Timeout | undefined;
  let tracedTurns = 0;
  const pruneEveryTurns = Math.max(10, Math.floor(retention.maxTraces / 10));
  let closed = false;

  const prune = () => {
    if (!localTraces || closed) return;
    localTraces.prune().then(
      ({ spansPastAge, tracesOverCount }) => {
        if (spansPastAge + tracesOverCount > 0) logger.debug({ spansPastAge, tracesOverCount, ...retention }, 'traces.pruned');
      },
      (error: unknown) => logger.warn({ err: (error as Error)?.message ?? String(error) }, 'traces.prune_failed'),
    );
  };

  // Traces a stopped process left `running` (a crash, SIGKILL) are ended as interrupted.
  const interruptedRule = { processStartedAt: new Date(), sharedStorage: options.sharedStorage ?? false, turnTimeoutMs: options.turnTimeoutMs ?? 600_000 };
  const markInterrupted = (atStart: boolean) => {
    const startedBefore = localTraces && !closed ? interruptedBefore(interruptedRule, new Date(), { atStart }) : undefined;
    if (!localTraces || !startedBefore) return;
    localTraces.markInterrupted({ startedBefore }).then(
      (count) => {
        if (count > 0) logger.info({ count, startedBefore: startedBefore.toISOString() }, 'traces.marked_interrupted');
      },
      (error: unknown) => logger.warn({ err: (error as Error)?.message ?? String(error) }, 'traces.mark_interrupted_failed'),
    );
  };

  // Mastra's flush drains its event bus, then every exporter (each counts its own failures);
  // it never rejects, but it waits on the network: bounded here.
  const flush = async (timeoutMs = flushTimeoutMs): Promise<void> => {
    await settleWithin(observability.flush(), timeoutMs);
  };

  const status = (): TracingStatus => {
    const health = langfuse?.health() ?? null;
    return {
      state: names.length === 0 ? 'off' : health?.degraded ? 'degraded' : 'ok',
      exporters: [...names],
      sampleRate,
      langfuse: health,
      langfuseOff:
        langfuseSettings.state === 'on'
          ? null
          : langfuseSettings.state === 'incomplete'
            ? { reason: 'incomplete', missing: [...langfuseSettings.missing] }
            : { reason: 'no_keys' },
      localTraces: localTraces ? { ...retention } : null,
    };
  };

  logger.info(
    {
      exporters: names,
      sampleRate,
      ...(langfuseSettings.state === 'on' ? { langfuse: { baseUrl: displayUrl(langfuseSettings.baseUrl), realtime: langfuseSettings.realtime } } : {}),
      ...(localTraces ? { localTraces: retention } : {}),
    },
    names.length === 0 ? 'tracing.off' : 'tracing.ready',
  );

  return {
    name: 'tracing',
    observability,
    exporters: names,
    localTraces,
    start() {
      if (!localTraces || pruneTimer || closed) return;
      markInterrupted(true);
      prune();
      pruneTimer = setInterval(() => {
        markInterrupted(false);
        prune();
      }, options.pruneIntervalMs ?? 60_000);
      pruneTimer.unref();
    },
    turnFinished(turn) {
      if (turn.traceId === null || closed) return;
      if (options.flushEachTurn) {
        // After the turn's last event has gone out; the turn never waits for this.
        setImmediate(() => void flush());
      }
      if (localTraces && ++tracedTurns >= pruneEveryTurns) {
        tracedTurns = 0;
        prune();
      }
    },
    flush,
    status,
    async close() {
      if (closed) return;
      closed = true;
      if (pruneTimer) clearInterval(pruneTimer);
      pruneTimer = undefined;
      await langfuse?.stopReporting();
    },
  };
}

function samplingOf(rate: number): SamplingStrategy {
  if (rate >= 1) return { type: SamplingStrategyType.ALWAYS };
  if (rate <= 0) return { type: SamplingStrategyType.NEVER };
  return { type: SamplingStrategyType.RATIO, probability: rate };
}
