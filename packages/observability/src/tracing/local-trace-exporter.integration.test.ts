import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mastra } from '@mastra/core/mastra';
import { SpanType } from '@mastra/core/observability';
import { InMemoryStore, ObservabilityStorage, type MastraCompositeStore } from '@mastra/core/storage';
import { LibSQLStore } from '@mastra/libsql';
import { Observability } from '@mastra/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTraceExporter } from './local-trace-exporter.js';
import { keepsScoreEvents, readTraceScores } from './trace-scores.js';

// Scores sent through Mastra's `observability.addScore` (as the feedback route and the guard
// observer do) into a real store, read back as a trace's scores.
let dir: string;
let libsql: LibSQLStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaged-scores-'));
  libsql = new LibSQLStore({ id: 'scores-test', url: `file:${join(dir, 'kaged.db')}` });
  await libsql.init();
});
afterAll(async () => {
  await libsql.close();
  await rm(dir, { recursive: true, force: true });
});

async function scoredThrough(storage: MastraCompositeStore, traceId: string) {
  const errors: unknown[] = [];
  const exporter = new LocalTraceExporter({}, { onFlushError: (error) => errors.push(error) });
  const mastra = new Mastra({ storage, logger: false, observability: new Observability({ configs: { t: { serviceName: 't', exporters: [exporter] } } }) });
  const context = { entityType: 'agent' as never, entityId: 'assistant', entityName: 'assistant' };
  await mastra.observability.addScore?.({
    traceId,
    correlationContext: context,
    score: { scorerId: 'kaged.feedback', scorerName: 'user feedback', score: 1, reason: 'spot on', scoreSource: 'manual', metadata: { value: 'up' } },
  });
  await mastra.observability.addScore?.({
    traceId,
    spanId: 'span-1',
    correlationContext: context,
    score: { scorerId: 'kaged.guard.loop', scorerName: 'guard: loop', score: 1, reason: 'same call 3 times', scoreSource: 'automated' },
  });
  await mastra.observability.flush();
  // Not mastra.shutdown(): it closes the store, which the test reads next.
  await mastra.observability.shutdown();
  return errors;
}

describe('LocalTraceExporter scores', () => {
  it('keeps scores in the scores domain when the observability store does not (LibSQL)', async () => {
    expect(keepsScoreEvents(await libsql.getStore('observability'))).toBe(false);
    const traceId = 'a'.repeat(32);
    expect(await scoredThrough(libsql, traceId)).toEqual([]);
    const scores = await readTraceScores(libsql, traceId);
    expect(scores).toEqual([
      expect.objectContaining({
        name: 'user feedback',
        scorerId: 'kaged.feedback',
        value: 1,
        comment: 'spot on',
        source: 'manual',
        spanId: null,
        metadata: { value: 'up' },
      }),
      expect.objectContaining({ name: 'guard: loop', value: 1, comment: 'same call 3 times', source: 'automated', spanId: 'span-1' }),
    ]);
    expect(Date.parse(scores[0]!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    // One row per score: nothing else in the table for this trace, and another trace has none.
    const rows = await (await libsql.getStore('scores'))!.listScoresByRunId({ runId: traceId, pagination: { page: 0, perPage: 100 } });
    expect(rows.pagination.total).toBe(2);
    expect(await readTraceScores(libsql, 'b'.repeat(32))).toEqual([]);
  });

  it('leaves scores to an observability store that keeps them, writing each once', async () => {
    const memory = new InMemoryStore();
    const observability = await memory.getStore('observability');
    expect(keepsScoreEvents(observability)).toBe(true);
    expect(keepsScoreEvents(new ObservabilityStorage())).toBe(false);
    const traceId = 'c'.repeat(32);
    expect(await scoredThrough(memory, traceId)).toEqual([]);
    expect((await readTraceScores(memory, traceId)).map((s) => [s.name, s.value, s.comment, s.source])).toEqual([
      ['user feedback', 1, 'spot on', 'manual'],
      ['guard: loop', 1, 'same call 3 times', 'automated'],
    ]);
    // Not in the scores domain as well.
    const rows = await (await memory.getStore('scores'))!.listScoresByRunId({ runId: traceId, pagination: { page: 0, perPage: 100 } });
    expect(rows.scores).toEqual([]);
  });
});

describe('LocalTraceExporter batches', () => {
  it('writes spans in batches of at most 20, so no single synchronous write stalls the event loop for long', async () => {
    const store = new LibSQLStore({ id: 'batches-test', url: `file:${join(dir, 'batches.db')}` });
    await store.init();
    const observabilityStore = (await store.getStore('observability'))!;
    const sizes: number[] = [];
    const write = observabilityStore.batchCreateSpans.bind(observabilityStore);
    observabilityStore.batchCreateSpans = (args) => {
      sizes.push(args.records.length);
      return write(args);
    };
    const exporter = new LocalTraceExporter();
    const mastra = new Mastra({
      storage: store,
      logger: false,
      observability: new Observability({ configs: { t: { serviceName: 't', exporters: [exporter] } } }),
    });
    const instance = mastra.observability.getDefaultInstance()!;
    for (let i = 0; i < 70; i++) instance.startSpan({ type: SpanType.GENERIC, name: `span ${i}` }).end();
    await mastra.observability.flush();
    await mastra.observability.shutdown();
    await store.close();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(70);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(20);
  });
});
