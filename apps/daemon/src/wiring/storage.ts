import { join } from 'node:path';
import type { Logger } from '@kaged/observability';
import type { MastraCompositeStore } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { Memory } from '@mastra/memory';
import type { Project } from '../project/project.js';

/** Where sessions and local traces live. */
export interface DaemonStorage {
  /** Mastra's store: sessions (through `memory`) and local traces. */
  readonly store: MastraCompositeStore;
  /** Session history for the harness. */
  readonly memory: Memory;
  /** For `/readyz`. */
  readonly description: string;
  /** Closes the store; a failure is logged, never thrown. */
  close(): Promise<void>;
}

/**
 * The embedded LibSQL store in the data directory. A PostgreSQL store (several daemons sharing
 * one database) is chosen here too, once the project can name one.
 */
export async function openStorage(project: Project, dataDir: string, logger: Logger): Promise<DaemonStorage> {
  const store = new LibSQLStore({ id: 'kaged', url: `file:${join(dataDir, 'kaged.db')}` });
  await store.init();
  return {
    store,
    memory: new Memory({ storage: store, options: { lastMessages: project.sessions.lastMessages } }),
    description: `session store in ${dataDir}`,
    close: () => store.close().catch((error: unknown) => logger.warn({ err: error }, 'daemon.store_close_failed')),
  };
}
