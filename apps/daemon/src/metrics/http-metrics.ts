import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { DaemonMetrics } from './daemon-metrics.js';

/** The `route` label of a request that matched no route: one value, whatever the path was. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Counts and times every request by method, route template and status. Register it first. */
export function httpMetrics(metrics: DaemonMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    metrics.recordRequest(c.req.method, routeTemplate(c), c.res.status, (performance.now() - started) / 1000);
  };
}

/**
 * The template of the route that handles the request (`/v1/agents/:agentId/turns`), never the
 * path itself, so ids in paths do not become label values. Middleware (`app.use`, method ALL)
 * matches any path, so only routes registered for a method count; a request that reached none
 * (404, or a 401 from the auth middleware on an unknown path) is `unmatched`.
 */
export function routeTemplate(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  }
  return UNMATCHED_ROUTE;
}
