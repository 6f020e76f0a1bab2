import type { Logger } from 'pino';
import type { SecretScrubber } from '@kaged/core';
import { classifyExportFailure, exportFailureScrubber, type ExportFailureKind } from './export-failure.js';

export interface ExportHealthOptions {
  logger: Logger;
  /** The exporter whose failures these are, for the log line (`langfuse`). */
  exporter: string;
  /** Values that must never reach a log line (the keys). */
  secrets?: readonly string[];
  /** At most one warn line per kind of failure in this window. Default 30 s. */
  warnIntervalMs?: number;
  /** The check stays degraded this long after the last failure. Default 60 s. */
  degradedForMs?: number;
  now?: () => number;
}

export interface ExportHealthStatus {
  failures: number;
  lastError: { kind: ExportFailureKind; message: string; at: string } | null;
  /** A failure happened within the degraded window. */
  degraded: boolean;
}

/**
 * Counts export failures and logs them at warn, at most one line per kind per window, each
 * line saying how many were suppressed since the previous one. Never throws.
 */
export class ExportHealth {
  readonly #log: Logger;
  readonly #exporter: string;
  readonly #secrets: SecretScrubber;
  readonly #warnIntervalMs: number;
  readonly #degradedForMs: number;
  readonly #now: () => number;
  readonly #byKind = new Map<ExportFailureKind | 'warning', { loggedAt: number; suppressed: number }>();
  #failures = 0;
  #last: { kind: ExportFailureKind; message: string; at: number } | null = null;

  constructor(options: ExportHealthOptions) {
    this.#log = options.logger;
    this.#exporter = options.exporter;
    // Compiled once: failures can arrive in bursts.
    this.#secrets = exportFailureScrubber(options.secrets);
    this.#warnIntervalMs = options.warnIntervalMs ?? 30_000;
    this.#degradedForMs = options.degradedForMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** Records one failed export: an Error, or the text OpenTelemetry's diag logger got. */
  failed(error: unknown): void {
    try {
      const { kind, message } = classifyExportFailure(error, this.#secrets);
      const now = this.#now();
      this.#failures++;
      this.#last = { kind, message, at: now };
      const state = this.#byKind.get(kind);
      if (state && now - state.loggedAt < this.#warnIntervalMs) {
        state.suppressed++;
        return;
      }
      const suppressed = state?.suppressed ?? 0;
      this.#byKind.set(kind, { loggedAt: now, suppressed: 0 });
      this.#log.warn({ exporter: this.#exporter, kind, failures: this.#failures, suppressed, err: message }, 'trace.export_failed');
    } catch {
      // Reporting a failure must never become one.
    }
  }

  /**
   * Records a warning from the export pipeline (OpenTelemetry's "Dropped N spans because
   * maxQueueSize reached"): logged like failures, at most once per window, but not counted.
   */
  warned(message: string): void {
    try {
      const now = this.#now();
      const state = this.#byKind.get('warning');
      if (state && now - state.loggedAt < this.#warnIntervalMs) {
        state.suppressed++;
        return;
      }
      this.#byKind.set('warning', { loggedAt: now, suppressed: 0 });
      const detail = classifyExportFailure(message, this.#secrets).message;
      this.#log.warn({ exporter: this.#exporter, suppressed: state?.suppressed ?? 0, detail }, 'trace.export_warning');
    } catch {
      // As for failures.
    }
  }

  /** Logs the failures still suppressed (at shutdown), so the count is never lost; such a line has `summary: true`. */
  summarize(): void {
    for (const [kind, state] of this.#byKind) {
      if (state.suppressed === 0 || kind === 'warning') continue;
      this.#log.warn({ exporter: this.#exporter, kind, failures: this.#failures, suppressed: state.suppressed, summary: true }, 'trace.export_failed');
      state.suppressed = 0;
    }
  }

  status(): ExportHealthStatus {
    const last = this.#last;
    return {
      failures: this.#failures,
      lastError: last ? { kind: last.kind, message: last.message, at: new Date(last.at).toISOString() } : null,
      degraded: last !== null && this.#now() - last.at < this.#degradedForMs,
    };
  }
}
