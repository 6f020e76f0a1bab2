import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { mkdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SETTLE_MS } from '../settle-time.js';

/**
 * What the target held during a pause inside a save, and how long that pause really lasted.
 * On a loaded machine a 30 ms pause can last far longer; once it outlasts a watcher's settle
 * time, the half-written file is indistinguishable from a finished save, and a test must know.
 */
export interface SavePause {
  onDisk: string;
  ms: number;
}

/**
 * Writes `text` to `path` the way one kind of editor (or deployment) saves a file; a save that
 * pauses mid-way reports each pause to `onPause`.
 */
export type EditorSave = (path: string, text: string, onPause?: (pause: SavePause) => void) => Promise<void>;

/** Truncate and write in one call (most editors, `echo >`). */
export const inPlace: EditorSave = (path, text) => writeFile(path, text);

/**
 * Truncate, then write the text in two chunks 30 ms apart (a slow or buffered writer).
 *
 * The writes are synchronous system calls on purpose: the 30 ms are then measured from the
 * moment the first chunk is in the file. With promise-based writes the pause starts only when
 * the thread pool reports back, which on a loaded machine can be far later than the write
 * itself, and the simulated gap silently grows.
 */
export const twoChunks: EditorSave = async (path, text, onPause) => {
  const half = Math.floor(text.length / 2);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text.slice(0, half));
    const paused = performance.now();
    await sleep(30);
    const ms = performance.now() - paused;
    writeSync(fd, text.slice(half));
    onPause?.({ onDisk: text.slice(0, half), ms });
  } finally {
    closeSync(fd);
  }
};

/** Truncate to empty, pause 15 ms, then write (an editor that clears the file first). Synchronous calls, as above. */
export const truncateFirst: EditorSave = async (path, text, onPause) => {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, 0);
    const paused = performance.now();
    await sleep(15);
    const ms = performance.now() - paused;
    writeSync(fd, text, 0);
    onPause?.({ onDisk: '', ms });
  } finally {
    closeSync(fd);
  }
};

/** Write a temp file beside the target and rename it over the target (IntelliJ, Neovim, VS Code). */
export const tempThenRename: EditorSave = async (path, text) => {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  await writeFile(temp, text);
  await rename(temp, path);
};

/** Rename the original to a backup, create a new file, delete the backup (vim `backupcopy=no`). */
export const backupRename: EditorSave = async (path, text) => {
  const backup = `${path}~`;
  await rename(path, backup);
  await writeFile(path, text);
  await unlink(backup);
};

/** Delete the file, then create it again `gapMs` later: the window where the prompt looks deleted. */
export function deleteThenRecreate(gapMs = 200): EditorSave {
  return async (path, text) => {
    await unlink(path);
    await sleep(gapMs);
    await writeFile(path, text);
  };
}

/**
 * Kubernetes ConfigMap volumes: `<dir>/<name>` is a symlink to `..data/<name>`, `..data` a
 * symlink to a timestamped directory. An update writes a new timestamped directory and swaps
 * `..data` atomically; nothing happens to `<dir>/<name>` itself.
 */
export const configMapSwap: EditorSave = async (path, text) => {
  const dir = dirname(path);
  const name = basename(path);
  const dataLink = join(dir, '..data');
  const previous = await readlink(dataLink);
  const next = `..${Date.now()}_${Math.random().toString(36).slice(2)}`;
  await mkdir(join(dir, next));
  await writeFile(join(dir, next, name), text);
  const tempLink = join(dir, '..data_tmp');
  await symlink(next, tempLink);
  await rename(tempLink, dataLink);
  await rm(join(dir, previous), { recursive: true, force: true });
};

/** Lays out `<dir>/<name>` as a ConfigMap volume would, ready for `configMapSwap`. */
export async function createConfigMapFile(dir: string, name: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const first = `..${Date.now()}_initial`;
  await mkdir(join(dir, first));
  await writeFile(join(dir, first, name), text);
  await symlink(first, join(dir, '..data'));
  await symlink(join('..data', name), join(dir, name));
  return join(dir, name);
}

/** Every save style, by name. */
export const editorSaves: Record<string, EditorSave> = {
  inPlace,
  twoChunks,
  truncateFirst,
  tempThenRename,
  backupRename,
  deleteThenRecreate: deleteThenRecreate(200),
};

/**
 * The texts a watcher may serve while a test saves: the initial one, each complete save, and the
 * half of a save whose pause outlasted the settle time (which no watcher can tell from a finished
 * save; an empty file never counts). Pass `onPause` to every save and `saved` each full text.
 */
export interface SaveLedger {
  readonly allowed: ReadonlySet<string>;
  saved(text: string): void;
  onPause(pause: SavePause): void;
  /** Every pause, in ms, in the order the saves made them. */
  readonly pauses: readonly number[];
  /** A line to print when some pauses outlasted the settle time; `undefined` when none did. */
  stretchedReport(saves: number): string | undefined;
}

export function createSaveLedger(initial: string, settleMs = DEFAULT_SETTLE_MS): SaveLedger {
  const allowed = new Set([initial]);
  const pauses: number[] = [];
  const stretched: number[] = [];
  return {
    allowed,
    pauses,
    saved: (text) => void allowed.add(text),
    onPause({ onDisk, ms }) {
      pauses.push(Math.round(ms));
      if (ms < settleMs || onDisk.trim() === '') return;
      allowed.add(onDisk);
      stretched.push(Math.round(ms));
    },
    stretchedReport: (saves) =>
      stretched.length === 0
        ? undefined
        : `${stretched.length} of ${saves} save pauses outlasted the ${settleMs} ms settle time (${stretched.join(', ')} ms): their halves counted as saves`,
  };
}
