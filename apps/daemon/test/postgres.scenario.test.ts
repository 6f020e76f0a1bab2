import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, LogRing, SecretValues } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { freePort, sharedDatabase, type TestDatabase } from './support/postgres.js';
import { createProjectFixture, type ProjectFixture, scenarioFiles, scriptedProject } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

// Two daemons on one PostgreSQL database (a fresh one for this file on the machine's cluster):
// what one writes, the other reads; a restarted daemon keeps it; bad URLs fail start clearly.

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const projectYaml = (storage: string) => scriptedProject('shared', storage);

const postgresStorage = `storage:
  type: postgres
  url: \${env:DATABASE_URL}
  schema: kaged_shared
  poolSize: 4
`;

let db: TestDatabase;
let project: ProjectFixture;
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** A daemon on the shared database, with every line it logs kept (for the password check). */
async function daemonOn(url: string, lines: string[] = []): Promise<Daemon> {
  const ring = new LogRing();
  const secrets = new SecretValues();
  const logger = createLogger({ level: 'info', ring, secrets, destination: { write: (line: string) => lines.push(line) > 0 } });
  const daemon = await startDaemon({ project: project.file, port: 0, logger, logRing: ring, secrets, env: { DATABASE_URL: url } });
  cleanups.push(() => daemon.close());
  return daemon;
}

beforeAll(async () => {
  db = await sharedDatabase('kaged_share');
  project = await createProjectFixture(projectYaml(postgresStorage), scenarioFiles);
  cleanups.push(() => project.remove());
});

describe('two daemons on one PostgreSQL', () => {
  let a: Daemon;
  let b: Daemon;
  const lines: string[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([daemonOn(db.url, lines), daemonOn(db.url, lines)]);
  });

  it('continue one session on either daemon, with its history', async () => {
    const first = await streamTurn(a.url, 'assistant', { message: 'one', sessionId: 'shared-1', userId: 'u' });
    expect(first.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo one (messages: 1)' } });
    const second = await streamTurn(b.url, 'assistant', { message: 'two', sessionId: 'shared-1', userId: 'u' });
    expect(second.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo two (messages: 2)' } });
    const third = await streamTurn(a.url, 'assistant', { message: 'three', sessionId: 'shared-1', userId: 'u' });
    expect(third.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo three (messages: 3)' } });
    // Another session stays apart.
    const other = await streamTurn(b.url, 'assistant', { message: 'alone', sessionId: 'shared-2' });
    expect(other.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo alone (messages: 1)' } });
  });

  it("list each other's traces", async () => {
    const onA = await streamTurn(a.url, 'assistant', { message: 'traced on a', sessionId: 'traces-a' });
    const onB = await streamTurn(b.url, 'assistant', { message: 'traced on b', sessionId: 'traces-b' });
    const traceA = onA.events[0]!.data.traceId as string;
    const traceB = onB.events[0]!.data.traceId as string;
    await Promise.all([a.tracing.flush(), b.tracing.flush()]);
    const listed = async (daemon: Daemon, sessionId: string) => {
      const body = (await (await fetch(`${daemon.url}/v1/traces?sessionId=${sessionId}`)).json()) as { traces: { traceId: string }[] };
      return body.traces.map((t) => t.traceId);
    };
    expect(await listed(b, 'traces-a')).toEqual([traceA]);
    expect(await listed(a, 'traces-b')).toEqual([traceB]);
    const detail = await fetch(`${a.url}/v1/traces/${traceB}`);
    expect(detail.status).toBe(200);
  });

  it('report the shared store in /readyz, and never show the password', async () => {
    const ready = (await (await fetch(`${a.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] };
    const sessions = ready.checks.find((c) => c.name === 'sessions')!;
    expect(sessions).toEqual({ name: 'sessions', status: 'ok', detail: `sessions and local traces in PostgreSQL at 127.0.0.1:${db.port}/${db.name}` });
    const answers = await Promise.all(['/readyz', '/v1/prompts', '/v1/logs', '/v1/traces'].map(async (path) => (await fetch(`${a.url}${path}`)).text()));
    for (const answer of answers) expect(answer).not.toContain(db.password);
    const spans = db.sql(
      `SELECT string_agg(coalesce(attributes::text, '') || coalesce(metadata::text, '') || coalesce(input::text, ''), ' ') FROM kaged_shared.mastra_ai_spans`,
    );
    expect(spans.length).toBeGreaterThan(0);
    expect(spans).not.toContain(db.password);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(db.password))).toEqual([]);
  });

  it('keep sessions and traces across a restart of a daemon', async () => {
    await streamTurn(a.url, 'assistant', { message: 'before restart', sessionId: 'restart' });
    await a.tracing.flush();
    await a.close();
    const again = await daemonOn(db.url);
    const after = await streamTurn(again.url, 'assistant', { message: 'after restart', sessionId: 'restart' });
    expect(after.events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'echo after restart (messages: 2)' } });
    const body = (await (await fetch(`${again.url}/v1/traces?sessionId=restart`)).json()) as { traces: unknown[] };
    expect(body.traces.length).toBeGreaterThanOrEqual(1);
  });
});

describe('start-up against a PostgreSQL it cannot use', () => {
  const start = (url: string) => {
    const result = spawnSync(process.execPath, [cli, 'start', '--port', '0', '--project', project.file], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, DATABASE_URL: url, KAGED_LOG_LEVEL: 'info' },
      timeout: 30_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}`, stderr: result.stderr };
  };

  it('exits 1 naming storage.url and the host when the server is unreachable, without the password', async () => {
    const port = await freePort();
    const url = `postgres://${db.role}:${db.password}@127.0.0.1:${port}/${db.name}`;
    const { status, stderr, output } = start(url);
    expect(status).toBe(1);
    expect(stderr).toContain('storage.url: cannot connect to PostgreSQL at 127.0.0.1:');
    expect(stderr).toContain(`127.0.0.1:${port}/${db.name}`);
    expect(stderr).toMatch(/ECONNREFUSED/);
    expect(output).not.toContain(db.password);
  });

  it('exits 1 saying the login was refused for a wrong password, without either password', () => {
    const wrong = 'not-the-password-1234';
    const { status, stderr, output } = start(db.urlWithPassword(wrong));
    expect(status).toBe(1);
    expect(stderr).toContain(
      `storage.url: PostgreSQL at 127.0.0.1:${db.port}/${db.name} refused the connection: password authentication failed for user "${db.role}"`,
    );
    expect(output).not.toContain(wrong);
    expect(output).not.toContain(db.password);
  });

  it('names the field and line when the URL is not a PostgreSQL URL', () => {
    const { status, stderr } = start('mysql://u:secret-password@db/x');
    expect(status).toBe(1);
    expect(stderr).toMatch(/kaged\.yaml:\d+:\d+ storage\.url: expected a PostgreSQL URL/);
    expect(stderr).not.toContain('secret-password');
  });
});
