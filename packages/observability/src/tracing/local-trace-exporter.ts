import { MastraStorageExporter, type MastraStorageExporterConfig } from '@mastra/observability';

export interface LocalTraceExporterOptions {
  /** Told when a flush fails; Mastra's own `Observability.flush()` would swallow it. */
  onFlushError?: ((error: unknown) => void) | undefined;
}

/**
 * Mastra's storage exporter, for spans only. Mastra also derives metrics from spans and hands
 * them to every exporter that accepts metrics; the LibSQL store cannot keep them, so the stock
 * exporter buffers them and logs "does not support batch creating metrics" once per process.
 * kaged keeps no metrics in the trace store, so they are not accepted here in the first place.
 */
export class LocalTraceExporter extends MastraStorageExporter {
  readonly #onFlushError: ((error: unknown) => void) | undefined;

  constructor(config: MastraStorageExporterConfig = {}, options: LocalTraceExporterOptions = {}) {
    // Short batches: a trace shows up in `kaged traces` about a second after its turn.
    super({ maxBatchWaitMs: 1_000, ...config });
    this.#onFlushError = options.onFlushError;
  }

  override async onMetricEvent(): Promise<void> {}

  override async flush(): Promise<void> {
    try {
      await super.flush();
    } catch (error) {
      if (!this.#onFlushError) throw error;
      this.#onFlushError(error);
    }
  }
}
