import { join } from 'node:path';
import type { Logger } from '@kaged/observability';
import type { MastraCompositeStore } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { Memory } from '@mastra/memory';
import type { Project } from '../project/project.js';
import type { StoreCheck } from '../storage/store-health.js';
import { describeStorageError } from '../storage/storage-unavailable-error.js';

/** Where sessions and local traces live. */
export interface DaemonStorage {
  /** Mastra's store: sessions (through `memory`) and local traces. */
  readonly store: MastraCompositeStore;
  /** Session history for the harness. */
  readonly memory: Memory;
  /** For `/readyz`. */
  readonly description: string;
  /** The `sessions` readiness check: degraded while the store cannot be reached. */
  check(): StoreCheck;
  /**
   * True when `check()` follows the store by itself (PostgreSQL probes the server and clears the
   * outage when it answers); false when only the turns that write to it can tell (LibSQL).
   */
  readonly probes: boolean;
  /** A turn's failure explained when the store caused it (`storage_unavailable`); else `undefined`. */
  describeError(error: unknown): { code: string; message: string } | undefined;
  /** Closes the store; a failure is logged, never thrown. */
  close(): Promise<void>;
}

/**
 * The project's `storage:`: the embedded LibSQL file in the data directory (the default), or a
 * PostgreSQL database that several daemons share (docs/scaling.md). Throws a `KagedDaemonError`
 * naming `storage.url` and the host when PostgreSQL cannot be reached or refuses the login.
 */
export async function openStorage(project: Project, dataDir: string, logger: Logger): Promise<DaemonStorage> {
  const closeFailed = (error: unknown) => logger.warn({ err: error }, 'daemon.store_close_failed');
  const memoryOf = (store: MastraCompositeStore) => new Memory({ storage: store, options: { lastMessages: project.sessions.lastMessages } });
  const settings = project.storage;
  if (settings.type === 'postgres') {
    // Loaded only when asked for: a LibSQL daemon never imports pg.
    const { openPostgresStore } = await import('../storage/postgres-store.js');
    const { store, health, target } = await openPostgresStore(settings, { file: project.file, logger });
    return {
      store,
      memory: memoryOf(store),
      description: `sessions and local traces in ${target}`,
      check: () => health.check(),
      probes: true,
      describeError: describeStorageError,
      close: async () => {
        health.close();
        await store.close().catch(closeFailed);
      },
    };
  }
  const store = new LibSQLStore({
    id: 'kaged',
    url: `file:${join(dataDir, 'kaged.db')}`,
    // SQLite takes a negative cache_size as KiB; mmap_size is bytes.
    localPragmas: { cacheSize: -settings.cacheMb * 1024, mmapSize: settings.mmapMb * 1024 * 1024 },
  });
  await store.init();
  const description = `session store in ${dataDir}`;
  return {
    store,
    memory: memoryOf(store),
    description,
    check: () => ({ status: 'ok', detail: description }),
    probes: false,
    describeError: () => undefined,
    close: () => store.close().catch(closeFailed),
  };
}
