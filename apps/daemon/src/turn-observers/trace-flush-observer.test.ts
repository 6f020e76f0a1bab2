import type { FinishedTurn } from '@kaged/harness';
import type { KagedTracing } from '@kaged/observability/tracing';
import { describe, expect, it, vi } from 'vitest';
import { traceFlushObserver } from './trace-flush-observer.js';

describe('traceFlushObserver', () => {
  it('hands each finished turn to tracing, which flushes and prunes', () => {
    const turnFinished = vi.fn();
    const observer = traceFlushObserver({ turnFinished } as unknown as KagedTracing);
    const turn: FinishedTurn = {
      turnId: 't1',
      sessionId: 's1',
      agentId: 'a',
      userId: undefined,
      traceId: 'trace-1',
      ok: true,
      code: undefined,
      durationMs: 12,
    };
    observer.turnStarted(turn);
    expect(turnFinished).not.toHaveBeenCalled();
    observer.turnFinished(turn);
    expect(turnFinished).toHaveBeenCalledWith(turn);
  });
});
