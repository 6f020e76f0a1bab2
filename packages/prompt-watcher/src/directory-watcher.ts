import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export interface DirectoryWatcherOptions {
  /** Quiet time after the last event in any watched directory before their files are re-read. */
  settleMs: number;
  /** Longest continuous activity waits before a re-read anyway. */
  maxWaitMs: number;
  /** Called with the files (as given to `setFiles`) whose directories saw activity, in one batch. */
  onActivity(files: string[]): void;
  /** Called at every event, before any settling: the earliest sign that something changed. */
  onEvent?(): void;
  onError(error: Error): void;
}

/**
 * Watches the directories of a set of files rather than the files themselves: editors replace
 * files by rename (the old inode is gone), Kubernetes swaps a `..data` symlink next to them, and
 * vim renames the original away. Any event in a directory, whatever its file name, means "look
 * again" at the watched files there, once the directory has been quiet for `settleMs`.
 */
export class DirectoryWatcher {
  readonly #options: DirectoryWatcherOptions;
  /** Watched directory -> the files (as given) that live there, directly or behind a symlink. */
  #filesByDir = new Map<string, Set<string>>();
  /** One chokidar watcher per directory: each has its own ready and close. */
  readonly #watchers = new Map<string, FSWatcher>();
  /**
   * One burst for all directories, not one per directory: a change that spans several (a `git
   * checkout`, a deploy) is read as one batch once everything is quiet, so the files of one
   * change are published together.
   */
  readonly #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  /** When the first event of the pending burst arrived. */
  #burstStarted: number | undefined;
  /** Bumped by every event: a fired timer that saw a newer event reads nothing. */
  #eventCount = 0;
  #closed = false;

  constructor(options: DirectoryWatcherOptions) {
    this.#options = options;
  }

  /** Watches exactly these files' directories; resolves once every new watch is ready. */
  async setFiles(files: readonly string[]): Promise<void> {
    if (this.#closed) return;
    const next = new Map<string, Set<string>>();
    for (const file of files) {
      for (const dir of directoriesOf(file)) {
        if (!next.has(dir)) next.set(dir, new Set());
        next.get(dir)!.add(file);
      }
    }
    this.#filesByDir = next;
    const removed = [...this.#watchers.keys()].filter((dir) => !next.has(dir));
    const added = [...next.keys()].filter((dir) => !this.#watchers.has(dir));
    await Promise.all([...removed.map((dir) => this.#unwatch(dir)), ...added.map((dir) => this.#watch(dir))]);
  }

  async #watch(dir: string): Promise<void> {
    const watcher = watch(dir, {
      ignoreInitial: true,
      depth: 0,
      // chokidar's own atomic-save handling delays unlink events by 100 ms; every event here
      // only triggers a re-read, so raw events are both faster and safe.
      atomic: false,
      persistent: true,
    });
    this.#watchers.set(dir, watcher);
    watcher.on('all', (_event, path) => this.#onEvent(dir, path));
    // Raw events arrive synchronously from fs.watch, before chokidar's own stat of the entry:
    // the earliest sign that a save has begun.
    watcher.on('raw', () => this.#onEvent(dir, ''));
    watcher.on('error', (error) => this.#options.onError(error as Error));
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  }

  async #unwatch(dir: string): Promise<void> {
    this.#pending.delete(dir);
    const watcher = this.#watchers.get(dir);
    this.#watchers.delete(dir);
    await watcher?.close();
  }

  /** Directories being watched. */
  directories(): string[] {
    return [...this.#watchers.keys()];
  }

  /** Re-reads `files` after the settle time, as if their directory had seen an event. */
  recheck(files: readonly string[]): void {
    for (const file of files) for (const dir of directoriesOf(file)) if (this.#filesByDir.has(dir)) this.#schedule(dir);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await Promise.all([...this.#watchers.keys()].map((dir) => this.#unwatch(dir)));
  }

  #onEvent(dir: string, _path: string): void {
    // Whatever the entry (the prompt, a temp file, a backup, `..data`): look again.
    this.#schedule(dir);
    this.#options.onEvent?.();
  }

  #schedule(dir: string): void {
    if (this.#closed) return;
    this.#pending.add(dir);
    this.#eventCount++;
    clearTimeout(this.#timer);
    const now = performance.now();
    this.#burstStarted ??= now;
    // Trailing debounce, but files saved to without pause still reload every maxWaitMs.
    const delay = Math.max(0, Math.min(this.#options.settleMs, this.#burstStarted + this.#options.maxWaitMs - now));
    this.#timer = setTimeout(() => {
      const seen = this.#eventCount;
      // Timers run before the event loop polls for I/O: a save that began just now has its
      // events still waiting. Let them in first; if any came, the new timer reads instead.
      setImmediate(() => {
        if (this.#closed || this.#eventCount !== seen) return;
        this.#timer = undefined;
        this.#burstStarted = undefined;
        const files = new Set([...this.#pending].flatMap((d) => [...(this.#filesByDir.get(d) ?? [])]));
        this.#pending.clear();
        if (files.size > 0) this.#options.onActivity([...files]);
      });
    }, delay);
  }
}

/** The file's own directory and, when it is a symlink, the directory of its target. */
function directoriesOf(file: string): string[] {
  const dirs = [dirname(file)];
  try {
    const real = dirname(realpathSync(file));
    if (real !== dirs[0]) dirs.push(real);
  } catch {
    // A missing file is watched through its directory alone.
  }
  return dirs;
}
