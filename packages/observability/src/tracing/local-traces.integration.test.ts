import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LibSQLStore } from '@mastra/libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTraces, INTERRUPTED_MESSAGE } from './local-traces.js';

// A real LibSQL store, seeded through Mastra's own observability storage API.
let dir: string;
let storage: LibSQLStore;
const DAY = 86_400_000;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaged-traces-'));
  storage = new LibSQLStore({ id: 'traces-test', url: `file:${join(dir, 'kaged.db')}` });
  await storage.init();
});
afterAll(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

interface Seeded {
  id: string;
  ageMs: number;
  /** Exact start time (overrides ageMs). */
  at?: Date;
  /** Never ended: the root and its generation have no endedAt (a crash mid-turn). */
  running?: boolean;
  sessionId?: string;
  userId?: string;
  agentId?: string;
  tags?: string[];
}

async function seed(traces: Seeded[]) {
  const obs = (await storage.getStore('observability'))!;
  const now = Date.now();
  await obs.batchCreateSpans({
    records: traces.flatMap((t) => {
      const started = t.at ?? new Date(now - t.ageMs);
      const common = { traceId: t.id, isEvent: false, startedAt: started, endedAt: t.running ? null : new Date(started.getTime() + 50) };
      return [
        {
          ...common,
          spanId: `${t.id}r`,
          name: `agent run: '${t.agentId ?? 'assistant'}'`,
          spanType: 'agent_run',
          entityId: t.agentId ?? 'assistant',
          sessionId: t.sessionId ?? null,
          userId: t.userId ?? null,
          tags: t.tags ?? null,
          metadata: { turnId: `turn-${t.id}` },
        },
        {
          ...common,
          spanId: `${t.id}g`,
          parentSpanId: `${t.id}r`,
          // A running trace's model call started 20 ms in: its last recorded activity.
          ...(t.running ? { startedAt: new Date(started.getTime() + 20) } : {}),
          name: "llm: 'm'",
          spanType: 'model_generation',
          entityId: t.agentId ?? 'assistant',
          attributes: { model: 'm', usage: { inputTokens: 5, outputTokens: 2 } },
        },
      ];
    }) as never,
  });
}

describe('createLocalTraces', () => {
  it('lists root spans newest first with filters and pages, and returns one trace as a tree', async () => {
    const traces = createLocalTraces(storage, { maxTraces: 100, maxAgeDays: 7 });
    await seed([
      { id: 'a1', ageMs: 3000, sessionId: 's1', userId: 'u1', tags: ['x', 'y'] },
      { id: 'a2', ageMs: 2000, sessionId: 's1', userId: 'u2', tags: ['x'], agentId: 'researcher' },
      { id: 'a3', ageMs: 1000, sessionId: 's2', userId: 'u1' },
    ]);
    const all = await traces.list();
    expect(all.traces.map((t) => t.traceId)).toEqual(['a3', 'a2', 'a1']);
    expect(all.pagination).toEqual({ total: 3, page: 0, perPage: 20, hasMore: false });
    expect((await traces.list({ sessionId: 's1' })).traces.map((t) => t.traceId)).toEqual(['a2', 'a1']);
    expect((await traces.list({ userId: 'u1' })).traces.map((t) => t.traceId)).toEqual(['a3', 'a1']);
    expect((await traces.list({ agentId: 'researcher' })).traces.map((t) => t.traceId)).toEqual(['a2']);
    expect((await traces.list({ tags: ['x', 'y'] })).traces.map((t) => t.traceId)).toEqual(['a1']);
    expect((await traces.list({ from: new Date(Date.now() - 2500) })).traces.map((t) => t.traceId)).toEqual(['a3', 'a2']);
    expect((await traces.list({ to: new Date(Date.now() - 2500) })).traces.map((t) => t.traceId)).toEqual(['a1']);
    expect(await traces.list({ perPage: 2, page: 1 })).toMatchObject({
      traces: [{ traceId: 'a1' }],
      pagination: { total: 3, page: 1, perPage: 2, hasMore: false },
    });

    const detail = await traces.get('a1');
    expect(detail).toMatchObject({
      traceId: 'a1',
      turnId: 'turn-a1',
      spans: [{ spanId: 'a1r', children: [{ spanId: 'a1g', usage: { inputTokens: 5, outputTokens: 2 } }] }],
    });
    expect(await traces.get('ffff')).toBeUndefined();
    await (await storage.getStore('observability'))!.dangerouslyClearAll();
  });

  it('prunes to the newest maxTraces, and drops traces older than maxAgeDays', async () => {
    await seed([
      { id: 'old1', ageMs: 10 * DAY },
      { id: 'old2', ageMs: 8 * DAY },
      ...Array.from({ length: 6 }, (_, i) => ({ id: `n${i}`, ageMs: (6 - i) * 1000 })),
    ]);
    const traces = createLocalTraces(storage, { maxTraces: 4, maxAgeDays: 7 });
    const [first, second] = await Promise.all([traces.prune(), traces.prune()]);
    // Concurrent calls share one prune.
    expect(second).toBe(first);
    expect(first).toEqual({ spansPastAge: 4, tracesOverCount: 2 });
    expect((await traces.list()).traces.map((t) => t.traceId)).toEqual(['n5', 'n4', 'n3', 'n2']);
    expect(await traces.get('n0')).toBeUndefined();
    expect(await traces.prune()).toEqual({ spansPastAge: 0, tracesOverCount: 0 });
  });

  it('holds maxTraces at any volume: 13x the limit, created in concurrent bursts while pruning', async () => {
    const obs = (await storage.getStore('observability'))!;
    await obs.dangerouslyClearAll();
    const maxTraces = 20;
    const traces = createLocalTraces(storage, { maxTraces, maxAgeDays: 7 });
    const sizes: number[] = [];
    let seq = 0;
    // Four rounds of bursts: each round seeds 65 traces as 5 concurrent batches, with prunes
    // running alongside; an excess of 245 needs three pages of Mastra's 100-row maximum.
    for (let round = 0; round < 4; round++) {
      const burst = Array.from({ length: 5 }, () =>
        seed(Array.from({ length: 13 }, () => ({ id: `v${seq++}`, ageMs: 1_000_000 - seq * 10 }))).then(() => traces.prune()),
      );
      const results = await Promise.allSettled(burst);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      if (round === 0) {
        // Pile up more than one page of excess before the next prune: the case that broke.
        await seed(Array.from({ length: 200 }, () => ({ id: `v${seq++}`, ageMs: 1_000_000 - seq * 10 })));
      }
      const summary = await traces.prune();
      expect(summary.spansPastAge).toBe(0);
      const { pagination } = await traces.list({ perPage: 1 });
      expect(pagination.total).toBeLessThanOrEqual(maxTraces);
      sizes.push(statSync(join(dir, 'kaged.db')).size);
    }
    expect(seq).toBeGreaterThanOrEqual(3 * maxTraces);
    // The newest survive.
    expect((await traces.list({ perPage: 1 })).traces[0]!.traceId).toBe(`v${seq - 1}`);
    // Steady state: freed pages are reused, so the file stops growing once the limit holds.
    expect(sizes[3]!).toBeLessThanOrEqual(sizes[1]! * 1.1);
  });

  // A method of the real store, bound to it: its private fields do not pass through a Proxy.
  const bound = (target: object, key: string | symbol) => {
    const value = Reflect.get(target, key);
    return typeof value === 'function' ? value.bind(target) : value;
  };

  it('two daemons pruning at once keep exactly the newest maxTraces, deleting none early', async () => {
    const obs = (await storage.getStore('observability'))!;
    // Two daemons on one store, in the interleaving that broke "delete the N oldest": B reads
    // first, then waits until A has deleted before it reads again. Daemon B sees the store
    // through a proxy that holds each of its reads after the first until A's delete is done.
    let aDeleted: () => void = () => {};
    const deletedByA = new Promise<void>((resolve) => (aDeleted = resolve));
    const storeA = {
      getStore: async () =>
        new Proxy(obs, {
          get: (target, key) =>
            key === 'batchDeleteTraces'
              ? async (args: { traceIds: string[] }) => {
                  await target.batchDeleteTraces(args);
                  aDeleted();
                }
              : bound(target, key),
        }),
      prune: (args: never) => storage.prune(args),
    };
    let reads = 0;
    const storeB = {
      getStore: async () =>
        new Proxy(obs, {
          get: (target, key) =>
            key === 'listTraces'
              ? async (args: never) => {
                  if (reads++ > 0) await deletedByA;
                  return target.listTraces(args);
                }
              : bound(target, key),
        }),
      prune: (args: never) => storage.prune(args),
    };
    await obs.dangerouslyClearAll();
    await seed(Array.from({ length: 9 }, (_, i) => ({ id: `c${i}`, ageMs: (9 - i) * 1000 })));
    const a = createLocalTraces(storeA as never, { maxTraces: 5, maxAgeDays: 7 });
    const b = createLocalTraces(storeB as never, { maxTraces: 5, maxAgeDays: 7 });
    const [fromA, fromB] = await Promise.all([a.prune(), b.prune()]);
    expect((await a.list()).traces.map((t) => t.traceId)).toEqual(['c8', 'c7', 'c6', 'c5', 'c4']);
    // A deleted the four; B, reading after it, found nothing left to delete.
    expect([fromA.tracesOverCount, fromB.tracesOverCount]).toEqual([4, 0]);
  });

  it('keeps traces that started at the same moment as the maxTraces-th newest (ties are kept)', async () => {
    const obs = (await storage.getStore('observability'))!;
    await obs.dangerouslyClearAll();
    const at = new Date(Date.now() - 5000);
    await seed([
      { id: 't0', ageMs: 9000 },
      { id: 't1', ageMs: 0, at },
      { id: 't2', ageMs: 0, at },
      { id: 't3', ageMs: 0, at },
      { id: 't4', ageMs: 1000 },
    ]);
    const traces = createLocalTraces(storage, { maxTraces: 2, maxAgeDays: 7 });
    // The 2nd newest is one of t1-t3: all three started then and stay; only t0 is older.
    expect(await traces.prune()).toMatchObject({ tracesOverCount: 1 });
    expect((await traces.list()).traces.map((t) => t.traceId).sort()).toEqual(['t1', 't2', 't3', 't4']);
    expect(await traces.prune()).toMatchObject({ tracesOverCount: 0 });
  });

  it('ends traces left running before a time as interrupted, with every open span and their last activity', async () => {
    const obs = (await storage.getStore('observability'))!;
    await obs.dangerouslyClearAll();
    await seed([
      { id: 'r1', ageMs: 60_000, running: true },
      { id: 'r2', ageMs: 50_000, running: true },
      { id: 'done', ageMs: 40_000 },
      { id: 'live', ageMs: 1_000, running: true },
    ]);
    const traces = createLocalTraces(storage, { maxTraces: 100, maxAgeDays: 7 });
    expect(await traces.markInterrupted({ startedBefore: new Date(Date.now() - 10_000) })).toBe(2);
    const r1 = (await traces.get('r1'))!;
    expect(r1).toMatchObject({ status: 'error', durationMs: 20 });
    expect(r1.spans[0]).toMatchObject({
      status: 'error',
      error: INTERRUPTED_MESSAGE,
      children: [{ status: 'error', error: INTERRUPTED_MESSAGE, durationMs: 0 }],
    });
    expect((await traces.get('r2'))!.status).toBe('error');
    // A finished trace and one that started after the cut-off are left alone.
    expect((await traces.get('done'))!).toMatchObject({ status: 'ok', spans: [{ error: null }] });
    expect((await traces.get('live'))!.status).toBe('running');
    expect(await traces.markInterrupted({ startedBefore: new Date(Date.now() - 10_000) })).toBe(0);
    expect((await traces.list()).traces.map((t) => [t.traceId, t.status])).toEqual([
      ['live', 'running'],
      ['done', 'ok'],
      ['r2', 'error'],
      ['r1', 'error'],
    ]);
  });
});
