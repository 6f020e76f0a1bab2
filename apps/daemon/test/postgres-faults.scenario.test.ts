import { LogRing, SecretValues, createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { privateServer, type PrivateServer } from './support/postgres.js';
import { createProjectFixture, type ProjectFixture, scenarioFiles, scriptedProject } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

// The one file that stops PostgreSQL while daemons use it: on a cluster of its own, so that the
// other PostgreSQL files (on the machine's cluster, in parallel) never see it go.

const postgresProject = (schema = '') =>
  scriptedProject(
    'faults',
    `storage:
  type: postgres
  url: \${env:DATABASE_URL}
${schema}`,
  );

let server: PrivateServer;
let project: ProjectFixture;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  server = await privateServer('kaged_faults');
  project = await createProjectFixture(postgresProject(), scenarioFiles);
  cleanups.push(
    () => server.close(),
    () => project.remove(),
  );
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function readiness(url: string): Promise<{ status: string; checks: { name: string; status: string; detail: string }[] }> {
  return (await (await fetch(`${url}/readyz`)).json()) as never;
}

const sessionsCheck = async (url: string) => (await readiness(url)).checks.find((c) => c.name === 'sessions')!;

describe('PostgreSQL stopped and started while the daemon runs', () => {
  let daemon: Daemon;
  const lines: string[] = [];

  beforeAll(async () => {
    const ring = new LogRing();
    const secrets = new SecretValues();
    const logger = createLogger({ level: 'info', ring, secrets, destination: { write: (line: string) => lines.push(line) > 0 } });
    daemon = await startDaemon({ project: project.file, port: 0, logger, logRing: ring, secrets, env: { DATABASE_URL: server.url } });
    cleanups.push(() => daemon.close());
  });

  it('fails turns fast with storage_unavailable, reports sessions degraded, and recovers by itself', async () => {
    const first = await streamTurn(daemon.url, 'assistant', { message: 'hello', sessionId: 'outage' });
    expect(first.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo hello (messages: 1)' } });
    expect(await sessionsCheck(daemon.url)).toMatchObject({ status: 'ok' });

    server.stop();
    const failures: { ms: number; last: { event: string; data: any } | undefined }[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const turn = await streamTurn(daemon.url, 'assistant', { message: `during outage ${i}`, sessionId: 'outage' });
      failures.push({ ms: performance.now() - started, last: turn.events.at(-1) });
    }
    for (const failure of failures) {
      expect(failure.last).toMatchObject({ event: 'turn.error', data: { code: 'storage_unavailable' } });
      expect(failure.last!.data.message).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+\/kaged_faults/);
      expect(failure.last!.data.message).not.toContain(server.password);
    }
    // Fail fast: no turn waits for a connect timeout.
    expect(Math.max(...failures.map((f) => f.ms))).toBeLessThan(2_000);
    const degraded = await sessionsCheck(daemon.url);
    expect(degraded.status).toBe('degraded');
    expect(degraded.detail).toMatch(/PostgreSQL at 127\.0\.0\.1:\d+\/kaged_faults unreachable/);
    expect(degraded.detail).not.toContain(server.password);

    server.start();
    // The daemon notices by itself (a probe each second): no restart, no request needed.
    const deadline = Date.now() + 10_000;
    while ((await sessionsCheck(daemon.url)).status !== 'ok' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await sessionsCheck(daemon.url)).toMatchObject({ status: 'ok' });

    // The session's history survived the restart; the failed turns left none.
    const after = await streamTurn(daemon.url, 'assistant', { message: 'back again', sessionId: 'outage' });
    expect(after.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo back again (messages: 2)' } });

    expect(lines.some((line) => line.includes('storage.unavailable'))).toBe(true);
    expect(lines.some((line) => line.includes('storage.recovered'))).toBe(true);
    expect(lines.filter((line) => line.includes(server.password))).toEqual([]);
  });
});
