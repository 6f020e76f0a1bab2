import type { Harness } from '@kaged/harness';
import type { LogRing, Logger } from '@kaged/observability';
import { Hono } from 'hono';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { mcpRoutes } from '../mcp/mcp-route.js';
import { httpMetrics } from '../metrics/http-metrics.js';
import { bearerAuth } from './auth.js';
import { errorResponse } from './error-body.js';
import { originGuard, type OriginGuardOptions } from './origin-guard.js';
import { agentRoutes } from './routes/agents.js';
import { consoleRoutes } from './routes/console.js';
import { openAiErrorShape, openAiRoutes } from './routes/openai/index.js';
import { healthRoutes, type ReadinessCheck } from './routes/health.js';
import { logRoutes } from './routes/logs.js';
import { metricsRoutes } from './routes/metrics.js';
import { promptVersionRoutes } from './routes/prompt-versions.js';
import { promptRoutes, type PromptsView } from './routes/prompts.js';
import { traceRoutes, type TraceRoutesOptions } from './routes/traces.js';
import { feedbackRoutes, type FeedbackRoutesOptions } from './routes/feedback.js';
import { turnRoutes } from './routes/turns.js';
import { configRoutes, type LangfuseLink } from './routes/config.js';
import { sessionRoutes } from './routes/sessions.js';
import { usageRoutes } from './routes/usage.js';

export interface AppOptions {
  harness: Harness;
  logger: Logger;
  /** When set, every /v1 route and /metrics need `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Who may call: `Host`, `Origin` and body type rules (origin-guard.ts). Default: bound to 127.0.0.1. */
  browser?: OriginGuardOptions | undefined;
  checks: () => ReadinessCheck[];
  prompts: () => PromptsView;
  /** The text of a prompt version the store serves (prompt-versions.ts). */
  promptText?: ((promptId: string, version: string) => string | undefined) | undefined;
  isClosing: () => boolean;
  /** The live log view behind /v1/logs; absent when the daemon was given a logger of its own. */
  logRing?: LogRing | undefined;
  /** Aborted when shutdown begins: long-lived responses (log tails) end. */
  shutdown: AbortSignal;
  /** Local traces behind /v1/traces; without them the routes answer `local_traces_disabled`. */
  traces?: TraceRoutesOptions | undefined;
  /** `POST /v1/turns/{turnId}/feedback`; without it the route is absent. */
  feedback?: FeedbackRoutesOptions | undefined;
  /** Served at /metrics, and fed every request; without them there is no /metrics. */
  metrics?: DaemonMetrics | undefined;
  /** Censors the project's secrets in `/v1/sessions` answers (the logger's `SecretValues`). */
  secrets?: { scrub(text: string): string } | undefined;
  /** The share of turns traced, for `/v1/usage` (`tracing.status().sampleRate`). */
  sampleRate?: (() => number) | undefined;
  /** `GET /v1/config/langfuse`; without it Langfuse is reported off. */
  langfuse?: (() => LangfuseLink) | undefined;
}

/** The daemon's HTTP API as a hono app: usable with any server, and in tests with `app.request()`. */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const log = options.logger.child({ component: 'http' });

  if (options.metrics) app.use(httpMetrics(options.metrics));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, durationMs: Math.round(performance.now() - started) }, 'http.request');
  });
  // Wraps what the guards below answer on the OpenAI-compatible routes in OpenAI's error shape.
  app.use(openAiErrorShape());
  // Before auth and every route, those added later included: web pages never reach them.
  app.use(originGuard(options.browser ?? { host: '127.0.0.1' }));
  if (options.token) app.use('/v1/*', bearerAuth(options.token));
  if (options.token) app.use('/mcp', bearerAuth(options.token));
  // Metrics name the agents, models and tools: behind the same token (Prometheus sends it).
  if (options.token && options.metrics) app.use('/metrics', bearerAuth(options.token));

  app.route('/', healthRoutes({ checks: options.checks }));
  app.route('/', agentRoutes({ harness: options.harness }));
  app.route('/', promptRoutes({ view: options.prompts }));
  app.route('/', promptVersionRoutes({ prompts: options.prompts, promptText: options.promptText, ...(options.traces ?? { traces: undefined }) }));
  app.route('/', logRoutes({ ring: options.logRing, shutdown: options.shutdown }));
  app.route('/', traceRoutes(options.traces ?? { traces: undefined }));
  if (options.feedback) app.route('/', feedbackRoutes(options.feedback));
  app.route('/', sessionRoutes({ harness: options.harness, traces: options.traces?.traces, secrets: options.secrets }));
  app.route('/', usageRoutes({ traces: options.traces?.traces, costOf: options.traces?.costOf, sampleRate: options.sampleRate }));
  app.route('/', configRoutes({ langfuse: options.langfuse }));
  app.route('/', turnRoutes({ harness: options.harness, isClosing: options.isClosing }));
  app.route('/', mcpRoutes({ harness: options.harness, isClosing: options.isClosing }));
  app.route('/', openAiRoutes({ harness: options.harness, isClosing: options.isClosing }));
  if (options.metrics) app.route('/', metricsRoutes({ metrics: options.metrics, checks: options.checks }));
  // The web console (docs/console.md): static files at / that call the routes above.
  app.route('/', consoleRoutes());

  app.notFound((c) => errorResponse(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    log.error({ err: error, method: c.req.method, path: c.req.path }, 'http.unhandled_error');
    return errorResponse(c, 500, 'internal_error', 'internal error; the daemon log has the details');
  });
  return app;
}
