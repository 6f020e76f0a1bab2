import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createHarness, type Harness, type ModelPricing } from '@kaged/harness';
import { createLogger, LogRing, SecretValues, type Logger } from '@kaged/observability';
import { PinoMastraLogger } from '@kaged/observability/mastra';
import { createTracing, type KagedTracing, type TraceCostFn } from '@kaged/observability/tracing';
import { LibSQLStore } from '@mastra/libsql';
import { Mastra } from '@mastra/core/mastra';
import { Memory } from '@mastra/memory';
import { KagedError } from './errors/kaged-error.js';
import { DaemonMetrics } from './metrics/daemon-metrics.js';
import { meteredHarness } from './metrics/metered-harness.js';
import { createLiveProject, type LiveProject } from './project/live-project.js';
import { loadProject } from './project/load-project.js';
import type { Project } from './project/project.js';
import { modelPorts } from './model-ports.js';
import { createApp } from './server/app.js';
import type { ReadinessCheck } from './server/routes/health.js';
import { kagedVersion } from './version.js';

export interface DaemonOptions {
  /** Path of the project file (`kaged.yaml`). */
  project: string;
  /** Override `server.host`. */
  host?: string | undefined;
  /** Override `server.port`; 0 picks a free port. */
  port?: number | undefined;
  /** Sessions and local data. Default: `KAGED_DATA_DIR`, else `.kaged/` beside the project file. */
  dataDir?: string | undefined;
  /** Override `server.token` / `KAGED_TOKEN`. */
  token?: string | undefined;
  /** Default: JSON lines on stdout at `KAGED_LOG_LEVEL` (info), kept in a log ring too. */
  logger?: Logger | undefined;
  /** The ring behind `/v1/logs`: pass the one your `logger` writes to (see `createLogger`). */
  logRing?: LogRing | undefined;
  /**
   * Where the daemon registers the project's secret values (API keys, tokens) so that `logger`
   * censors them anywhere in a line: pass the one your `logger` was created with.
   */
  secrets?: SecretValues | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** How long shutdown waits for running turns before aborting them. Default 10 s. */
  shutdownGraceMs?: number | undefined;
}

export interface Daemon {
  /** Base URL, e.g. `http://127.0.0.1:7420`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The project as currently running: follows valid edits of the project file. */
  readonly project: Project;
  readonly dataDir: string;
  readonly harness: Harness;
  /** Tracing: its exporters, status (the `traces` readiness check) and local traces. */
  readonly tracing: KagedTracing;
  /** What `/metrics` serves: this daemon's own Prometheus registry and counters. */
  readonly metrics: DaemonMetrics;
  /** Stops accepting, lets running turns finish within the grace period, closes stores. Idempotent. */
  close(): Promise<void>;
}

/** Loads a project and serves its agents over HTTP. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const env = options.env ?? process.env;
  // Mastra reports feature usage to a third-party host unless told not to; a self-hosted
  // daemon stays quiet unless the operator opts in by setting the variable themselves.
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';

  const logRing = options.logRing ?? (options.logger ? undefined : new LogRing());
  const secrets = options.secrets ?? (options.logger ? undefined : new SecretValues());
  const logger = options.logger ?? createLogger({ level: (env.KAGED_LOG_LEVEL as 'info' | undefined) ?? 'info', ring: logRing, secrets });
  const project = await loadProject(options.project, { env });
  const host = options.host ?? project.server.host;
  const port = options.port ?? project.server.port;
  const token = options.token ?? project.server.token ?? (env.KAGED_TOKEN || undefined);
  if (!isLoopback(host) && !token) {
    throw new KagedError(
      'token_required',
      `refusing to bind ${host} without a token: anyone who can reach it could run your agents. Set server.token in ${project.file} or KAGED_TOKEN, or bind 127.0.0.1`,
    );
  }

  const dataDir = resolve(options.dataDir ?? env.KAGED_DATA_DIR ?? join(project.dir, '.kaged'));
  await mkdir(dataDir, { recursive: true });

  // Prompts, the project file and its providers follow edits on disk from here on.
  // Prometheus metrics in a registry of this daemon's own; read lazily, at each scrape.
  const metrics = new DaemonMetrics({
    version: kagedVersion,
    activeTurns: () => harness.activeTurns,
    traceExportFailures: () => ({ langfuse: tracing.status().langfuse?.failures }),
  });
  const live = await createLiveProject({
    project,
    env,
    logger,
    secrets,
    onReload: (next) => harness.setAgents(next.agents),
    onReloadOutcome: ({ kind, ok }) => metrics.recordReload(kind, ok),
  });
  const storage = new LibSQLStore({ id: 'kaged', url: `file:${join(dataDir, 'kaged.db')}` });
  await storage.init();
  // Tracing is Mastra's own pipeline: local traces into this store, Langfuse when configured.
  const { tags: traceTags, ...tracingConfig } = project.observability;
  const tracing = await createTracing({ ...tracingConfig, storage, env, logger });
  const mastra = new Mastra({ storage, logger: new PinoMastraLogger(logger), ...(tracing.observability ? { observability: tracing.observability } : {}) });
  // turn.error codes for provider failures and turn.end's costUsd, from @kaged/llm.
  const models = modelPorts(() => live.current(), logger);
  const memory = new Memory({ storage, options: { lastMessages: project.sessions.lastMessages } });
  const harness: Harness = createHarness({
    agents: project.agents,
    prompts: live.prompts,
    models: live.models,
    memory,
    mastra,
    logger,
    traceMetadata: {
      project: project.name,
      kagedVersion,
      ...(tracingConfig.environment ? { environment: tracingConfig.environment } : {}),
      ...(tracingConfig.release ? { release: tracingConfig.release } : {}),
    },
    traceTags,
    observer: tracing,
    ...models,
  });

  let closing = false;
  const shutdown = new AbortController();
  const app = createApp({
    harness: meteredHarness(harness, metrics),
    metrics,
    logger,
    logRing,
    shutdown: shutdown.signal,
    token,
    isClosing: () => closing,
    prompts: () => ({ project: live.state(), prompts: live.prompts.status() }),
    checks: () => [projectCheck(live), promptsCheck(live), { name: 'sessions', status: 'ok', detail: `session store in ${dataDir}` }, tracesCheck(tracing)],
    traces: { traces: tracing.localTraces, costOf: traceCost(live, models.pricing) },
  });

  const server = await listen(app.fetch, host, port);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, project: project.file, dataDir, agents: project.agents.map((a) => a.id), version: kagedVersion }, 'daemon.listening');
  tracing.start();

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      shutdown.abort();
      logger.info({ activeTurns: harness.activeTurns }, 'daemon.stopping');
      const stopped = new Promise<void>((done) => server.close(() => done()));
      const grace = options.shutdownGraceMs ?? 10_000;
      const timedOut = await Promise.race([harness.drain().then(() => false), delay(grace).then(() => true)]);
      if (timedOut) {
        logger.warn({ activeTurns: harness.activeTurns, graceMs: grace }, 'daemon.abort_running_turns');
        harness.abortAll('the daemon is shutting down');
        await Promise.race([harness.drain(), delay(2_000)]);
      }
      // A drained turn may still be flushing its last events: let responses end on their own
      // before cutting whatever connection is left.
      await Promise.race([stopped, delay(2_000)]);
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await stopped;
      // The last turns' spans: a bounded flush, then Mastra's shutdown (which flushes once more),
      // bounded too, so that an unreachable Langfuse cannot hold the process.
      await tracing.flush();
      await Promise.race([mastra.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'daemon.mastra_shutdown_failed')), delay(3_000)]);
      await tracing.close();
      await storage.close().catch((error: unknown) => logger.warn({ err: error }, 'daemon.store_close_failed'));
      await live.close();
      logger.info({}, 'daemon.stopped');
    })());

  return {
    url,
    host,
    port: address.port,
    get project() {
      return live.current();
    },
    dataDir,
    harness,
    tracing,
    metrics,
    close,
  };
}

function projectCheck(live: LiveProject): ReadinessCheck {
  const state = live.state();
  const agents = live.current().agents.length;
  return state.state === 'ok'
    ? { name: 'project', status: 'ok', detail: `${state.file}: ${agents} agent(s)` }
    : { name: 'project', status: 'degraded', detail: `serving the last good version; the file has ${state.errors.length} problem(s): ${state.errors.join('; ')}` };
}

function promptsCheck(live: LiveProject): ReadinessCheck {
  const stale = live.prompts.status().filter((p) => p.state === 'stale');
  const snapshot = live.prompts.snapshot();
  return stale.length === 0
    ? { name: 'prompts', status: 'ok', detail: `${snapshot.prompts.length} prompt(s) loaded, snapshot ${snapshot.version}` }
    : { name: 'prompts', status: 'degraded', detail: `${stale.length} stale prompt(s), serving their last good version: ${stale.map((p) => p.error).join('; ')}` };
}

function tracesCheck(tracing: KagedTracing): ReadinessCheck {
  const status = tracing.status();
  return { name: 'traces', status: status.state === 'degraded' ? 'degraded' : 'ok', detail: status.detail };
}

/** A trace's model generations priced like turn.end's costUsd: by the agent's model, at the project's prices. */
function traceCost(live: LiveProject, pricing: ModelPricing): TraceCostFn {
  return ({ agentId, usage }) => {
    const agent = live.current().agents.find((a) => a.id === agentId);
    return agent ? pricing.costOf(agent.model, usage) : null;
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolveServer, reject) => {
    const server = serve({ fetch, hostname, port }, () => {
      server.off('error', onError);
      resolveServer(server);
    });
    const onError = (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'EADDRINUSE'
          ? `${hostname}:${port} is already in use: stop the other process or choose another port with --port`
          : error.code === 'EADDRNOTAVAIL'
            ? `${hostname} is not an address of this machine: check server.host or --host`
            : `cannot listen on ${hostname}:${port}: ${error.message}`;
      reject(new KagedError('listen_failed', message, { cause: error }));
    };
    server.once('error', onError);
  });
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function delay(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms).unref());
}
