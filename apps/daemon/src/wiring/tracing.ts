import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@kaged/observability';
import { PinoMastraLogger } from '@kaged/observability/mastra';
import { createTracing, type KagedTracing } from '@kaged/observability/tracing';
import { Mastra } from '@mastra/core/mastra';
import type { MastraCompositeStore } from '@mastra/core/storage';
import type { Project } from '../project/project.js';
import { kagedVersion } from '../version.js';

/** Tracing and the Mastra instance it is registered with. */
export interface DaemonTracing {
  readonly tracing: KagedTracing;
  /** The agents' Mastra: its storage, kaged's logger, tracing's observability. */
  readonly mastra: Mastra;
  /** Every turn's trace metadata and tags, from the project (harness options of those names). */
  readonly traceMetadata: Record<string, unknown>;
  readonly traceTags: readonly string[] | undefined;
  /** Flushes the last turns' spans and stops, bounded so that an unreachable Langfuse cannot hold the process. */
  shutdown(): Promise<void>;
}

/** Mastra's own pipeline: local traces into `store`, Langfuse when configured. */
export async function startTracing(options: {
  project: Project;
  store: MastraCompositeStore;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Scrubs the project's secrets out of span error messages. */
  secrets?: { scrub(text: string): string } | undefined;
}): Promise<DaemonTracing> {
  const { project, store, env, logger, secrets } = options;
  const { tags: traceTags, ...config } = project.observability;
  const tracing = await createTracing({
    ...config,
    storage: store,
    env,
    logger,
    serviceVersion: kagedVersion,
    // Which traces left `running` by a stopped daemon are ended as interrupted: on a shared
    // PostgreSQL only those older than any turn of another daemon could be.
    sharedStorage: project.storage.type === 'postgres',
    turnTimeoutMs: project.sessions.turnTimeoutMs,
    ...(secrets ? { scrub: (text: string) => secrets.scrub(text) } : {}),
  });
  const mastra = new Mastra({ storage: store, logger: new PinoMastraLogger(logger), observability: tracing.observability });
  return {
    tracing,
    mastra,
    traceMetadata: {
      project: project.name,
      kagedVersion,
      ...(config.environment ? { environment: config.environment } : {}),
      ...(config.release ? { release: config.release } : {}),
    },
    traceTags,
    async shutdown() {
      // A bounded flush, then Mastra's shutdown (which flushes once more), bounded too.
      await tracing.flush();
      await Promise.race([
        mastra.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'daemon.mastra_shutdown_failed')),
        sleep(3_000, undefined, { ref: false }),
      ]);
      await tracing.close();
    },
  };
}
