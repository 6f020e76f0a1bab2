import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { combineTurnObservers, createHarness, type Harness } from '@kaged/harness';
import { createLogger, LogRing, SecretValues, type Logger } from '@kaged/observability';
import type { KagedTracing } from '@kaged/observability/tracing';
import { KagedDaemonError } from './errors/kaged-daemon-error.js';
import type { DaemonMetrics } from './metrics/daemon-metrics.js';
import { createLiveProject } from './project/live-project.js';
import { loadProject } from './project/load-project.js';
import { projectSecrets } from './project/project-secrets.js';
import type { Project } from './project/project.js';
import { createApp } from './server/app.js';
import { langfuseProjectId } from './server/routes/config.js';
import { prepareDataDir } from './storage/data-dir.js';
import { isLoopback, listen } from './server/listen.js';
import { daemonToken } from './server/token-rule.js';
import { guardScoreObserver } from './turn-observers/guard-score-observer.js';
import { turnTraces } from './turn-observers/turn-trace-observer.js';
import { logCorrelationObserver } from './turn-observers/log-correlation-observer.js';
import { StorageHealthObserver } from './turn-observers/storage-health-observer.js';
import { traceFlushObserver } from './turn-observers/trace-flush-observer.js';
import { kagedVersion } from './version.js';
import { createMetering } from './wiring/metrics.js';
import { projectModels } from './wiring/models.js';
import { readinessChecks } from './wiring/readiness.js';
import { openStorage } from './wiring/storage.js';
import { createProjectTools } from './wiring/tools.js';
import { startTracing } from './wiring/tracing.js';

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

/**
 * Loads a project and serves its agents over HTTP. The composition root: each thing built from
 * the project has a file of its own under `wiring/`, and turns are observed through the
 * harness's observer port (`turn-observers/`).
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const env = options.env ?? process.env;
  // Mastra reports feature usage to a third-party host unless told not to; a self-hosted
  // daemon stays quiet unless the operator opts in by setting the variable themselves.
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';

  const logRing = options.logRing ?? (options.logger ? undefined : new LogRing());
  const secrets = options.secrets ?? (options.logger ? undefined : new SecretValues());
  const logger = options.logger ?? createLogger({ level: (env.KAGED_LOG_LEVEL as 'info' | undefined) ?? 'info', ring: logRing, secrets });
  const loadStartedAt = Date.now();
  const project = await loadProject(options.project, { env });
  const host = options.host ?? project.server.host;
  const port = options.port ?? project.server.port;
  const token = daemonToken({ option: options.token, project: project.server.token, env: env.KAGED_TOKEN });
  if (!isLoopback(host) && !token) {
    throw new KagedDaemonError(
      'token_required',
      `refusing to bind ${host} without a token: anyone who can reach it could run your agents. Set server.token in ${project.file} or KAGED_TOKEN, or bind 127.0.0.1`,
    );
  }
  const dataDir = resolve(options.dataDir ?? env.KAGED_DATA_DIR ?? join(project.dir, '.kaged'));
  // A bad data dir or kaged.db is one clear line before any store opens it.
  await prepareDataDir(dataDir, { libsql: project.storage.type !== 'postgres' });

  // What start-up has opened, closed again (newest first) when a later step fails.
  const opened: (() => Promise<unknown>)[] = [];
  const abandon = async (error: unknown): Promise<never> => {
    for (const close of opened.reverse()) await close().catch(() => {});
    throw error;
  };
  const metering = createMetering();
  // MCP servers connect once the daemon listens (below); a reload applies `mcp:` edits before the agents.
  const tools = createProjectTools({ project, env, logger, metrics: metering.metrics });
  opened.push(() => tools.mcp.close());
  // Prompts, the project file and its providers follow edits on disk from here on, start-up
  // included. Until the harness exists a reload only changes live.current(), which the harness
  // is built from: no reload reaches a missing harness, and no edit is lost.
  let running: Harness | undefined;
  const live = await createLiveProject({
    project,
    loadStartedAt,
    env,
    logger,
    secrets,
    onReload: (next) => {
      void tools.mcp.apply(next.mcp.servers, next.mcp.references);
      running?.setAgents(next.agents);
    },
    onReloadOutcome: ({ kind, ok }) => metering.metrics.recordReload(kind, ok),
  });
  opened.push(() => live.close());
  // Settings only a restart applies (sessions, observability, server) come from the start-up project.
  const storage = await openStorage(project, dataDir, logger).catch(abandon);
  opened.push(() => storage.close());
  const {
    tracing,
    mastra,
    traceMetadata,
    traceTags,
    shutdown: stopTracing,
  } = await startTracing({ project, store: storage.store, env, logger, secrets }).catch(abandon);
  opened.push(stopTracing);
  const models = projectModels(live, logger);

  // Turns that fail to write their session make the `sessions` check degraded until one succeeds.
  const storageHealth = new StorageHealthObserver();
  // No await from reading live.current() to setting `running`: a reload lands before or after, never between.
  const recentTurns = turnTraces();
  const harness = createHarness({
    agents: live.current().agents,
    prompts: live.prompts,
    models: models.models,
    describeError: (error, agent) => storage.describeError(error) ?? models.describeError(error, agent),
    pricing: models.pricing,
    turnTimeoutMs: project.sessions.turnTimeoutMs,
    toolSource: tools.source,
    memory: storage.memory,
    mastra,
    logger,
    traceMetadata,
    traceTags,
    // Log correlation first: its scope is the outermost, so the others' lines carry the turn's fields.
    observer: combineTurnObservers(
      logCorrelationObserver(),
      metering.observer,
      traceFlushObserver(tracing),
      guardScoreObserver(mastra, logger.child({ component: 'guards' })),
      recentTurns.observer,
      storageHealth,
    ),
  });
  running = harness;
  metering.readFrom({ harness, tracing });

  let closing = false;
  const shutdown = new AbortController();
  const app = createApp({
    harness,
    metrics: metering.metrics,
    logger,
    logRing,
    shutdown: shutdown.signal,
    token,
    browser: { host, port, allowedHosts: project.server.allowedHosts, allowedOrigins: project.server.allowedOrigins },
    isClosing: () => closing,
    prompts: () => ({ project: live.state(), prompts: live.prompts.status() }),
    promptText: (promptId, version) => {
      const served = live.prompts.snapshot().get(promptId);
      return served?.version === version ? served.text : undefined;
    },
    checks: readinessChecks({
      live,
      sessions: { check: () => (storage.probes ? storage.check() : storageHealth.check(() => storage.check())) },
      tracing,
      mcp: tools.mcp,
    }),
    traces: { traces: tracing.localTraces, costOf: models.traceCost },
    feedback: { turns: recentTurns, mastra, logger, counted: (agent, value) => metering.metrics.feedback.inc({ agent, value }) },
    // A logger of the caller's own comes without the daemon's SecretValues: the project's secrets then.
    secrets: secrets ?? new SecretValues(projectSecrets(project, env)),
    sampleRate: () => tracing.status().sampleRate,
    langfuse: () => ({ baseUrl: tracing.status().langfuse?.baseUrl ?? null, projectId: langfuseProjectId(env) }),
  });

  const server = await listen(app.fetch, host, port).catch(abandon);
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url, project: project.file, dataDir, agents: live.current().agents.map((a) => a.id), version: kagedVersion }, 'daemon.listening');
  tracing.start();
  // Loading the MCP client and spawning its servers is a tenth of a start (bench/footprint.mjs);
  // nothing before listening needs them. Applied here, before any request is read, so /readyz
  // names each server (connecting) from its first answer. The project may have been edited
  // since start-up: its current servers, which a reload may already have applied.
  const { mcp } = live.current();
  void tools.mcp.apply(mcp.servers, mcp.references);

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      shutdown.abort();
      logger.info({ activeTurns: harness.activeTurns }, 'daemon.stopping');
      const stopped = new Promise<void>((done) => server.close(() => done()));
      await stopTurns(harness, options.shutdownGraceMs ?? 10_000, logger);
      // A drained turn may still be flushing its last events: let responses end on their own
      // before cutting whatever connection is left.
      await Promise.race([stopped, sleep(2_000, undefined, { ref: false })]);
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await stopped;
      // The last turns' spans, then the stores they and the sessions were written to.
      // Every MCP server's child process, before the stores: no call is left to answer.
      await tools.mcp.close();
      await stopTracing();
      await storage.close();
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
    metrics: metering.metrics,
    close,
  };
}

/** Lets running turns finish within `graceMs`, then aborts what is left (bounded too). */
async function stopTurns(harness: Harness, graceMs: number, logger: Logger): Promise<void> {
  const timedOut = await Promise.race([harness.drain().then(() => false), sleep(graceMs, true, { ref: false })]);
  if (!timedOut) return;
  logger.warn({ activeTurns: harness.activeTurns, graceMs }, 'daemon.abort_running_turns');
  harness.abortAll('the daemon is shutting down');
  await Promise.race([harness.drain(), sleep(2_000, undefined, { ref: false })]);
}
