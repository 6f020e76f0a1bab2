import type { IMastraLogger } from '@mastra/core/logger';
import {
  type AnyExportedSpan,
  type InitExporterOptions,
  type ObservabilityExporter,
  type ScoreEvent,
  SpanType,
  type TracingEvent,
  TracingEventType,
} from '@mastra/core/observability';
import { BaseExporter } from '@mastra/observability';
import type { Logger } from 'pino';
import { MODEL_CALL_FAILED } from '../tracing/generation-detail-processor.js';
import { mapToLangfuseAttributes, reshapeForLangfuse } from './langfuse-attributes.js';
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
  /** kaged's version: Langfuse's `version` of each trace and observation (else Mastra's). */
  version?: string | undefined;
  /** `health().degraded` stays true this long after the last failure. Default 60 s. */
  degradedForMs?: number | undefined;
}

/** The Langfuse exporter's health, for a readiness check: where it sends, and how that goes. */
/** The span side of the exporter: Mastra's converter and Langfuse's span processor. */
export interface LangfuseSpanPipeline {
  convert(span: AnyExportedSpan, serviceName: string | undefined): Promise<{ attributes: Record<string, unknown> }>;
  send(otelSpan: { attributes: Record<string, unknown> }): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

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
  readonly #spans: LangfuseSpanPipeline | undefined;
  readonly #mapping: Parameters<typeof mapToLangfuseAttributes>[2];
  readonly #toolDescriptions = new Map<string, string>();
  /** Failed model calls waiting for the provider's message, which only their agent run carries. */
  readonly #failedCalls = new Map<string, AnyExportedSpan[]>();
  #serviceName: string | undefined;
  readonly #health: ExportHealth;
  readonly #baseUrl: string;
  readonly #realtime: boolean;
  readonly #timeoutMs: number;
  #stopListening: (() => Promise<void>) | undefined;
  #stopped = false;

  /**
   * Imports `@mastra/langfuse` (scores, the Langfuse client) and the two parts it builds its
   * span export from, `@mastra/otel-exporter`'s `SpanConverter` and `@langfuse/otel`'s
   * `LangfuseSpanProcessor`, and starts listening to OpenTelemetry's `diag`.
   *
   * Spans go through those parts here rather than through `LangfuseExporter.exportSpan`,
   * which keeps the converted span private between conversion and sending: the corrections
   * Langfuse needs (version, usage keys, metadata objects, tool definitions) are attributes
   * of the converted span.
   */
  static async create(options: KagedLangfuseExporterOptions): Promise<KagedLangfuseExporter> {
    const [{ LangfuseExporter }, { SpanConverter }, { LangfuseSpanProcessor }] = await Promise.all([
      import('@mastra/langfuse'),
      import('@mastra/otel-exporter'),
      import('@langfuse/otel'),
    ]);
    const delegate = new LangfuseExporter({
      publicKey: options.publicKey,
      secretKey: options.secretKey,
      baseUrl: options.baseUrl,
      realtime: options.realtime ?? false,
      ...(options.environment ? { environment: options.environment } : {}),
      ...(options.release ? { release: options.release } : {}),
    });
    const processor = new LangfuseSpanProcessor({
      publicKey: options.publicKey,
      secretKey: options.secretKey,
      baseUrl: options.baseUrl,
      environment: options.environment,
      release: options.release,
      exportMode: options.realtime ? 'immediate' : 'batched',
      // Mastra's spans are not from a known LLM instrumentation scope: export them all.
      shouldExportSpan: () => true,
    });
    let converter: InstanceType<typeof SpanConverter> | undefined;
    const spans: LangfuseSpanPipeline = {
      async convert(span, serviceName) {
        converter ??= new SpanConverter({
          packageName: '@mastra/langfuse',
          serviceName: serviceName ?? 'kaged',
          format: 'GenAI_v1_38_0',
          // Resource `service.version`: kaged's, not @mastra/core's.
          ...(options.version ? { config: { resourceAttributes: { 'service.version': options.version } } as never } : {}),
        });
        return (await converter.convertSpan(span)) as unknown as { attributes: Record<string, unknown> };
      },
      send: (otelSpan) => processor.onEnd(otelSpan as never),
      flush: () => processor.forceFlush(),
      shutdown: () => processor.shutdown(),
    };
    const exporter = new KagedLangfuseExporter(options, delegate, spans);
    await exporter.listenToDiag();
    return exporter;
  }

  /**
   * `delegate` is the exporter doing the work (`create()` passes `LangfuseExporter`; tests, a
   * double); with `spans`, finished spans go through that pipeline instead of the delegate.
   */
  constructor(options: KagedLangfuseExporterOptions, delegate: ObservabilityExporter, spans?: LangfuseSpanPipeline) {
    super();
    this.#delegate = delegate;
    this.#spans = spans;
    this.#mapping = { environment: options.environment, release: options.release, version: options.version, toolDescriptions: this.#toolDescriptions };
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
    this.#serviceName = options.config?.serviceName;
    this.#delegate.init?.(options);
  }

  protected override async _exportTracingEvent(event: TracingEvent): Promise<void> {
    if (!this.#spans) return this.#delegate.exportTracingEvent(event);
    if (event.type !== TracingEventType.SPAN_ENDED) return;
    const span = event.exportedSpan;
    this.#learnTool(span);
    if (span.type === SpanType.MODEL_INFERENCE && span.errorInfo?.id === MODEL_CALL_FAILED) {
      // Mastra records the provider's error on the agent run only, after the call ended.
      const held = this.#failedCalls.get(span.traceId) ?? [];
      held.push(span);
      this.#failedCalls.set(span.traceId, held);
      return;
    }
    if (span.errorInfo || span.isRootSpan) await this.#releaseFailedCalls(span.traceId, span.errorInfo?.message);
    await this.#export(span);
  }

  async #releaseFailedCalls(traceId: string, message: string | undefined): Promise<void> {
    const held = this.#failedCalls.get(traceId);
    if (!held) return;
    this.#failedCalls.delete(traceId);
    for (const span of held) await this.#export(message ? ({ ...span, errorInfo: { ...span.errorInfo!, message } } as AnyExportedSpan) : span);
  }

  async #export(span: AnyExportedSpan): Promise<void> {
    try {
      const shaped = reshapeForLangfuse(span);
      const otelSpan = await this.#spans!.convert(shaped, this.#serviceName);
      mapToLangfuseAttributes(otelSpan.attributes, shaped, this.#mapping);
      this.#spans!.send(otelSpan);
    } catch (error) {
      this.#health.failed(error);
    }
  }

  #learnTool(span: AnyExportedSpan): void {
    if (span.type !== SpanType.TOOL_CALL && span.type !== SpanType.MCP_TOOL_CALL) return;
    const name = span.entityName ?? span.entityId;
    const description = (span.attributes as { toolDescription?: string } | undefined)?.toolDescription;
    if (!name || !description) return;
    if (this.#toolDescriptions.size >= 1_000 && !this.#toolDescriptions.has(name)) this.#toolDescriptions.clear();
    this.#toolDescriptions.set(name, description);
  }

  async #flushAll(): Promise<void> {
    for (const traceId of [...this.#failedCalls.keys()]) await this.#releaseFailedCalls(traceId, undefined);
    await Promise.all([this.#spans?.flush(), this.#delegate.flush()]);
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
    await settleWithin(this.#flushAll(), this.#timeoutMs, (error) => this.#failed(error));
  }

  /** Flushes and shuts the delegate down (bounded like `flush()`), then stops reporting. */
  override async shutdown(): Promise<void> {
    const shutdown = async () => {
      // Each part flushes what it holds as it shuts down.
      for (const traceId of [...this.#failedCalls.keys()]) await this.#releaseFailedCalls(traceId, undefined);
      await Promise.all([this.#spans?.shutdown(), this.#delegate.shutdown()]);
    };
    await settleWithin(shutdown(), this.#timeoutMs, (error) => this.#failed(error));
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
