// The launcher's V8 code cache (src/launcher/), as an operator meets it: `kaged start` from the
// built package, restarted. The first start makes the cache after listening, the next one
// compiles with it and serves turns; a cache V8 refuses is made again; the compile cache's
// off switch turns it off.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { waitFor } from './support/child-processes.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface LogLine {
  msg: string;
  state?: string;
  file?: string;
  bytes?: number;
}

describe('kaged start with its code cache', () => {
  let project: ProjectFixture;
  let cacheRoot: string;

  beforeAll(async () => {
    project = await createProjectFixture(scenarioProject, scenarioFiles);
    cacheRoot = mkdtempSync(join(tmpdir(), 'kaged-cli-cache-'));
  });
  afterAll(async () => {
    await project?.remove();
    rmSync(cacheRoot, { recursive: true, force: true });
  });

  /** Starts the CLI, waits for `until` in its log, runs one turn, stops it with SIGTERM; its log lines. */
  const run = async (env: Record<string, string | undefined>, until: (lines: LogLine[]) => boolean): Promise<LogLine[]> => {
    const { KAGED_PROJECT: _project, NODE_COMPILE_CACHE: _cache, NODE_DISABLE_COMPILE_CACHE: _off, ...base } = process.env;
    const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--log-level', 'debug', '--log-format', 'json', '--project', project.file], {
      env: { ...base, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
    try {
      const url = await waitFor(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], 30_000, `the daemon to listen:\n${stderr}`);
      const turn = await fetch(`${url}/v1/agents/assistant/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello' }),
      });
      expect(turn.status).toBe(200);
      expect(((await turn.json()) as { text: string }).text.length).toBeGreaterThan(0);
      await waitFor(() => until(lines()), 15_000, `the code cache log lines:\n${stdout.slice(-2000)}`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, stderr).toBe(0);
    return lines();
  };
  const stateOf = (lines: LogLine[]) => lines.find((l) => l.msg === 'cli.code_cache')?.state;
  const saved = (lines: LogLine[]) => lines.some((l) => l.msg === 'cli.code_cache_saved');
  const cacheFiles = () => readdirSync(join(cacheRoot, readdirSync(cacheRoot)[0]!, 'kaged')).filter((name) => name.endsWith('.v8cache'));

  it('makes the cache after the first start, and compiles with it at the next', async () => {
    const first = await run({ NODE_COMPILE_CACHE: cacheRoot }, saved);
    expect(stateOf(first)).toBe('none');
    expect(first.find((l) => l.msg === 'cli.code_cache_saved')!.bytes).toBeGreaterThan(1_000_000);
    expect(cacheFiles()).toHaveLength(1);

    const second = await run({ NODE_COMPILE_CACHE: cacheRoot }, (lines) => stateOf(lines) !== undefined);
    expect(stateOf(second)).toBe('accepted');
    expect(saved(second)).toBe(false);
  });

  it('makes the cache again when V8 refuses it', async () => {
    const [file] = cacheFiles();
    const path = join(cacheRoot, readdirSync(cacheRoot)[0]!, 'kaged', file!);
    writeFileSync(path, Buffer.alloc(4096, 7));
    const lines = await run({ NODE_COMPILE_CACHE: cacheRoot }, saved);
    expect(stateOf(lines)).toBe('rejected');
    const next = await run({ NODE_COMPILE_CACHE: cacheRoot }, (l) => stateOf(l) !== undefined);
    expect(stateOf(next)).toBe('accepted');
  });

  it('keeps one cache per set of Node flags', async () => {
    await run({ NODE_COMPILE_CACHE: cacheRoot, NODE_OPTIONS: '--max-semi-space-size=2' }, saved);
    expect(cacheFiles()).toHaveLength(2);
  });

  it('has none with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    const lines = await run({ NODE_COMPILE_CACHE: cacheRoot, NODE_DISABLE_COMPILE_CACHE: '1' }, (l) => stateOf(l) !== undefined);
    expect(stateOf(lines)).toBe('off');
  });
});
