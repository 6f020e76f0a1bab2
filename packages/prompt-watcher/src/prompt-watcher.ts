import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DirectoryWatcher } from './directory-watcher.js';
import { DEFAULT_REPLACED_SETTLE_MS, DEFAULT_SETTLE_MS } from './settle-time.js';
import type { PromptDefinition } from './prompt.js';
import { createPromptStore, type PromptChange, type PromptStore, type PromptStoreOptions } from './prompt-store.js';
import { readTextFile } from './text-file.js';

/**
 * The bound on a watched file (the project file, scripts) read to see whether it changed: the
 * daemon's own loader refuses anything larger and says why.
 */
const MAX_WATCHED_FILE_BYTES = 4 * 1024 * 1024;

type LogFn = (fields: Record<string, unknown>, message: string) => void;

/** The little the watcher needs from a logger; pino loggers satisfy it. */
export interface WatcherLogger {
  info: LogFn;
  warn: LogFn;
}

const silent: WatcherLogger = { info: () => {}, warn: () => {} };

/** A watched (non-prompt) file modified more recently than this is read again later: it may be mid-save. */
const MIN_FILE_AGE_MS = 15;

export interface PromptWatcherOptions extends PromptStoreOptions {
  /**
   * Files to watch besides the prompts (the project file, scripts): their changes are
   * reported through `onFilesChanged`, not loaded.
   */
  watchFiles?: readonly string[];
  /**
   * Quiet time after the last event in a directory before its files are re-read: long enough
   * to span an editor's multi-chunk write, short enough to feel instant. Default `DEFAULT_SETTLE_MS` (75).
   */
  settleMs?: number;
  /**
   * The same for a file replaced whole (a temp file renamed over it, `git checkout`, a ConfigMap
   * swap): its text is complete at once, so the wait only gathers the other files of the same
   * change. Default `DEFAULT_REPLACED_SETTLE_MS` (20).
   */
  replacedSettleMs?: number;
  /** Under continuous saving, re-read at least this often. Default 500 ms. */
  maxWaitMs?: number;
  logger?: WatcherLogger;
  /** Prompts whose served version changed (already in `snapshot()` when this is called). */
  onPromptsChanged?(changes: PromptChange[]): void;
  /**
   * Prompts whose file could not be loaded (deleted, unreadable, empty): each new reason once,
   * while the last good version keeps being served. A metrics hook; the watcher logs them itself.
   */
  onPromptsFailed?(failures: PromptFailure[]): void;
  /** `watchFiles` whose content changed. Awaited before the next check runs. */
  onFilesChanged?(files: string[]): void | Promise<void>;
}

/** A prompt file that failed to load; `reason` says why and which version is still served. */
export interface PromptFailure {
  id: string;
  path: string | null;
  reason: string;
}

export interface PromptWatcher extends PromptStore {
  /** Replaces the extra files to watch (the project's referenced scripts changed, say). */
  setWatchFiles(files: readonly string[]): Promise<void>;
  /** Directories currently watched. */
  watchedDirectories(): string[];
  /** Stops watching. Snapshots stay readable. */
  close(): Promise<void>;
}

/**
 * A prompt store that follows its files: a saved edit becomes the new snapshot within about
 * `settleMs`, however the editor saves; a broken edit keeps the last good version and says why.
 */
export async function createPromptWatcher(options: PromptWatcherOptions): Promise<PromptWatcher> {
  const logger = options.logger ?? silent;
  const store = await createPromptStore(options);
  const baseDir = options.baseDir ?? process.cwd();
  let watchFiles = (options.watchFiles ?? []).map((f) => resolve(baseDir, f));
  const fileHashes = new Map<string, string | null>();
  for (const file of watchFiles) fileHashes.set(file, await hashOf(file));
  const reported = new Map<string, string>();

  let queue: Promise<unknown> = Promise.resolve();
  const serial = (work: () => Promise<unknown>) => {
    queue = queue.then(work).catch((error: unknown) => logger.warn({ err: error }, 'prompt.watch_failed'));
    return queue;
  };

  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const replacedSettleMs = Math.min(options.replacedSettleMs ?? DEFAULT_REPLACED_SETTLE_MS, settleMs);
  const maxWaitMs = options.maxWaitMs ?? 500;
  const directories = new DirectoryWatcher({
    settleMs,
    maxWaitMs,
    onEvent: () => probeSoon(),
    onActivity: (files) => void serial(() => check(files)),
    onError: (error) => logger.warn({ err: error }, 'prompt.watch_error'),
  });

  /** Prompt files an event asked to read even if their stat looks unchanged. */
  const forced = new Set<string>();
  let lastPull = Number.NEGATIVE_INFINITY;
  let retry: NodeJS.Timeout | undefined;
  let retryAt = Number.POSITIVE_INFINITY;
  let closed = false;

  /**
   * Reads what changed on disk and is quiet enough to be read, now, synchronously: called by
   * every `snapshot()` (a turn's start), so a busy event loop, which delays the watcher's events
   * and timers alike, cannot delay a turn's view of its prompts. Events and timers still pull
   * too, so an idle watcher publishes (and logs) on its own.
   */
  function pull(): void {
    if (closed) return;
    lastPull = performance.now();
    const { changes, read, waitMs } = store.pull({ force: forced, settleMs, replacedSettleMs, maxWaitMs });
    if (waitMs !== undefined) retryIn(waitMs);
    if (read.length === 0) return;
    for (const file of read) forced.delete(file);
    logChanges(changes);
    logStale();
    if (changes.length > 0) options.onPromptsChanged?.(changes);
  }

  function retryIn(ms: number): void {
    const at = performance.now() + ms + 1;
    if (retry && retryAt <= at) return;
    clearTimeout(retry);
    retryAt = at;
    retry = setTimeout(() => {
      retry = undefined;
      retryAt = Number.POSITIVE_INFINITY;
      guarded(pull);
    }, ms + 1);
  }

  /** An event in a watched directory: a replaced file can be read after the short settle time. */
  function probeSoon(): void {
    retryIn(replacedSettleMs);
  }

  function guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      logger.warn({ err: error }, 'prompt.watch_failed');
    }
  }

  async function check(files: string[]): Promise<void> {
    const promptFiles = new Set(store.files());
    for (const file of files) if (promptFiles.has(file)) forced.add(file);
    guarded(pull);

    const later: string[] = [];
    const changedFiles: string[] = [];
    for (const file of files.filter((f) => fileHashes.has(f))) {
      if (await modifiedWithin(file, MIN_FILE_AGE_MS)) {
        later.push(file);
        continue;
      }
      const hash = await hashOf(file);
      // A missing or empty file is a save in progress or a deletion: wait for real content.
      if (hash !== null && hash !== fileHashes.get(file)) {
        fileHashes.set(file, hash);
        changedFiles.push(file);
      }
    }
    if (later.length > 0) directories.recheck(later);
    if (changedFiles.length > 0) await options.onFilesChanged?.(changedFiles);
  }

  function logChanges(changes: PromptChange[]): void {
    for (const change of changes) logger.info({ ...change }, 'prompt.reloaded');
  }

  /** Each new reason for a stale prompt is logged once, at warn: loudly, not repeatedly. */
  function logStale(): void {
    const failures: PromptFailure[] = [];
    for (const status of store.status()) {
      if (status.error && reported.get(status.id) !== status.error) {
        reported.set(status.id, status.error);
        logger.warn({ id: status.id, path: status.path, version: status.version, reason: status.error }, 'prompt.stale');
        failures.push({ id: status.id, path: status.path, reason: status.error });
      } else if (!status.error && reported.has(status.id)) {
        reported.delete(status.id);
        logger.info({ id: status.id, path: status.path, version: status.version }, 'prompt.recovered');
      }
    }
    if (failures.length > 0) options.onPromptsFailed?.(failures);
  }

  const watchAll = () => directories.setFiles([...store.files(), ...watchFiles]);
  await watchAll();

  return {
    snapshot() {
      // Several callers at one turn's start share a pull.
      if (performance.now() - lastPull >= 1) guarded(pull);
      return store.snapshot();
    },
    pull: (pullOptions) => store.pull(pullOptions),
    status: () => store.status(),
    files: () => store.files(),
    refresh: (paths) => store.refresh(paths),
    async setPrompts(prompts: readonly PromptDefinition[]) {
      // Watch the new files first: the new snapshot then publishes in the same tick that this
      // resolves, so a caller can swap what depends on it (agent definitions) with no turn between.
      const files = prompts.flatMap((p) => ('file' in p ? [resolve(baseDir, p.file)] : []));
      await directories.setFiles([...new Set([...store.files(), ...files, ...watchFiles])]);
      try {
        const changes = await store.setPrompts(prompts);
        logChanges(changes.filter((c) => c.oldVersion !== null));
        return changes;
      } finally {
        void watchAll();
      }
    },
    async setWatchFiles(files) {
      watchFiles = files.map((f) => resolve(baseDir, f));
      for (const file of watchFiles) if (!fileHashes.has(file)) fileHashes.set(file, await hashOf(file));
      for (const file of [...fileHashes.keys()]) if (!watchFiles.includes(file)) fileHashes.delete(file);
      await watchAll();
    },
    watchedDirectories: () => directories.directories(),
    close() {
      closed = true;
      clearTimeout(retry);
      return directories.close();
    },
  };
}

/** Modified less than `ms` ago: possibly mid-save (see `RefreshOptions.minAgeMs`). */
async function modifiedWithin(file: string, ms: number): Promise<boolean> {
  try {
    const age = Date.now() - (await stat(file)).mtimeMs;
    return age >= 0 && age < ms;
  } catch {
    return false;
  }
}

/**
 * The content hash of a watched file; `null` while it is missing or empty (a save in progress).
 * A file that cannot be text (a FIFO, a device, too big, binary) hashes to its reason, so turning
 * into one counts as a change: the owner's reload then reports it instead of it going unseen.
 */
async function hashOf(file: string): Promise<string | null> {
  const read = await readTextFile(file, { maxBytes: MAX_WATCHED_FILE_BYTES });
  if (!read.ok) return read.reason === 'file not found' ? null : `unreadable: ${read.reason}`;
  if (read.file.size === 0) return null;
  return createHash('sha256').update(read.file.text).digest('hex');
}
