import type { IMastraLogger } from '@mastra/core/logger';
import type { InitExporterOptions, ObservabilityExporter, ScoreEvent, TracingEvent } from '@mastra/core/observability';
import { BaseExporter } from '@mastra/observability';
import type { Logger } from 'pino';
import { ExportHealth, type ExportHealthStatus } from '../tracing/export-health.js';
import { listenToOtelDiag } from '../tracing/otel-diag.js';
import { displayUrl } from '../tracing/tracing-config.js';
import { settleWithin } from '../tracing/with-timeout.js';

export interface KagedLangfuseExporterOptions {
  publicKey: string;
  secretKey: string;
  baseUrl: string;
  /** One request per span instead of batches. Default false. */
  realtime?: boolean | undefined;
  environment?: string | undefined;
  release?: string | undefined;
  /** Export failures are logged at warn through it (`trace.export_failed`). */
  logger: Logger;
  /** The longest `flush()` and `shutdown()` wait for Langfuse. Default 5000 ms. */
  timeoutMs?: number | undefined;
  /** At most one warn line per kind of failure in this window. Default 30 s. */
  warnIntervalMs?: number | undefined;
  /** `health().degraded` stays true this long after the last failure. Default 60 s. */
  degradedForMs?: number | undefined;
}

/** The Langfuse exporter's health, for a readiness check: where it sends, and how that goes. */
export interface LangfuseExportStatus extends ExportHealthStatus {
  /** Without credentials, query or fragment. */
  baseUrl: string;
  realtime: boolean;
}

/**
 * `@mastra/langfuse`'s `LangfuseExporter` with its export health: a Mastra exporter
 * (`BaseExporter`) that delegates every event to it and counts what fails. Failed exports
 * reach two places only: OpenTelemetry's `diag` logger (batched exports, which this exporter
 * listens to) and the rejection of `flush()`/`shutdown()` (which Mastra's own
 * `Observability.flush()` swallows, so it is caught here). Both are counted and logged
 * through `ExportHealth`; `flush()` and `shutdown()` never reject and never wait longer than
 * `timeoutMs`.
 *
 * Build it with `KagedLangfuseExporter.create()`, which imports `@mastra/langfuse` (and with
 * it OpenTelemetry) only then.
 */
export class KagedLangfuseExporter extends BaseExporter {
  name = 'langfuse';
  readonly #delegate: ObservabilityExporter;
  readonly #health: ExportHealth;
  readonly #baseUrl: string;
  readonly #realtime: boolean;
  readonly #timeoutMs: number;
  #stopListening: (() => Promise<void>) | undefined;
  #stopped = false;

  /** Imports `@mastra/langfuse`, builds its exporter and starts listening to OpenTelemetry's `diag`. */
  static async create(options: KagedLangfuseExporterOptions): Promise<KagedLangfuseExporter> {
    const { LangfuseExporter } = await import('@mastra/langfuse');
    const delegate = new LangfuseExporter({
      publicKey: options.publicKey,
      secretKey: options.secretKey,
      baseUrl: options.baseUrl,
      realtime: options.realtime ?? false,
      ...(options.environment ? { environment: options.environment } : {}),
      ...(options.release ? { release: options.release } : {}),
    });
    const exporter = new KagedLangfuseExporter(options, delegate);
    await exporter.listenToDiag();
    return exporter;
  }

  /** `delegate` is the exporter doing the work (`create()` passes `LangfuseExporter`; tests, a double). */
  constructor(options: KagedLangfuseExporterOptions, delegate: ObservabilityExporter) {
    super();
    this.#delegate = delegate;
    this.#baseUrl = displayUrl(options.baseUrl);
    this.#realtime = options.realtime ?? false;
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.#health = new ExportHealth({
      logger: options.logger,
      exporter: 'langfuse',
      // The keys, and the Basic credential they make, never reach a log line.
      secrets: [options.secretKey, options.publicKey, Buffer.from(`${options.publicKey}:${options.secretKey}`).toString('base64')],
      warnIntervalMs: options.warnIntervalMs,
      degradedForMs: options.degradedForMs,
    });
  }

  /**
   * Counts what OpenTelemetry's `diag` logger reports (failed batch exports, dropped spans).
   * `diag` is one per process: every listener hears every exporter's failures.
   */
  async listenToDiag(): Promise<void> {
    if (this.#stopListening || this.#stopped) return;
    this.#stopListening = await listenToOtelDiag({
      error: (message) => this.#health.failed(message),
      warn: (message) => this.#health.warned(message),
    });
  }

  health(): LangfuseExportStatus {
    return { baseUrl: this.#baseUrl, realtime: this.#realtime, ...this.#health.status() };
  }

  override __setLogger(logger: IMastraLogger): void {
    super.__setLogger(logger);
    this.#delegate.__setLogger?.(logger);
  }

  override init(options: InitExporterOptions): void {
    this.#delegate.init?.(options);
  }

  protected override async _exportTracingEvent(event: TracingEvent): Promise<void> {
    await this.#delegate.exportTracingEvent(event);
  }

  /** Guard scores and the like, posted to Langfuse as scores of the trace. */
  async onScoreEvent(event: ScoreEvent): Promise<void> {
    await this.#delegate.onScoreEvent?.(event);
  }

  override async addScoreToTrace(args: Parameters<NonNullable<ObservabilityExporter['addScoreToTrace']>>[0]): Promise<void> {
    await this.#delegate.addScoreToTrace?.(args);
  }

  /** Sends what is buffered, waiting at most `timeoutMs`. Never rejects: a failure is counted. */
  override async flush(): Promise<void> {
    await settleWithin(this.#delegate.flush(), this.#timeoutMs, (error) => this.#failed(error));
  }

  /** Flushes and shuts the delegate down (bounded like `flush()`), then stops reporting. */
  override async shutdown(): Promise<void> {
    await settleWithin(this.#delegate.shutdown(), this.#timeoutMs, (error) => this.#failed(error));
    await this.stopReporting();
  }

  // After the summary, a late failure (a flush outliving its bound) would be counted but never
  // logged: the log lines would no longer add up to the count.
  #failed(error: unknown): void {
    if (!this.#stopped) this.#health.failed(error);
  }

  /**
   * Logs the failures still suppressed and stops listening to `diag`. Idempotent; `shutdown()`
   * calls it, and so does the tracing's `close()` when Mastra was never shut down.
   */
  async stopReporting(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#health.summarize();
    const stop = this.#stopListening;
    this.#stopListening = undefined;
    await stop?.();
  }
}
