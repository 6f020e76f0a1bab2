import type { TurnInfo } from '@kaged/harness';
import { currentLogContext } from '@kaged/observability';
import { describe, expect, it } from 'vitest';
import { logCorrelationObserver } from './log-correlation-observer.js';

describe('logCorrelationObserver', () => {
  it("runs each piece of a turn with the turn's ids as log context, the trace id once known", async () => {
    const observer = logCorrelationObserver();
    const turn: TurnInfo = { turnId: 't1', sessionId: 's1', agentId: 'assistant', userId: 'u1', traceId: null };
    expect(observer.scope(turn, () => ({ ...currentLogContext() }))).toEqual({ turnId: 't1', sessionId: 's1', agentId: 'assistant' });
    turn.traceId = 'trace-1';
    // Work started in a scope (Mastra's own promises) keeps the context after the scope returns.
    const later = observer.scope(turn, () => new Promise((done) => setTimeout(() => done({ ...currentLogContext() }), 5)));
    expect(await later).toEqual({ turnId: 't1', sessionId: 's1', agentId: 'assistant', traceId: 'trace-1' });
    expect(currentLogContext()).toBeUndefined();
  });

  it('keeps turns apart', () => {
    const observer = logCorrelationObserver();
    const a: TurnInfo = { turnId: 'a', sessionId: 's', agentId: 'x', userId: undefined, traceId: 'ta' };
    const b: TurnInfo = { turnId: 'b', sessionId: 's', agentId: 'x', userId: undefined, traceId: null };
    expect(observer.scope(a, () => observer.scope(b, () => currentLogContext()?.turnId))).toBe('b');
    expect(observer.scope(b, () => currentLogContext()?.traceId)).toBeUndefined();
  });
});
