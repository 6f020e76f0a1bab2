import type { ObservabilityExporter } from '@mastra/core/observability';
import type { MastraCompositeStore } from '@mastra/core/storage';
import { Observability, SamplingStrategyType, type SamplingStrategy } from '@mastra/observability';
import type { Logger } from 'pino';
import { createLogger } from '../logger.js';
import { ExportHealth, type ExportHealthStatus } from './export-health.js';
import { LocalTraceExporter } from './local-trace-exporter.js';
import { createLocalTraces, type LocalTraces } from './local-traces.js';
import { listenToOtelDiag } from './otel-diag.js';
import { RedactContentProcessor } from './redact-content-processor.js';
import { KAGED_SENSITIVE_FIELDS } from './sensitive-fields.js';
import { DEFAULT_MAX_AGE_DAYS, DEFAULT_MAX_TRACES, displayUrl, resolveLangfuse, type TracingConfig } from './tracing-config.js';

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
  /** The longest a flush is waited for (per turn and at shutdown). Default 5000 ms. */
  flushTimeoutMs?: number | undefined;
  /** How often local traces are pruned to their retention limits. Default 60 s. */
  pruneIntervalMs?: number | undefined;
  /** At most one warn line per kind of export failure in this window. Default 30 s. */
  warnIntervalMs?: number | undefined;
  /** The status stays `degraded` this long after the last export failure. Default 60 s. */
  degradedForMs?: number | undefined;
}

export type TracingExporterName = 'langfuse' | 'local';

export interface TracingStatus {
  /** `off`: nothing is traced. `degraded`: an export failed within the last minute (turns are unaffected). */
  state: 'off' | 'ok' | 'degraded';
  exporters: TracingExporterName[];
  sampleRate: number;
  langfuse: ({ baseUrl: string; realtime: boolean } & ExportHealthStatus) | null;
  localTraces: { maxTraces: number; maxAgeDays: number } | null;
  /** One line for a readiness check. */
  detail: string;
}

/** Tracing for a kaged process: Mastra's `Observability` with kaged's exporters and settings. */
export interface KagedTracing {
  readonly name: 'tracing';
  /** Pass to `new Mastra({ observability })`; `undefined` when no exporter is configured. */
  readonly observability: Observability | undefined;
  /** The registered exporters, in order. */
  readonly exporters: readonly TracingExporterName[];
  /** Reads and prunes local traces; `undefined` when they are off. */
  readonly localTraces: LocalTraces | undefined;
  /** Starts pruning local traces (now, then periodically). */
  start(): void;
  /** A turn ended: flushes its spans in the background when `flushEachTurn` is set (a harness `TurnObserver`). */
  turnFinished(turn: { traceId: string | null }): void;
  /** Flushes every exporter, waiting at most `timeoutMs`. Never rejects; failures are counted and logged. */
  flush(timeoutMs?: number): Promise<void>;
  status(): TracingStatus;
  /** Stops pruning and failure reporting. Call after `mastra.shutdown()`, which flushes once more. */
  close(): Promise<void>;
}

/**
 * Builds Mastra's `Observability` from kaged's settings: the Langfuse exporter when both keys
 * are known (config, else environment), Mastra's storage exporter for local traces (on by
 * default), ratio sampling, the content-redaction processor, and Mastra's `SensitiveDataFilter`
 * extended with kaged's secret key names. With neither exporter, `observability` is undefined
 * and nothing is traced. Nothing connects anywhere until Mastra exports a span.
 */
export async function createTracing(options: CreateTracingOptions = {}): Promise<KagedTracing> {
  const logger = (options.logger ?? createLogger({ level: 'silent' })).child({ component: 'tracing' });
  const env = options.env ?? process.env;
  const sampleRate = options.sampleRate ?? 1;
  const flushTimeoutMs = options.flushTimeoutMs ?? 5_000;
  const langfuseSettings = resolveLangfuse(options.langfuse, env);
  const localEnabled = options.localTraces?.enabled !== false && options.storage !== undefined;
  const retention = {
    maxTraces: options.localTraces?.maxTraces ?? DEFAULT_MAX_TRACES,
    maxAgeDays: options.localTraces?.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS,
  };

  const exporters: ObservabilityExporter[] = [];
  const names: TracingExporterName[] = [];
  let langfuse: { exporter: ObservabilityExporter; health: ExportHealth; stopListening: () => Promise<void> } | undefined;

  if (langfuseSettings.state === 'incomplete') {
    logger.warn(
      { missing: langfuseSettings.missing },
      `tracing.langfuse_incomplete: Langfuse needs both keys; ${langfuseSettings.missing.join(' and ')} is missing (observability.langfuse or LANGFUSE_${langfuseSettings.missing[0] === 'publicKey' ? 'PUBLIC' : 'SECRET'}_KEY), so nothing is sent to Langfuse`,
    );
  }
  if (langfuseSettings.state === 'on') {
    // Loaded only when configured: without Langfuse, OpenTelemetry is never imported.
    const { LangfuseExporter } = await import('@mastra/langfuse');
    const health = new ExportHealth({
      logger,
      exporter: 'langfuse',
      secrets: [langfuseSettings.secretKey, langfuseSettings.publicKey, Buffer.from(`${langfuseSettings.publicKey}:${langfuseSettings.secretKey}`).toString('base64')],
      warnIntervalMs: options.warnIntervalMs,
      degradedForMs: options.degradedForMs,
    });
    // Failed exports reach nothing but OpenTelemetry's diag logger.
    const stopListening = await listenToOtelDiag({
      error: (message) => health.failed(message),
      warn: (message) => health.warned(message),
    });
    const exporter = new LangfuseExporter({
      publicKey: langfuseSettings.publicKey,
      secretKey: langfuseSettings.secretKey,
      baseUrl: langfuseSettings.baseUrl,
      realtime: langfuseSettings.realtime,
      ...(options.environment ? { environment: options.environment } : {}),
      ...(options.release ? { release: options.release } : {}),
    });
    langfuse = { exporter, health, stopListening };
    exporters.push(exporter);
    names.push('langfuse');
  }
  const local = localEnabled ? new LocalTraceExporter() : undefined;
  if (local) {
    exporters.push(local);
    names.push('local');
  }
  const localTraces = local && options.storage ? createLocalTraces(options.storage, retention) : undefined;

  const observability =
    exporters.length === 0
      ? undefined
      : new Observability({
          configs: {
            // One config: Mastra sends each trace to exactly one config, so every exporter is here.
            kaged: {
              serviceName: options.serviceName ?? 'kaged',
              sampling: samplingOf(sampleRate),
              exporters,
              spanOutputProcessors: options.redact?.inputs || options.redact?.outputs ? [new RedactContentProcessor(options.redact)] : [],
              // kaged's logs go to its own logger, not into the trace store.
              logging: { enabled: false },
            },
          },
          // Mastra's filter runs after kaged's processors; `sensitiveFields` replaces its
          // defaults, so the list repeats them (see sensitive-fields.ts).
          sensitiveDataFilter: { sensitiveFields: [...KAGED_SENSITIVE_FIELDS] },
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

  // One flush at a time; a request arriving meanwhile runs one more pass after it.
  let inFlight: Promise<void> | undefined;
  let again = false;
  const flushAll = (): Promise<void> => {
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      do {
        again = false;
        await Promise.all([
          langfuse?.exporter.flush().catch((error: unknown) => langfuse!.health.failed(error)),
          local?.flush().catch((error: unknown) => logger.warn({ exporter: 'local', err: (error as Error)?.message }, 'trace.export_failed')),
        ]);
      } while (again);
    })().finally(() => (inFlight = undefined));
    return inFlight;
  };

  const flush = async (timeoutMs = flushTimeoutMs): Promise<void> => {
    if (exporters.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((done) => (timer = setTimeout(done, timeoutMs)));
    timer?.unref();
    await Promise.race([flushAll(), timedOut]);
    clearTimeout(timer);
  };

  const status = (): TracingStatus => {
    const health = langfuse?.health.status();
    const langfuseStatus = langfuseSettings.state === 'on' && health ? { baseUrl: displayUrl(langfuseSettings.baseUrl), realtime: langfuseSettings.realtime, ...health } : null;
    const state = names.length === 0 ? 'off' : health?.degraded ? 'degraded' : 'ok';
    const parts: string[] = [];
    if (localTraces) parts.push(`local traces (at most ${retention.maxTraces}, ${retention.maxAgeDays} days)`);
    if (langfuseStatus) {
      const last = langfuseStatus.lastError;
      parts.push(
        health?.degraded && last
          ? `Langfuse at ${langfuseStatus.baseUrl} failing: ${langfuseStatus.failures} export failure(s), last ${Math.round((Date.now() - Date.parse(last.at)) / 1000)} s ago (${last.kind}: ${last.message}); turns are not affected`
          : `Langfuse at ${langfuseStatus.baseUrl} (${langfuseStatus.failures} export failure(s) so far)`,
      );
    }
    const detail = names.length === 0 ? 'tracing off: no Langfuse keys and local traces disabled' : `${parts.join('; ')}; sampling ${Math.round(sampleRate * 1000) / 10}% of turns`;
    return { state, exporters: [...names], sampleRate, langfuse: langfuseStatus, localTraces: localTraces ? retention : null, detail };
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
      prune();
      pruneTimer = setInterval(prune, options.pruneIntervalMs ?? 60_000);
      pruneTimer.unref();
    },
    turnFinished(turn) {
      if (turn.traceId === null || closed) return;
      if (options.flushEachTurn) {
        // After the turn's last event has gone out; the turn never waits for this.
        setImmediate(() => void flush().catch(() => {}));
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
      langfuse?.health.summarize();
      await langfuse?.stopListening();
    },
  };
}

function samplingOf(rate: number): SamplingStrategy {
  if (rate >= 1) return { type: SamplingStrategyType.ALWAYS };
  if (rate <= 0) return { type: SamplingStrategyType.NEVER };
  return { type: SamplingStrategyType.RATIO, probability: rate };
}
