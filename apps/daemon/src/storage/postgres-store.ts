import { setTimeout as sleep } from 'node:timers/promises';
import { SecretScrubber } from '@kaged/core';
import type { Logger } from '@kaged/observability';
import { PostgresStore } from '@mastra/pg';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';
import { pgFailureOf } from './pg-errors.js';
import { describePostgres, postgresSecrets } from './postgres-url.js';
import type { PostgresStorageSettings } from './storage-schema.js';
import { StoreHealth } from './store-health.js';
import { StorageUnavailableError } from './storage-unavailable-error.js';

/** The domains whose calls mark the store unavailable and fail fast while it is. */
const GUARDED_DOMAINS = ['memory', 'observability'] as const;

export interface OpenedPostgresStore {
  readonly store: PostgresStore;
  readonly health: StoreHealth;
  /** `PostgreSQL at host:port/database`, for messages and `/readyz`. */
  readonly target: string;
}

/**
 * Opens the PostgreSQL store several daemons share: connects once to tell an unreachable server
 * or wrong credentials apart (a start-up error naming `storage.url` and the host, never the
 * password), lets Mastra create or migrate its tables, and guards the session and trace domains
 * so that a server that goes away mid-run fails turns fast and is noticed coming back.
 */
export async function openPostgresStore(settings: PostgresStorageSettings, options: { file: string; logger: Logger }): Promise<OpenedPostgresStore> {
  const target = describePostgres(settings.url);
  const scrubber = new SecretScrubber(postgresSecrets(settings.url));
  const safe = (text: string) => scrubber.scrub(text);
  const store = new PostgresStore({
    id: 'kaged',
    connectionString: settings.url,
    max: settings.poolSize,
    ...(settings.schema ? { schemaName: settings.schema } : {}),
  });
  // Mastra's connection-string pool sets no connect timeout (pg's default waits forever on a
  // host that drops packets). pg-pool reads its options on every checkout, so this takes effect.
  const pool = store.pool as PgPool;
  pool.options.connectionTimeoutMillis = settings.connectTimeoutMs;

  const log = options.logger.child({ component: 'storage' });
  const health = new StoreHealth({ target, logger: log, probe: () => pool.query('SELECT 1').then(() => undefined) });

  try {
    await pool.query('SELECT 1');
    await initOnce(store, pool, settings.schema ?? 'public');
  } catch (error) {
    health.close();
    await store.close().catch(() => {});
    throw startupError(error, options.file, target, safe);
  }
  for (const name of GUARDED_DOMAINS) {
    const domain = store.stores[name];
    if (domain) (store.stores as Record<string, unknown>)[name] = guardDomain(domain, health, target, safe);
  }
  return { store, health, target };
}

interface PgClient {
  query(sql: string, values?: unknown[]): Promise<unknown>;
  release(): void;
}
interface PgPool {
  options: Record<string, unknown>;
  query(sql: string): Promise<unknown>;
  connect(): Promise<PgClient>;
}

/**
 * Mastra's table set-up, one daemon at a time: daemons that start together on a fresh database
 * otherwise race in `CREATE TABLE IF NOT EXISTS` (PostgreSQL answers the loser with a duplicate
 * key in pg_class). A session-level advisory lock on a connection of its own (the pool holds at
 * least two) serialises them; the second finds the tables made. Taken by polling, never by a
 * blocking `pg_advisory_lock`: Mastra's `CREATE INDEX CONCURRENTLY` waits for every open
 * transaction, the blocked lock call included, and the two would wait for each other for ever.
 */
async function initOnce(store: PostgresStore, pool: PgPool, schema: string): Promise<void> {
  const key = `kaged.init.${schema}`;
  const lock = await pool.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = (await lock.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as { rows: { locked: boolean }[] };
      if (rows[0]?.locked) break;
      if (Date.now() > deadline) throw new Error(`another daemon has been preparing the tables in schema "${schema}" for 2 minutes; start again once it is up`);
      await sleep(100 + Math.random() * 150);
    }
    await store.init();
  } finally {
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => {});
    lock.release();
  }
}

function startupError(error: unknown, file: string, target: string, safe: (text: string) => string): KagedDaemonError {
  const failure = pgFailureOf(error);
  const reason = safe(failure.reason);
  if (failure.kind === 'unreachable') {
    return new KagedDaemonError(
      'storage_unreachable',
      `${file}: storage.url: cannot connect to ${target}: ${reason}. Check that the server is running and reachable from this machine, then start again`,
    );
  }
  if (failure.kind === 'rejected') {
    return new KagedDaemonError(
      'storage_rejected',
      `${file}: storage.url: ${target} refused the connection: ${reason}. Check the user, password and database in the URL`,
    );
  }
  return new KagedDaemonError('storage_init_failed', `${file}: storage: could not prepare kaged's tables in ${target}: ${reason}`);
}

/**
 * `domain` with every async method guarded: while the store is known to be unavailable the call
 * rejects at once with `StorageUnavailableError`; a call that fails for want of a connection
 * marks it so and rejects with that error too. Other failures pass through, their text scrubbed.
 */
function guardDomain<T extends object>(domain: T, health: StoreHealth, target: string, safe: (text: string) => string): T {
  // No `cause`: the model error classifier reads a network code anywhere in the chain as the
  // provider's, and would call this a provider connection failure.
  const unavailable = (reason: string) => new StorageUnavailableError(`the session store (${target}) is unavailable: ${safe(reason)}; the turn was not run`);
  return new Proxy(domain, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function' || value.constructor.name !== 'AsyncFunction') return value;
      return async (...args: unknown[]) => {
        const down = health.unavailable;
        if (down) throw unavailable(down.reason);
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(object, args);
        } catch (error) {
          const failure = pgFailureOf(error);
          if (failure.kind !== 'unreachable') throw error;
          health.markUnavailable(safe(failure.reason));
          throw unavailable(failure.reason);
        }
      };
    },
  });
}
