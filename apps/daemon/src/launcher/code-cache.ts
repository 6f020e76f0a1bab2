import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * A V8 code cache for the CLI bundle, made after the daemon is up: it holds the bytecode of
 * every function start-up ran, not only the top level that Node's own compile cache stores
 * (that one is made right after compiling, before anything runs). With it a start compiles
 * almost nothing (bench/footprint.mjs).
 *
 * V8 checks a cache against the source's length only, so the key holds what must match
 * exactly: a checksum of the bundle's bytes, Node's version and architecture, and the flags
 * V8 runs with (V8 rejects a cache made under other flags; one file per set of flags keeps
 * two configurations from replacing each other's cache on every start).
 */
export interface CodeCache {
  readonly file: string;
  /** The cached data to compile with, when there is a file for this key. Read on each call: hold it only while compiling (it is megabytes). */
  read(): Buffer | undefined;
  /** Writes `data` for this key (atomically: a temp file renamed) and drops the oldest files over `MAX_CODE_CACHE_FILES`. */
  save(data: Buffer): void;
}

/** Caches kept in the directory: the current bundle's and a few others' (flags, versions side by side). */
export const MAX_CODE_CACHE_FILES = 4;

const SUFFIX = '.v8cache';

export function codeCacheKey(bundle: Buffer, runtime: { version: string; arch: string; execArgv: readonly string[]; nodeOptions: string | undefined }): string {
  const flags = crc32(JSON.stringify([runtime.execArgv, runtime.nodeOptions ?? ''])).toString(16);
  return `kaged-${crc32(bundle).toString(16)}-${bundle.length}-${runtime.version}-${runtime.arch}-${flags}`;
}

/** The cache for `key` in `dir` (created on first save). Never throws: a cache that cannot be read or written is no cache. */
export function openCodeCache(dir: string, key: string): CodeCache {
  const file = join(dir, `${key}${SUFFIX}`);
  return {
    file,
    read() {
      try {
        return readFileSync(file);
      } catch {
        return undefined;
      }
    },
    save(next) {
      try {
        mkdirSync(dir, { recursive: true });
        const temp = `${file}.${process.pid}.tmp`;
        writeFileSync(temp, next);
        renameSync(temp, file);
        pruneCodeCaches(dir, MAX_CODE_CACHE_FILES);
      } catch {
        // A read-only or full temp directory: the next start compiles as it did before.
      }
    },
  };
}

/** Deletes all but the `keep` most recently written cache files (and temp files a crash left). */
export function pruneCodeCaches(dir: string, keep: number): void {
  const entries = readdirSync(dir)
    .filter((name) => name.startsWith('kaged-') && (name.endsWith(SUFFIX) || name.endsWith('.tmp')))
    .map((name) => {
      try {
        return { name, mtimeMs: statSync(join(dir, name)).mtimeMs };
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry !== undefined);
  const caches = entries.filter((e) => e.name.endsWith(SUFFIX)).sort((a, b) => b.mtimeMs - a.mtimeMs);
  const stale = [...caches.slice(keep), ...entries.filter((e) => e.name.endsWith('.tmp') && Date.now() - e.mtimeMs > 60_000)];
  for (const { name } of stale) {
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Another start removed it first.
    }
  }
}
