import type { Harness, TurnObserver } from '@kaged/harness';
import type { KagedTracing } from '@kaged/observability/tracing';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { metricsObserver } from '../turn-observers/metrics-observer.js';
import { kagedVersion } from '../version.js';

/** What `/metrics` serves, and the turn observer that feeds it. */
export interface DaemonMetering {
  readonly metrics: DaemonMetrics;
  readonly observer: TurnObserver;
  /** Where the gauges read running turns and trace export failures; until then they read 0. */
  readFrom(sources: { harness: Harness; tracing: KagedTracing }): void;
}

/**
 * Prometheus metrics in a registry of this daemon's own, made first so that they count from the
 * start (reloads during start-up included); gauges are read lazily, at each scrape.
 */
export function createMetering(): DaemonMetering {
  let sources: { harness: Harness; tracing: KagedTracing } | undefined;
  const metrics = new DaemonMetrics({
    version: kagedVersion,
    activeTurns: () => sources?.harness.activeTurns ?? 0,
    traceExportFailures: () => ({ langfuse: sources?.tracing.status().langfuse?.failures }),
  });
  return {
    metrics,
    observer: metricsObserver(metrics),
    readFrom: (next) => {
      sources = next;
    },
  };
}
