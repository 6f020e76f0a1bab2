import type { FinishedTurn, TurnEvent, TurnInfo } from '@kaged/harness';
import { describe, expect, it } from 'vitest';
import { DaemonMetrics } from '../metrics/daemon-metrics.js';
import { metricsObserver } from './metrics-observer.js';

const turn: TurnInfo = { turnId: 't1', sessionId: 's1', agentId: 'assistant', userId: undefined, traceId: null };
const finished = (ok: boolean, code?: string): FinishedTurn => ({ ...turn, ok, code, durationMs: 1500 });

async function series(metrics: DaemonMetrics, name: string): Promise<string[]> {
  return (await metrics.metrics()).split('\n').filter((line) => line.startsWith(name));
}

describe('metricsObserver', () => {
  it('counts finished turns by outcome and code, with their duration in seconds', async () => {
    const metrics = new DaemonMetrics({ version: 'test', processMetrics: false });
    const observer = metricsObserver(metrics);
    observer.turnFinished(finished(true));
    observer.turnFinished(finished(false, 'timeout'));
    observer.turnFinished(finished(false, 'aborted'));
    expect(await series(metrics, 'kaged_turns_total')).toEqual([
      'kaged_turns_total{agent="assistant",outcome="ok"} 1',
      'kaged_turns_total{agent="assistant",outcome="error",code="timeout"} 1',
      'kaged_turns_total{agent="assistant",outcome="error",code="aborted"} 1',
    ]);
    expect(await series(metrics, 'kaged_turn_duration_seconds_sum')).toEqual([
      'kaged_turn_duration_seconds_sum{agent="assistant",outcome="ok"} 1.5',
      'kaged_turn_duration_seconds_sum{agent="assistant",outcome="error"} 3',
    ]);
  });

  it('counts what the events say: tool results and guard trips', async () => {
    const metrics = new DaemonMetrics({ version: 'test', processMetrics: false });
    const observer = metricsObserver(metrics);
    const events: TurnEvent[] = [
      { type: 'tool.result', id: 'c1', name: 'current_time', output: 'noon', isError: false },
      { type: 'guard.flag', guard: 'repeated_tool_call', action: 'flag', message: 'same call three times', details: {} },
    ];
    for (const event of events) observer.turnEvent(turn, event);
    expect(await series(metrics, 'kaged_tool_calls_total')).toEqual(['kaged_tool_calls_total{agent="assistant",tool="current_time",outcome="ok"} 1']);
    expect(await series(metrics, 'kaged_guard_trips_total')).toEqual(['kaged_guard_trips_total{agent="assistant",guard="repeated_tool_call"} 1']);
  });
});
