import { constants } from 'node:fs';
import { access, mkdir, open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KagedDaemonError } from '../errors/kaged-daemon-error.js';

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Makes sure the data directory can be used before any store opens it, so a bad one is one
 * line naming the path and what to do, not a stack trace from deep inside the driver. With
 * `libsql`, an existing `kaged.db` must be a SQLite database: a 0-byte or foreign file would
 * otherwise be silently taken for a new, empty store (and the sessions in it lost from view).
 */
export async function prepareDataDir(dataDir: string, { libsql }: { libsql: boolean }): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw unusable(dataDir, 'it is not a directory');
    throw unusable(dataDir, `cannot create it: ${reasonOf(error)}`);
  }
  const info = await stat(dataDir);
  if (!info.isDirectory()) throw unusable(dataDir, 'it is not a directory');
  try {
    await access(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw unusable(dataDir, `it is not readable and writable by this user: ${reasonOf(error)}`);
  }
  if (libsql) await checkDatabase(join(dataDir, 'kaged.db'));
}

async function checkDatabase(file: string): Promise<void> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw corrupt(file, `cannot read it: ${reasonOf(error)}`);
  });
  if (!info) return; // a first start: the store creates it
  if (!info.isFile()) throw corrupt(file, 'it is not a regular file');
  if (info.size === 0) throw corrupt(file, 'it is empty (0 bytes), not a database (a truncated or interrupted copy)');
  const header = Buffer.alloc(SQLITE_HEADER.length);
  try {
    const handle = await open(file, constants.O_RDWR);
    try {
      await handle.read(header, 0, header.length, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw corrupt(file, `cannot open it for reading and writing: ${reasonOf(error)}`);
  }
  if (!header.equals(SQLITE_HEADER)) throw corrupt(file, 'it is not a SQLite database (its header is wrong)');
}

function unusable(dataDir: string, why: string): KagedDaemonError {
  return new KagedDaemonError('data_dir_unusable', `data directory ${dataDir}: ${why}. Fix it, or pass another one with --data-dir or KAGED_DATA_DIR`);
}

function corrupt(file: string, why: string): KagedDaemonError {
  return new KagedDaemonError('store_unusable', `session store ${file}: ${why}. Restore it from a backup, or move it away to start with an empty store`);
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOTDIR') return 'a parent of the path is not a directory';
  return (error as Error).message;
}
