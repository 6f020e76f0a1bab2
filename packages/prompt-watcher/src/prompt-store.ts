import { resolve } from 'node:path';
import { PromptLoadError } from './errors/prompt-load-error.js';
import { fileStateOf, isReplacement, type FileState } from './file-state.js';
import { contentVersion, formatReference, type Prompt, type PromptDefinition } from './prompt.js';
import { createPromptSnapshot, type PromptSnapshot } from './prompt-snapshot.js';
import { DEFAULT_PROMPT_MAX_BYTES, readTextFile, readTextFileSync, type TextFileResult } from './text-file.js';

export interface PromptStoreOptions {
  prompts: readonly PromptDefinition[];
  /** Relative prompt paths resolve against this directory (the project file's). Default: cwd. */
  baseDir?: string;
}

/** How one prompt stands: `stale` means its file is broken and the last good version is served. */
export interface PromptStatus {
  id: string;
  path: string | null;
  version: string;
  loadedAt: Date;
  state: 'ok' | 'stale';
  /** Why the prompt is stale, with the file; `null` when ok. */
  error: string | null;
}

/** One prompt whose served version changed. */
export interface PromptChange {
  id: string;
  path: string | null;
  oldVersion: string | null;
  newVersion: string;
}

export interface PromptStore {
  /** The current prompts; cheap, call it at every message boundary. */
  snapshot(): PromptSnapshot;
  status(): PromptStatus[];
  /**
   * Re-reads the prompt files (all, or those at `paths`). A file that cannot be read, is empty,
   * is not a regular file of UTF-8 text within its size bound, or changes while being read keeps
   * its last good version; the prompt is marked stale with the reason (positioned at the field
   * that references the file, when the definition says where that is). Resolves with the prompts whose version changed.
   */
  refresh(paths?: readonly string[], options?: RefreshOptions): Promise<RefreshResult>;
  /**
   * Synchronously reads the prompt files a stat shows changed since they were read (and those
   * in `force`), once each has been quiet as long as `options` asks; all of them or, while any
   * is still settling, none. A turn can call it at its start and get what is on disk now,
   * however busy the event loop is. Costs one `stat` per prompt file when nothing changed.
   */
  pull(options?: PullOptions): PullResult;
  /**
   * Replaces the set of prompts (a project reload). New or re-pointed prompts must load, or
   * this throws `PromptLoadError` and nothing changes; unchanged ones keep their state.
   */
  setPrompts(prompts: readonly PromptDefinition[]): Promise<PromptChange[]>;
  /** Absolute paths of every prompt file. */
  files(): string[];
}

export interface RefreshOptions {
  /**
   * A file modified less than this long ago is not read yet (reported `unsettled`): an editor
   * may be between two chunks of one save. Default 0.
   */
  minAgeMs?: number;
}

export interface RefreshResult {
  changes: PromptChange[];
  /**
   * Read again shortly: when any file was mid-write, every file of the refresh, none of whose
   * changes were applied (a change to several files is published whole).
   */
  unsettled: string[];
}

/** How `pull()` decides which files to read and when they are quiet enough to be. */
export interface PullOptions {
  /** Read these files even if a stat shows no change (a watcher saw an event there). */
  force?: Iterable<string>;
  /** Consider only these files. Default: every prompt file. */
  only?: Iterable<string>;
  /**
   * A file written in place is read once it has been quiet this long by its own clock: an
   * editor may be between two chunks of one save. Default 0.
   */
  settleMs?: number;
  /**
   * The same for a file that was replaced (renamed over, deleted and created: a new inode). Its
   * text arrived whole, so the wait only gathers the other files of one change (a `git
   * checkout`). Default: `settleMs`.
   */
  replacedSettleMs?: number;
  /** A file changing without pause for this long is read once quiet for `MIN_QUIET_MS`. Default: never. */
  maxWaitMs?: number;
}

export interface PullResult {
  changes: PromptChange[];
  /** Files read (whether or not their version changed). */
  read: string[];
  /** Changed files wait this many ms more to be quiet; none of them were read. */
  waitMs?: number;
}

/** Under continuous writes (`maxWaitMs` reached) a file is still not read within this of a write. */
const MIN_QUIET_MS = 15;

interface Entry {
  definition: PromptDefinition;
  path: string | null;
  prompt: Prompt;
  error: string | null;
  /** The file as it was when `prompt` or `error` was read from it; unset: read it again. */
  seen?: FileState;
}

/**
 * Loads prompt files and inline texts into versioned snapshots. At creation every file must
 * load (`PromptLoadError` names the prompt and file); afterwards broken files never replace a
 * good version. Files are read synchronously (a few KB each): a read and the snapshot it makes
 * cannot interleave with another.
 */
export async function createPromptStore(options: PromptStoreOptions): Promise<PromptStore> {
  const baseDir = options.baseDir ?? process.cwd();
  const pathOf = (definition: PromptDefinition) => ('file' in definition ? resolve(baseDir, definition.file) : null);
  let entries = new Map<string, Entry>();
  // One load, one time: every prompt loaded now shares it.
  const loadedAt = new Date();
  for (const definition of options.prompts) {
    const path = pathOf(definition);
    entries.set(definition.id, { definition, path, error: null, ...loadStrict(definition, path, loadedAt) });
  }
  let current = snapshotOf(entries);
  /** Since when each changed file has been waiting to be read (`Date.now()`). */
  const pendingSince = new Map<string, number>();
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

  function pull(pullOptions: PullOptions = {}): PullResult {
    const now = Date.now();
    const force = new Set(pullOptions.force ?? []);
    const only = pullOptions.only ? new Set(pullOptions.only) : undefined;
    const settleMs = pullOptions.settleMs ?? 0;
    const replacedSettleMs = pullOptions.replacedSettleMs ?? settleMs;
    const candidates: { id: string; entry: Entry & { path: string }; state: FileState }[] = [];
    let waitMs = 0;
    for (const [id, entry] of entries) {
      if (!entry.path || (only && !only.has(entry.path))) continue;
      const state = fileStateOf(entry.path);
      if (state.key === entry.seen?.key && !force.has(entry.path)) {
        pendingSince.delete(entry.path);
        continue;
      }
      const since = pendingSince.get(entry.path) ?? now;
      pendingSince.set(entry.path, since);
      let quietMs = state.kind === 'present' && !isReplacement(state, entry.seen) ? settleMs : replacedSettleMs;
      // A vanished file has no clock of its own: it has been gone since it was first seen gone.
      if (state.kind === 'absent') quietMs = settleMs;
      if (now - since >= (pullOptions.maxWaitMs ?? Number.POSITIVE_INFINITY)) quietMs = Math.min(quietMs, MIN_QUIET_MS);
      const touched = state.kind === 'present' ? state.touchedMs : since;
      // A modification time in the future (clock skew) is accepted rather than waited out forever.
      const age = now - touched;
      if (age >= 0 && age < quietMs) waitMs = Math.max(waitMs, quietMs - age);
      candidates.push({ id, entry: entry as Entry & { path: string }, state });
    }
    // One change to several files (a `git checkout`) is published whole or not yet: while any
    // of them is mid-save, none is read.
    if (waitMs > 0) return { changes: [], read: [], waitMs };
    if (candidates.length === 0) return { changes: [], read: [] };

    const changes: PromptChange[] = [];
    const next = new Map(entries);
    const loadedAt = new Date();
    for (const { id, entry, state } of candidates) {
      const read = readPromptFileSync(entry.path, maxBytesOf(entry.definition));
      // Changed while read (half a multi-byte character at a chunk's end, say): judged once quiet.
      if (fileStateOf(entry.path).key !== state.key) return { changes: [], read: [], waitMs: Math.max(settleMs, 1) };
      if (!read.ok) {
        const where = entry.definition.referencedAt ? `${formatReference(entry.definition.referencedAt)}: ` : '';
        next.set(id, { ...entry, seen: state, error: `${where}${entry.path}: ${read.reason}; serving the last good version ${entry.prompt.version}` });
        continue;
      }
      const version = contentVersion(read.text);
      if (version === entry.prompt.version) {
        next.set(id, { ...entry, seen: state, error: null });
        continue;
      }
      next.set(id, { ...entry, seen: state, error: null, prompt: freezePrompt(id, read.text, version, entry.path, loadedAt) });
      changes.push({ id, path: entry.path, oldVersion: entry.prompt.version, newVersion: version });
    }
    entries = next;
    const read = [...new Set(candidates.map((c) => c.entry.path))];
    for (const path of read) pendingSince.delete(path);
    if (changes.length > 0) current = snapshotOf(entries);
    return { changes, read };
  }

  return {
    snapshot: () => current,
    status: () =>
      [...entries.values()].map((e) => ({
        id: e.prompt.id,
        path: e.path,
        version: e.prompt.version,
        loadedAt: e.prompt.loadedAt,
        state: e.error ? 'stale' : 'ok',
        error: e.error,
      })),
    files: () => filesOf(entries),
    pull,
    async refresh(paths, refreshOptions = {}) {
      const batch = paths ? [...new Set(paths)] : filesOf(entries);
      const minAgeMs = refreshOptions.minAgeMs ?? 0;
      const result = pull({ only: batch, force: batch, settleMs: minAgeMs, replacedSettleMs: minAgeMs });
      const known = new Set(filesOf(entries));
      return { changes: result.changes, unsettled: result.waitMs === undefined ? [] : batch.filter((p) => known.has(p)) };
    },
    setPrompts: (prompts) =>
      serial(async () => {
        // New or re-pointed prompts load first; the set is then built from the entries as they
        // are at that moment, so a pull in between is kept, not overwritten.
        const loaded = new Map<string, Pick<Entry, 'prompt' | 'seen'>>();
        const loadedAt = new Date();
        for (const definition of prompts) {
          const path = pathOf(definition);
          const before = entries.get(definition.id);
          if (before && sameSource(before.definition, definition) && before.path === path) continue;
          loaded.set(definition.id, loadStrict(definition, path, loadedAt));
        }
        const next = new Map<string, Entry>();
        const changes: PromptChange[] = [];
        for (const definition of prompts) {
          const path = pathOf(definition);
          const before = entries.get(definition.id);
          const fresh = loaded.get(definition.id);
          if (!fresh && before) {
            next.set(definition.id, { ...before, definition });
            continue;
          }
          const { prompt, seen } = fresh!;
          const reused = before && before.prompt.version === prompt.version && before.path === path ? before.prompt : prompt;
          next.set(definition.id, { definition, path, prompt: reused, seen, error: null });
          if (!before || before.prompt.version !== prompt.version) {
            changes.push({ id: definition.id, path, oldVersion: before?.prompt.version ?? null, newVersion: prompt.version });
          }
        }
        const removed = [...entries.keys()].some((id) => !next.has(id));
        entries = next;
        if (changes.length > 0 || removed) current = snapshotOf(entries);
        return changes;
      }),
  };
}

function filesOf(entries: Map<string, Entry>): string[] {
  return [...new Set([...entries.values()].flatMap((e) => (e.path ? [e.path] : [])))];
}

function sameSource(a: PromptDefinition, b: PromptDefinition): boolean {
  return 'file' in a ? 'file' in b && a.file === b.file && maxBytesOf(a) === maxBytesOf(b) : 'text' in b && a.text === b.text;
}

function maxBytesOf(definition: PromptDefinition): number {
  return ('file' in definition ? definition.maxBytes : undefined) ?? DEFAULT_PROMPT_MAX_BYTES;
}

/** Where the size bound of prompt files is set, for the oversize message. */
const limitName = 'prompts.maxFileBytes';

function snapshotOf(entries: Map<string, Entry>): PromptSnapshot {
  return createPromptSnapshot([...entries.values()].map((e) => e.prompt));
}

function freezePrompt(id: string, text: string, version: string, path: string | null, loadedAt: Date): Prompt {
  return Object.freeze({ id, text, version, path, loadedAt });
}

/** First load of a prompt: anything short of a complete, non-empty text is an error. */
function loadStrict(definition: PromptDefinition, path: string | null, loadedAt: Date): Pick<Entry, 'prompt' | 'seen'> {
  if (path === null) {
    const text = (definition as { text: string }).text;
    return { prompt: freezePrompt(definition.id, text, contentVersion(text), null, loadedAt) };
  }
  const before = fileStateOf(path);
  const read = readPromptFileSync(path, maxBytesOf(definition));
  if (!read.ok) throw new PromptLoadError(definition.id, path, Object.assign(new Error(read.reason), { code: read.code }), definition.referencedAt);
  // A file that moved while read is served as read and read again at the next pull.
  const seen = fileStateOf(path).key === before.key ? before : undefined;
  return { prompt: freezePrompt(definition.id, read.text, contentVersion(read.text), path, loadedAt), seen };
}

type PromptFileResult = { ok: true; text: string } | { ok: false; reason: string; code: string };

/**
 * The rule a prompt file must meet to become a version: a regular file (symlinks followed) of
 * non-empty UTF-8 text of at most `maxBytes`. A FIFO or device is never opened. The daemon checks
 * a project with this too, so `kaged validate` refuses what start-up refuses.
 */
export async function readPromptFile(path: string, maxBytes: number = DEFAULT_PROMPT_MAX_BYTES): Promise<PromptFileResult> {
  return promptTextOf(await readTextFile(path, { maxBytes, limitName }));
}

function readPromptFileSync(path: string, maxBytes: number): PromptFileResult {
  return promptTextOf(readTextFileSync(path, { maxBytes, limitName }));
}

/** An empty file is an editor between truncating and writing, or a deletion to come: never a version. */
function promptTextOf(read: TextFileResult): PromptFileResult {
  if (!read.ok) return read;
  if (read.file.text.trim() === '') return { ok: false, code: 'EEMPTY', reason: 'file is empty' };
  return { ok: true, text: read.file.text };
}
