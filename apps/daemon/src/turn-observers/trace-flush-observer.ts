import { noTurnObserver, type TurnObserver } from '@kaged/harness';
import type { KagedTracing } from '@kaged/observability/tracing';

/** A finished turn's spans flushed in the background (`flushEachTurn`), and local traces pruned as turns accumulate. */
export function traceFlushObserver(tracing: KagedTracing): TurnObserver {
  return { ...noTurnObserver, turnFinished: (turn) => tracing.turnFinished(turn) };
}
