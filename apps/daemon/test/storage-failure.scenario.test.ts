import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, scenarioFiles, scenarioProject } from './support/project-fixture.js';

// A real full disk: the data dir on a 4 MB tmpfs (mounting needs root, which the test
// machines have; it fails loudly otherwise), filled up by a file beside the database.

const silent = createLogger({ level: (process.env.T_LOG as 'info') ?? 'silent' });
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function mountTmpfs(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kaged-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  } catch (error) {
    throw new Error(`this test mounts a small tmpfs and needs root: ${(error as Error).message}`);
  }
  cleanups.push(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Writes `path` until the file system is full. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function turn(daemon: Daemon, sessionId: string, message: string) {
  const started = performance.now();
  const response = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message, sessionId }),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: (await response.json()) as any, ms: performance.now() - started };
}

async function sessionsCheck(daemon: Daemon) {
  const body = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] };
  return body.checks.find((c) => c.name === 'sessions')!;
}

describe('a full disk under the session store', () => {
  let daemon: Daemon;
  let filler: string;

  beforeAll(async () => {
    const dataDir = mountTmpfs();
    filler = join(dataDir, 'filler');
    // A short watchdog bound: what a stuck turn ends with, within the test's time.
    const project = await createProjectFixture(`${scenarioProject}sessions:\n  turnTimeoutMs: 3000\n`, scenarioFiles);
    cleanups.push(() => project.remove());
    daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: {}, dataDir });
    cleanups.push(() => daemon.close());
  });

  it('ends the turn with storage_unavailable in bounded time, reports it in /readyz, and recovers without a restart', async () => {
    expect((await turn(daemon, 's1', 'first')).status).toBe(200);
    fill(filler);
    // Big messages: each write needs new pages, which the full disk cannot give.
    const big = 'x'.repeat(150_000);
    const failed = await turn(daemon, 's1', big);
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('storage_unavailable');
    expect(failed.ms).toBeLessThan(10_000);
    expect(daemon.harness.activeTurns).toBe(0);
    expect(await daemon.metrics.registry.getSingleMetricAsString('kaged_turns_in_flight')).toMatch(/kaged_turns_in_flight(\{[^}]*\})? 0$/m);
    const degraded = await sessionsCheck(daemon);
    expect(degraded.status).toBe('degraded');
    expect(degraded.detail).toMatch(/storage_unavailable/);

    // The same session again: the failed run no longer blocks it (Mastra's stream never settles
    // by itself; the harness releases it), so this turn fails fast on the store, not by the
    // watchdog's 3 s bound.
    const again = await turn(daemon, 's1', big);
    expect(again.status).toBe(502);
    expect(again.body.error.code).toBe('storage_unavailable');
    expect(again.ms).toBeLessThan(2_500);
    expect(daemon.harness.activeTurns).toBe(0);

    rmSync(filler);
    // Space is back: the very session that failed works again, with its history, no restart.
    const recovered = await turn(daemon, 's1', 'after the disk was freed');
    expect(recovered.status).toBe(200);
    expect(recovered.body.text).toContain('after the disk was freed');
    expect(recovered.ms).toBeLessThan(2_500);
    expect((await turn(daemon, 's2', 'a new session')).status).toBe(200);
    expect((await sessionsCheck(daemon)).status).toBe('ok');
  });
});
