import type { InitExporterOptions, ScoreEvent } from '@mastra/core/observability';
import type { MastraCompositeStore } from '@mastra/core/storage';
import { MastraStorageExporter, type MastraStorageExporterConfig } from '@mastra/observability';
import { keepsScoreEvents, savedScoreOf } from './trace-scores.js';

export interface LocalTraceExporterOptions {
  /** Told when a flush (or a score write) fails; Mastra's own `Observability.flush()` would swallow it. */
  onFlushError?: ((error: unknown) => void) | undefined;
}

type ScoreTarget = 'observability' | { saveScore(score: NonNullable<ReturnType<typeof savedScoreOf>>): Promise<unknown> } | undefined;

/**
 * Mastra's storage exporter, for spans and scores. Mastra also derives metrics from spans and
 * hands them to every exporter that accepts metrics; the LibSQL store cannot keep them, so the
 * stock exporter buffers them and logs "does not support batch creating metrics" once per
 * process. kaged keeps no metrics in the trace store, so they are not accepted here in the
 * first place.
 *
 * Scores (feedback, guard flags) reach every exporter as score events. The stock exporter hands
 * them to the observability store, which on LibSQL and the standard PostgreSQL store does not
 * implement scores: they were dropped. Here they go to Mastra's `scores` domain instead
 * (`saveScore`), unless the observability store keeps them itself, so that each score is
 * written once.
 */
/**
 * Spans written per batch. A LibSQL batch is one synchronous transaction on the event loop, and a
 * span carries its input (a turn's system prompt among it): Mastra's default of 1,000 spans made
 * a second's worth of spans one stall of about 250 ms, which every request and timer waited out.
 * Batches of 20 keep each stall near 60 ms for the same total work (bench/reload-under-load.mjs).
 */
const MAX_BATCH_SPANS = 20;

export class LocalTraceExporter extends MastraStorageExporter {
  readonly #onFlushError: ((error: unknown) => void) | undefined;
  #storage: MastraCompositeStore | undefined;
  #scoreTarget: Promise<ScoreTarget> | undefined;
  readonly #pendingScores = new Set<Promise<void>>();

  constructor(config: MastraStorageExporterConfig = {}, options: LocalTraceExporterOptions = {}) {
    // Short batches: a trace shows up in `kaged traces` about a second after its turn.
    super({ maxBatchWaitMs: 1_000, maxBatchSize: MAX_BATCH_SPANS, ...config });
    this.#onFlushError = options.onFlushError;
  }

  override async init(options: InitExporterOptions): Promise<void> {
    this.#storage = options.mastra?.getStorage();
    await super.init(options);
  }

  override async onMetricEvent(): Promise<void> {}

  override async onScoreEvent(event: ScoreEvent): Promise<void> {
    const target = await this.#target();
    if (target === 'observability') return super.onScoreEvent(event);
    const record = savedScoreOf(event);
    if (!target || !record) return;
    // Written at once, not batched: scores are few, and flush() waits for the writes in flight.
    let failure: { error: unknown } | undefined;
    const write = target.saveScore(record).then(
      () => {},
      (error: unknown) => {
        if (this.#onFlushError) this.#onFlushError(error);
        else failure = { error };
      },
    );
    this.#pendingScores.add(write);
    await write;
    this.#pendingScores.delete(write);
    if (failure) throw failure.error;
  }

  override async flush(): Promise<void> {
    try {
      await Promise.all([super.flush(), ...this.#pendingScores]);
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    if (!this.#onFlushError) throw error;
    this.#onFlushError(error);
  }

  #target(): Promise<ScoreTarget> {
    // Remembered once known; a store that could not be asked (down at start) is asked again next time.
    this.#scoreTarget ??= this.#resolveTarget().then((target) => {
      if (!target) this.#scoreTarget = undefined;
      return target;
    });
    return this.#scoreTarget;
  }

  async #resolveTarget(): Promise<ScoreTarget> {
    const storage = this.#storage;
    if (!storage) return undefined;
    try {
      if (keepsScoreEvents(await storage.getStore('observability'))) return 'observability';
      const scores = await storage.getStore('scores');
      return scores ? (scores as unknown as Exclude<ScoreTarget, 'observability' | undefined>) : undefined;
    } catch (error) {
      this.#report(error);
      return undefined;
    }
  }
}
