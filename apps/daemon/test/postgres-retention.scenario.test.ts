import { createLogger } from '@kaged/observability';
import { INTERRUPTED_MESSAGE } from '@kaged/observability/tracing';
import { PostgresStore } from '@mastra/pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { sharedDatabase, type TestDatabase } from './support/postgres.js';
import { createProjectFixture, type ProjectFixture, scenarioFiles, scriptedProject } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

// Local trace retention run by two daemons on one database at the same moment: between them
// they must keep exactly the newest `maxTraces` traces (nothing deleted early); a row deleted
// by both is deleted once (the second DELETE finds nothing). And traces left running by a
// daemon that died: on a shared database only those older than any turn of another daemon
// could be are ended as interrupted.

const MAX_TRACES = 5;

const projectYaml = scriptedProject(
  'retention',
  `observability:
  localTraces: { maxTraces: ${MAX_TRACES} }
storage:
  type: postgres
  url: \${env:DATABASE_URL}
`,
);

let db: TestDatabase;
let project: ProjectFixture;
let a: Daemon;
let b: Daemon;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  db = await sharedDatabase('kaged_retention');
  project = await createProjectFixture(projectYaml, scenarioFiles);
  cleanups.push(() => project.remove());
  const start = () => startDaemon({ project: project.file, port: 0, logger: createLogger({ level: 'silent' }), env: { DATABASE_URL: db.url } });
  [a, b] = await Promise.all([start(), start()]);
  cleanups.push(
    () => a.close(),
    () => b.close(),
  );
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

/** Root spans (one per trace), oldest first, read from the table itself. */
const storedTraces = () =>
  db.sql(`SELECT "traceId" FROM mastra_ai_spans WHERE "parentSpanId" IS NULL ORDER BY "startedAt", "traceId"`).split('\n').filter(Boolean);

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await streamTurn((i % 2 ? b : a).url, 'assistant', { message: `turn ${i}`, sessionId: `retention-${i}` });
  await Promise.all([a.tracing.flush(), b.tracing.flush()]);
}

describe('retention pruned by two daemons at once', () => {
  // Issue 15: the count retention used to read the total, then delete the `excess` oldest; when
  // the other daemon's delete landed in between, its list returned the next-oldest traces, which
  // should stay (4 of 5 runs kept 1-4 traces instead of 5). local-traces.ts now deletes what
  // started before the maxTraces-th newest trace, a boundary both daemons agree on.
  it('keeps exactly the newest maxTraces traces, deleting none early', async () => {
    // Fewer turns per daemon than the prune-every-N-turns threshold: only these calls prune.
    await turns(9);
    const before = storedTraces();
    expect(before).toHaveLength(9);
    await Promise.all([a.tracing.localTraces!.prune(), b.tracing.localTraces!.prune()]);
    expect(storedTraces()).toEqual(before.slice(-MAX_TRACES));
  });

  it('prunes to the limit when the daemons take turns', async () => {
    await turns(8);
    await a.tracing.localTraces!.prune();
    await b.tracing.localTraces!.prune();
    const after = storedTraces();
    expect(after).toHaveLength(MAX_TRACES);
  });
});

describe('scores on a shared database', () => {
  it('feedback posted to one daemon is on the trace as the other reads it', { timeout: 60_000 }, async () => {
    const { events } = await streamTurn(a.url, 'assistant', { message: 'score me', sessionId: 'scored' });
    const { turnId, traceId } = events.find((e) => e.event === 'turn.start')!.data as { turnId: string; traceId: string };
    const posted = await fetch(`${a.url}/v1/turns/${turnId}/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'down', comment: 'wrong' }),
    });
    expect(posted.status).toBe(202);
    await a.tracing.flush();
    const scores = async () => (await (await fetch(`${b.url}/v1/traces/${traceId}`)).json()) as { scores?: unknown[] };
    await expect.poll(async () => (await scores()).scores?.length, { timeout: 10_000 }).toBe(1);
    expect((await scores()).scores).toEqual([expect.objectContaining({ name: 'user feedback', value: 0, comment: 'wrong', source: 'manual' })]);
    // Written once, to Mastra's scores table (the standard PostgreSQL observability store keeps no scores).
    expect(db.sql(`SELECT count(*) FROM mastra_scorers WHERE "traceId" = '${traceId}'`).trim()).toBe('1');
  });
});

describe('traces left running on a shared database', () => {
  it('a daemon starting ends only those older than twice the turn timeout plus a minute', { timeout: 60_000 }, async () => {
    // Written the way a daemon's exporter writes them: a root span that never ended (its
    // daemon was killed mid-turn), one 2 hours old, one 1 minute old (another daemon may be
    // in the middle of that turn: with the default 10-minute timeout the grace is 21 minutes).
    const store = new PostgresStore({ id: 'seed', connectionString: db.url });
    cleanups.push(() => store.close());
    await store.init();
    const obs = (await store.getStore('observability'))!;
    const root = (traceId: string, ageMs: number) => ({
      traceId,
      spanId: `${traceId.slice(0, 15)}r`,
      name: "agent run: 'assistant'",
      spanType: 'agent_run',
      entityId: 'assistant',
      isEvent: false,
      startedAt: new Date(Date.now() - ageMs),
      endedAt: null,
    });
    const old = 'a1'.repeat(16);
    const recent = 'b2'.repeat(16);
    await obs.batchCreateSpans({ records: [root(old, 2 * 3_600_000), root(recent, 60_000)] as never });

    // A limit of its own: with a and b's 5, its start-up prune would take the two oldest first.
    const roomy = await createProjectFixture(projectYaml.replace(`maxTraces: ${MAX_TRACES}`, 'maxTraces: 100'), scenarioFiles);
    cleanups.push(() => roomy.remove());
    const c = await startDaemon({ project: roomy.file, port: 0, logger: createLogger({ level: 'silent' }), env: { DATABASE_URL: db.url } });
    cleanups.push(() => c.close());
    const traces = c.tracing.localTraces!;
    await expect.poll(async () => (await traces.get(old))?.status, { timeout: 10_000 }).toBe('error');
    expect((await traces.get(old))!.spans[0]).toMatchObject({ error: INTERRUPTED_MESSAGE, endedAt: expect.any(String) });
    // Another daemon (a and b here) sees it the same way: it is in the shared database.
    expect((await a.tracing.localTraces!.get(old))!.status).toBe('error');
    expect((await traces.get(recent))!.status).toBe('running');
  });
});
