import { noTurnObserver, type TurnObserver } from '@kaged/harness';
import type { DaemonMetrics } from '../metrics/daemon-metrics.js';

/** Every turn's events and outcome counted in the daemon's metrics (`kaged_turns_total`, tokens, cost, tools, guards). */
export function metricsObserver(metrics: DaemonMetrics): TurnObserver {
  return {
    ...noTurnObserver,
    turnEvent: (turn, event) => metrics.recordTurnEvent(turn.agentId, event),
    turnFinished: (turn) =>
      metrics.recordTurnFinished(turn.agentId, turn.ok ? { ok: true } : { ok: false, code: turn.code ?? 'unknown' }, turn.durationMs / 1000),
  };
}
