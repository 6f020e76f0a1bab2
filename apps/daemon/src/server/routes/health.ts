import { Hono } from 'hono';

export type CheckStatus = 'ok' | 'degraded' | 'failing';

export interface ReadinessCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

/**
 * `GET /healthz`: the process answers. `GET /readyz`: one entry per check; 200 when every
 * check is ok or degraded, 503 when any fails.
 */
export function healthRoutes({ checks }: { checks: () => ReadinessCheck[] }): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const results = checks();
    const failing = results.some((check) => check.status === 'failing');
    const degraded = results.some((check) => check.status === 'degraded');
    const status = failing ? 'not_ready' : degraded ? 'degraded' : 'ready';
    return c.json({ status, checks: results }, failing ? 503 : 200);
  });
  return app;
}
