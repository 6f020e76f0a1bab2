import { statSync } from 'node:fs';

/**
 * What one `stat` of a path says, enough to tell whether the file changed since it was read and
 * how: written in place (same inode) or replaced (rename over it, delete and create again: a new
 * inode). Symlinks are followed, so a Kubernetes `..data` swap is a replacement.
 */
export type FileState =
  | {
      kind: 'present';
      /** Equal keys: nothing about the file changed that a stat can see. */
      key: string;
      /** The inode (and device): a new one means the file was replaced, not written to. */
      identity: string;
      /** Last write or rename, by the file's own clock (ms since the epoch). */
      touchedMs: number;
    }
  | {
      kind: 'absent';
      /** `absent:ENOENT`, `absent:EACCES`…: a different reason is a change. */
      key: string;
    };

export function fileStateOf(path: string): FileState {
  let info: ReturnType<typeof statBig>;
  try {
    info = statBig(path);
  } catch (error) {
    return { kind: 'absent', key: `absent:${(error as NodeJS.ErrnoException).code ?? 'EIO'}` };
  }
  if (!info) return { kind: 'absent', key: 'absent:ENOENT' };
  const identity = `${info.dev}:${info.ino}`;
  return {
    kind: 'present',
    key: `${identity}:${info.mode}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
    identity,
    // ctime moves on a rename as well as on a write: an atomically replaced file is new by it.
    touchedMs: Math.max(Number(info.mtimeNs / 1_000_000n), Number(info.ctimeNs / 1_000_000n)),
  };
}

function statBig(path: string) {
  return statSync(path, { bigint: true, throwIfNoEntry: false });
}

/** A new inode, or a file where there was none: the whole text arrived at once, or is arriving anew. */
export function isReplacement(now: FileState, before: FileState | undefined): boolean {
  return now.kind === 'present' && (before?.kind !== 'present' || before.identity !== now.identity);
}
