import { Hono } from 'hono';
import type { DaemonMetrics } from '../../metrics/daemon-metrics.js';
import type { ReadinessCheck } from './health.js';

export interface MetricsRoutesOptions {
  metrics: DaemonMetrics;
  /** The `/readyz` checks, exported as `kaged_readiness_check`. */
  checks: () => ReadinessCheck[];
}

/** `GET /metrics`: Prometheus text format. Behind the bearer token when one is set. */
export function metricsRoutes({ metrics, checks }: MetricsRoutesOptions): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => c.body(await metrics.metrics(checks()), 200, { 'content-type': metrics.contentType }));
  return app;
}
