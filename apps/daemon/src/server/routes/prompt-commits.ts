import { execFile } from 'node:child_process';
import { dirname, relative } from 'node:path';
import { promisify } from 'node:util';
import { contentVersion } from '@kaged/prompt-watcher';

const run = promisify(execFile);

export interface PromptCommit {
  sha: string;
  /** Committer date, ISO 8601. */
  date: string;
  subject: string;
}

/** The most commits of one file read per lookup: a lookup stays bounded on a long history. */
const MAX_COMMITS = 200;

/**
 * For a prompt file inside a git repository: which commit introduced each version (the oldest
 * commit whose copy of the file hashes to it). Empty when git is missing, the file is outside a
 * repository or untracked: the console then simply shows no commit. Cached per file and HEAD.
 */
export function createPromptCommits(): (path: string) => Promise<Map<string, PromptCommit>> {
  const cache = new Map<string, { head: string; commits: Map<string, PromptCommit> }>();
  return async (path) => {
    try {
      const git = async (args: string[], cwd: string) =>
        (await run('git', args, { cwd, timeout: 5_000, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' })).stdout;
      const top = (await git(['rev-parse', '--show-toplevel'], dirname(path))).trim();
      // From the top of the repository: pathspecs and `sha:path` are then both relative to it.
      const atTop = (args: string[]) => git(args, top);
      const head = (await atTop(['rev-parse', 'HEAD'])).trim();
      const cached = cache.get(path);
      if (cached?.head === head) return cached.commits;
      const file = relative(top, path).split('\\').join('/');
      const log = await atTop(['log', `--max-count=${MAX_COMMITS}`, '--format=%H%x1f%cI%x1f%s', '--', file]);
      const commits = new Map<string, PromptCommit>();
      // Newest first: the last one seen for a version is the oldest, the one that introduced it.
      for (const line of log.split('\n').filter(Boolean)) {
        const [sha = '', date = '', subject = ''] = line.split('\x1f');
        const text = await atTop(['show', `${sha}:${file}`]).catch(() => undefined);
        if (text === undefined) continue;
        commits.set(contentVersion(text), { sha, date, subject });
      }
      cache.set(path, { head, commits });
      return commits;
    } catch {
      return new Map();
    }
  };
}
