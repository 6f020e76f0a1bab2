import { z } from 'zod';

/** The embedded LibSQL file in the data directory (`kaged.db`): one daemon, nothing to run beside it. */
export const libsqlStorageSchema = z.strictObject({
  type: z.literal('libsql'),
  /** SQLite's page cache in MB, per connection: hot pages of the session and trace tables. */
  cacheMb: z.number().int().min(1, 'cacheMb must be at least 1').max(1024, 'cacheMb must be at most 1024').default(16),
  /**
   * MB of the file SQLite reads through a memory map. 0, the default, reads through the kernel's
   * page cache instead: the same pages, but not counted in the daemon's resident memory, which
   * with a map grows with the file (Mastra's own default maps 128 MB).
   */
  mmapMb: z.number().int().min(0, 'mmapMb must be at least 0').max(4096, 'mmapMb must be at most 4096').default(0),
});

/**
 * A PostgreSQL database that several daemons share (docs/scaling.md). Messages never quote the
 * URL: it usually carries the password.
 */
export const postgresStorageSchema = z.strictObject({
  type: z.literal('postgres'),
  /** `postgres://user:password@host:5432/database`, usually `${env:DATABASE_URL}`. */
  url: z
    .string()
    .min(1, 'url must not be empty (for example "${env:DATABASE_URL}")')
    .refine(isPostgresUrl, 'expected a PostgreSQL URL: postgres://user:password@host:5432/database'),
  /** The schema Mastra's tables go in, created when missing. Default `public`. */
  schema: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'schema must start with a letter or "_" and use only letters, digits and "_" (at most 63)')
    .optional(),
  /** Connections this daemon keeps open at most (start-up holds two: one waits for the others' set-up). */
  poolSize: z.number().int().min(2, 'poolSize must be at least 2').max(100, 'poolSize must be at most 100').default(10),
  /** How long opening a connection may take before the turn fails with `storage_unavailable`. */
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
});

/** `storage:` in kaged.yaml: absent means `{ type: libsql }`. */
export const storageSchema = z.discriminatedUnion('type', [libsqlStorageSchema, postgresStorageSchema], {
  error: 'expected type "libsql" (the default: a file in the data directory) or "postgres"',
});

export type StorageSettings = z.output<typeof storageSchema>;
export type PostgresStorageSettings = z.output<typeof postgresStorageSchema>;
export type LibsqlStorageSettings = z.output<typeof libsqlStorageSchema>;

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // An empty host is allowed: `?host=/var/run/postgresql` names a Unix socket directory.
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}
