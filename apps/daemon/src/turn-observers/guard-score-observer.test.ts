import type { TurnEvent, TurnInfo } from '@kaged/harness';
import { createLogger } from '@kaged/observability';
import type { Mastra } from '@mastra/core/mastra';
import { describe, expect, it, vi } from 'vitest';
import { guardScoreObserver } from './guard-score-observer.js';

const flag: TurnEvent = {
  type: 'guard.flag',
  guard: 'repeated_tool_call',
  action: 'stop',
  message: 'current_time called 3 times with the same input',
  details: { tool: 'current_time', count: 3 },
};
const turn = (traceId: string | null): TurnInfo => ({ turnId: 't1', sessionId: 's1', agentId: 'assistant', userId: undefined, traceId });

function setUp(addScore: (score: unknown) => unknown) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  const mastra = { observability: { addScore } } as unknown as Mastra;
  return { observer: guardScoreObserver(mastra, logger), lines };
}

describe('guardScoreObserver', () => {
  it("puts each guard trip on the turn's trace as a score, correlated by agent", async () => {
    const addScore = vi.fn();
    const { observer } = setUp(addScore);
    observer.turnEvent(turn('trace-1'), flag);
    observer.turnEvent(turn('trace-1'), { type: 'text.delta', text: 'hi' });
    expect(addScore).not.toHaveBeenCalled(); // never on the turn's path
    await vi.waitFor(() => expect(addScore).toHaveBeenCalledTimes(1));
    expect(addScore).toHaveBeenCalledWith({
      traceId: 'trace-1',
      correlationContext: { entityType: 'agent', entityId: 'assistant', entityName: 'assistant' },
      score: {
        scorerId: 'kaged.guard.repeated_tool_call',
        scorerName: 'guard: repeated_tool_call',
        score: 1,
        reason: 'current_time called 3 times with the same input',
        scoreSource: 'automated',
        metadata: { action: 'stop', tool: 'current_time', count: 3 },
      },
    });
  });

  it('scores nothing for an untraced turn', async () => {
    const addScore = vi.fn();
    const { observer } = setUp(addScore);
    observer.turnEvent(turn(null), flag);
    await new Promise((done) => setTimeout(done, 5));
    expect(addScore).not.toHaveBeenCalled();
  });

  it('logs a score that cannot be written at debug, and goes on', async () => {
    const { observer, lines } = setUp(() => Promise.reject(new Error('store closed')));
    expect(() => observer.turnEvent(turn('trace-1'), flag)).not.toThrow();
    await vi.waitFor(() => expect(lines.find((l) => l.msg === 'guard.score_failed')).toMatchObject({ level: 'debug', turnId: 't1', agentId: 'assistant' }));
  });
});
