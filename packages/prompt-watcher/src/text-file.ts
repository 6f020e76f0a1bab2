import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/** The default bound on a prompt file: far above any sane prompt, far below what hurts a turn. */
export const DEFAULT_PROMPT_MAX_BYTES = 256 * 1024;

export interface ReadTextFileOptions {
  /** Larger files are refused without being read whole. */
  maxBytes: number;
  /** Where the bound is set, named in the oversize message (`prompts.maxFileBytes`). */
  limitName?: string;
}

/** A text file as read: its content and the stat taken through the open handle. */
export interface TextFile {
  text: string;
  size: number;
  mtimeMs: number;
}

/**
 * `code` says why a read failed: the system's (`ENOENT`, `EACCES`) or kaged's: `ENOTREG` (not a
 * regular file), `EFBIG` (over the bound), `ENOTTEXT` (not UTF-8 text).
 */
export type TextFileResult = { ok: true; file: TextFile } | { ok: false; reason: string; code: string };

// A FIFO opened without O_NONBLOCK blocks in open() until a writer appears, on a libuv thread
// that then also keeps the process from exiting. The type is checked before the open; the flag
// covers a file swapped for a FIFO between the two. (Windows has no such flag and no FIFOs.)
const openFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * Reads a file that must be UTF-8 text: a regular file (symlinks are followed), at most
 * `maxBytes` long. Never opens a FIFO, a device or a directory, and never reads more than
 * `maxBytes + 1` bytes, so no file can hang or flood the caller. Failures are reasons, not throws.
 */
export async function readTextFile(path: string, options: ReadTextFileOptions): Promise<TextFileResult> {
  let info: Stats;
  try {
    // stat follows symlinks: what is checked is what a read would reach.
    info = await stat(path);
  } catch (error) {
    return failure(error);
  }
  const refused = refusal(info, options);
  if (refused) return refused;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, openFlags);
  } catch (error) {
    return failure(error);
  }
  try {
    const opened = await handle.stat();
    const swapped = refusal(opened, options);
    if (swapped) return swapped;
    const buffer = Buffer.allocUnsafe(Math.min(opened.size, options.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return textOf(buffer, length, opened, options);
  } catch (error) {
    return failure(error);
  } finally {
    await handle.close().catch(() => {});
  }
}

/**
 * `readTextFile` with synchronous calls, the same rules and results: for a caller that must have
 * the file's state now, at a turn's start, rather than after a busy event loop gets round to it.
 * A prompt is a few KB on a local disk: a few tens of microseconds.
 */
export function readTextFileSync(path: string, options: ReadTextFileOptions): TextFileResult {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (error) {
    return failure(error);
  }
  const refused = refusal(info, options);
  if (refused) return refused;
  let fd: number;
  try {
    fd = openSync(path, openFlags);
  } catch (error) {
    return failure(error);
  }
  try {
    const opened = fstatSync(fd);
    const swapped = refusal(opened, options);
    if (swapped) return swapped;
    const buffer = Buffer.allocUnsafe(Math.min(opened.size, options.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return textOf(buffer, length, opened, options);
  } catch (error) {
    return failure(error);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor that was read cannot fail in a way worth reporting.
    }
  }
}

/** What the first `length` bytes read through a handle opened at `opened` make. */
function textOf(buffer: Buffer, length: number, opened: Stats, options: ReadTextFileOptions): TextFileResult {
  // The file grew since its stat: only the first maxBytes + 1 bytes were read.
  if (length > options.maxBytes) return { ok: false, code: 'EFBIG', reason: oversize(options.maxBytes, options, 'more than ') };
  const text = decodeText(buffer.subarray(0, length));
  if (text === undefined) return { ok: false, code: 'ENOTTEXT', reason: 'not UTF-8 text (a binary file?)' };
  return { ok: true, file: { text, size: length, mtimeMs: opened.mtimeMs } };
}

function refusal(info: Stats, options: ReadTextFileOptions): TextFileResult | undefined {
  if (!info.isFile()) return { ok: false, code: 'ENOTREG', reason: `not a regular file (${kindOf(info)})` };
  if (info.size > options.maxBytes) return { ok: false, code: 'EFBIG', reason: oversize(info.size, options) };
  return undefined;
}

function oversize(size: number, options: ReadTextFileOptions, qualifier = ''): string {
  return `file is ${qualifier}${size} bytes, over the limit of ${options.maxBytes}${options.limitName ? ` (${options.limitName})` : ''}`;
}

function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'not a file';
}

/**
 * Strict UTF-8, byte-order mark kept (as `readFile(path, 'utf8')` keeps it, so versions of
 * existing files do not change). A NUL character is valid UTF-8 but never text a model should read.
 */
function decodeText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return text.includes('\0') ? undefined : text;
}

function failure(error: unknown): TextFileResult {
  return { ok: false, code: (error as NodeJS.ErrnoException).code ?? 'EIO', reason: errnoReason(error) };
}

function errnoReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'a parent of the path is not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return (error as Error).message;
}
