import { describe, expect, it } from 'vitest';
import { runWithLogContext } from './log-context.js';
import { LogRing } from './log-ring.js';
import { createLogger } from './logger.js';

function line(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ level: 'info', time: '2026-11-23T10:00:00.000Z', msg: 'm', ...fields })}\n`;
}

describe('LogRing', () => {
  it('keeps the newest lines within its line and byte bounds', () => {
    const ring = new LogRing({ maxLines: 3, maxBytes: 10_000 });
    for (let i = 1; i <= 5; i++) ring.write(line({ i }));
    expect(ring.query().map((e) => e.i)).toEqual([3, 4, 5]);
    expect(ring.query().map((e) => e.seq)).toEqual([3, 4, 5]);

    const small = new LogRing({ maxLines: 100, maxBytes: 3 * line({ i: 1 }).length });
    for (let i = 1; i <= 9; i++) small.write(line({ i }));
    expect(small.query().map((e) => e.i)).toEqual([7, 8, 9]);
    expect(small.bytes).toBeLessThanOrEqual(3 * line({ i: 1 }).length);
  });

  it('filters by level, turn, session, time and sequence, and limits to the newest', () => {
    const ring = new LogRing();
    ring.write(line({ level: 'debug', turnId: 'a' }));
    ring.write(line({ level: 'info', turnId: 'a', sessionId: 's1' }));
    ring.write(line({ level: 'warn', turnId: 'b', sessionId: 's1', time: '2026-11-23T11:00:00.000Z' }));
    ring.write(line({ level: 'error', turnId: 'b' }));
    expect(ring.query({ level: 'warn' }).map((e) => e.level)).toEqual(['warn', 'error']);
    expect(ring.query({ turnId: 'a' }).map((e) => e.level)).toEqual(['debug', 'info']);
    expect(ring.query({ sessionId: 's1' }).map((e) => e.turnId)).toEqual(['a', 'b']);
    expect(ring.query({ since: '2026-11-23T10:30:00.000Z' }).map((e) => e.level)).toEqual(['warn']);
    expect(ring.query({ afterSeq: 3 }).map((e) => e.level)).toEqual(['error']);
    expect(ring.query({ limit: 2 }).map((e) => e.level)).toEqual(['warn', 'error']);
  });

  it('tells subscribers about matching new lines until they unsubscribe', () => {
    const ring = new LogRing();
    const seen: string[] = [];
    const stop = ring.subscribe({ level: 'warn' }, (e) => seen.push(e.msg));
    ring.write(line({ level: 'info', msg: 'quiet' }));
    ring.write(line({ level: 'warn', msg: 'loud' }));
    stop();
    ring.write(line({ level: 'error', msg: 'after' }));
    expect(seen).toEqual(['loud']);
  });

  it('ignores a line that is not JSON', () => {
    const ring = new LogRing();
    ring.write('not json\n');
    expect(ring.size).toBe(0);
  });
});

describe('createLogger with a ring and a log context', () => {
  it('feeds the ring and stamps every line written inside a context, without duplicating bound keys', async () => {
    const ring = new LogRing();
    const out: string[] = [];
    const logger = createLogger({ ring, destination: { write: (l: string) => void out.push(l) } });
    logger.info('outside');
    const context: Record<string, unknown> = { turnId: 't1', sessionId: 's1' };
    await runWithLogContext(context, async () => {
      logger.child({ component: 'mastra' }).warn('from a library');
      await new Promise((resolve) => setTimeout(resolve, 5));
      context.traceId = 'trace-1';
      logger.child({ component: 'harness', turnId: 't1' }).info('from the harness');
    });
    expect(ring.query().map((e) => [e.msg, e.turnId, e.sessionId, e.traceId])).toEqual([
      ['outside', undefined, undefined, undefined],
      ['from a library', 't1', 's1', undefined],
      ['from the harness', 't1', 's1', 'trace-1'],
    ]);
    expect(out).toHaveLength(3);
    expect(out[2]!.match(/"turnId"/g)).toHaveLength(1);
  });
});
