import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PromptLoadError } from './errors/prompt-load-error.js';
import { contentVersion, formatReference, type Prompt, type PromptDefinition } from './prompt.js';
import { createPromptSnapshot, type PromptSnapshot } from './prompt-snapshot.js';
import { DEFAULT_PROMPT_MAX_BYTES, readTextFile } from './text-file.js';

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
   * may be between two chunks of one save. The watcher passes its settle time. Default 0.
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

interface Entry {
  definition: PromptDefinition;
  path: string | null;
  prompt: Prompt;
  error: string | null;
}

/**
 * Loads prompt files and inline texts into versioned snapshots. At creation every file must
 * load (`PromptLoadError` names the prompt and file); afterwards broken files never replace a
 * good version. Reads are serialised, so a slow early read never overwrites a later one.
 */
export async function createPromptStore(options: PromptStoreOptions): Promise<PromptStore> {
  const baseDir = options.baseDir ?? process.cwd();
  const pathOf = (definition: PromptDefinition) => ('file' in definition ? resolve(baseDir, definition.file) : null);
  let entries = new Map<string, Entry>();
  // One load, one time: every prompt loaded now shares it.
  const loadedAt = new Date();
  for (const definition of options.prompts) {
    const path = pathOf(definition);
    entries.set(definition.id, { definition, path, prompt: await loadStrict(definition, path, loadedAt), error: null });
  }
  let current = snapshotOf(entries);
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => undefined);
    return run;
  };

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
    files: () => [...new Set([...entries.values()].flatMap((e) => (e.path ? [e.path] : [])))],
    refresh: (paths, refreshOptions = {}) =>
      serial(async () => {
        const wanted = paths ? new Set(paths) : undefined;
        const changes: PromptChange[] = [];
        const unsettled = new Set<string>();
        const next = new Map(entries);
        const loadedAt = new Date();
        for (const [id, entry] of entries) {
          if (!entry.path || (wanted && !wanted.has(entry.path))) continue;
          const read = await readSettled(entry.path, refreshOptions.minAgeMs ?? 0, maxBytesOf(entry.definition));
          if (read.kind === 'unsettled') {
            unsettled.add(entry.path);
            continue;
          }
          if (read.kind === 'failed') {
            const where = entry.definition.referencedAt ? `${formatReference(entry.definition.referencedAt)}: ` : '';
            next.set(id, { ...entry, error: `${where}${entry.path}: ${read.reason}; serving the last good version ${entry.prompt.version}` });
            continue;
          }
          const version = contentVersion(read.text);
          if (version === entry.prompt.version) {
            if (entry.error) next.set(id, { ...entry, error: null });
            continue;
          }
          next.set(id, { ...entry, error: null, prompt: freezePrompt(id, read.text, version, entry.path, loadedAt) });
          changes.push({ id, path: entry.path, oldVersion: entry.prompt.version, newVersion: version });
        }
        // One change to several files (a `git checkout`) is published whole or not yet: while
        // any of them is mid-save, none of the batch is, and all are read again together.
        if (unsettled.size > 0) {
          const batch = [...entries.values()].flatMap((e) => (e.path && (!wanted || wanted.has(e.path)) ? [e.path] : []));
          return { changes: [], unsettled: [...new Set(batch)] };
        }
        entries = next;
        if (changes.length > 0) current = snapshotOf(entries);
        return { changes, unsettled: [] };
      }),
    setPrompts: (prompts) =>
      serial(async () => {
        const next = new Map<string, Entry>();
        const changes: PromptChange[] = [];
        const loadedAt = new Date();
        for (const definition of prompts) {
          const path = pathOf(definition);
          const before = entries.get(definition.id);
          if (before && sameSource(before.definition, definition) && before.path === path) {
            next.set(definition.id, { ...before, definition });
            continue;
          }
          const prompt = await loadStrict(definition, path, loadedAt);
          const reused = before && before.prompt.version === prompt.version && before.path === path ? before.prompt : prompt;
          next.set(definition.id, { definition, path, prompt: reused, error: null });
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
async function loadStrict(definition: PromptDefinition, path: string | null, loadedAt: Date): Promise<Prompt> {
  if (path === null) {
    const text = (definition as { text: string }).text;
    return freezePrompt(definition.id, text, contentVersion(text), null, loadedAt);
  }
  const read = await readPromptFile(path, maxBytesOf(definition));
  if (!read.ok) throw new PromptLoadError(definition.id, path, Object.assign(new Error(read.reason), { code: read.code }), definition.referencedAt);
  return freezePrompt(definition.id, read.text, contentVersion(read.text), path, loadedAt);
}

/**
 * The rule a prompt file must meet to become a version: a regular file (symlinks followed) of
 * non-empty UTF-8 text of at most `maxBytes`. A FIFO or device is never opened. The daemon checks
 * a project with this too, so `kaged validate` refuses what start-up refuses.
 */
export async function readPromptFile(
  path: string,
  maxBytes: number = DEFAULT_PROMPT_MAX_BYTES,
): Promise<{ ok: true; text: string } | { ok: false; reason: string; code: string }> {
  const read = await readTextFile(path, { maxBytes, limitName });
  if (!read.ok) return read;
  if (read.file.text.trim() === '') return { ok: false, code: 'EEMPTY', reason: 'file is empty' };
  return { ok: true, text: read.file.text };
}

type ReadResult = { kind: 'ok'; text: string } | { kind: 'failed'; reason: string } | { kind: 'unsettled' };

/**
 * Reads a file that an editor may be writing right now. An empty file is an editor between
 * truncating and writing (or a save still to come): it is never a prompt version. A file
 * modified within `minAgeMs`, or whose size or mtime moved during the read, is read again later.
 */
async function readSettled(path: string, minAgeMs: number, maxBytes: number): Promise<ReadResult> {
  const before = await stat(path).catch(() => undefined);
  if (before?.isFile()) {
    // The file's own clock says whether it has been quiet: a timer from an earlier burst of
    // events can fire just after a new save began, before its events arrive. (A modification
    // time in the future, clock skew, is accepted rather than waited out forever.)
    const age = Date.now() - before.mtimeMs;
    if (age >= 0 && age < minAgeMs) return { kind: 'unsettled' };
  }
  const read = await readTextFile(path, { maxBytes, limitName });
  const after = await stat(path).catch(() => undefined);
  const moved = !before !== !after || (before && after && (before.size !== after.size || before.mtimeMs !== after.mtimeMs));
  // A file that changed while read (half a multi-byte character at a chunk's end, say) is read
  // again once quiet rather than judged now.
  if (moved || (read.ok && read.file.size !== after?.size)) return { kind: 'unsettled' };
  if (!read.ok) return { kind: 'failed', reason: read.reason };
  if (read.file.text.trim() === '') return { kind: 'failed', reason: 'file is empty' };
  return { kind: 'ok', text: read.file.text };
}
