import { noTurnObserver, type TurnInfo, type TurnObserver } from '@kaged/harness';
import { runWithLogContext, type LogContextFields } from '@kaged/observability';

/**
 * Every log line written while a turn runs, Mastra's included, carries its `turnId`,
 * `sessionId`, `agentId` and, once known, `traceId`.
 */
export function logCorrelationObserver(): TurnObserver {
  // One live object per turn: the logger reads it at each line.
  const contexts = new WeakMap<TurnInfo, LogContextFields>();
  const contextOf = (turn: TurnInfo): LogContextFields => {
    let fields = contexts.get(turn);
    if (!fields) contexts.set(turn, (fields = { turnId: turn.turnId, sessionId: turn.sessionId, agentId: turn.agentId }));
    if (turn.traceId) fields.traceId = turn.traceId;
    return fields;
  };
  return { ...noTurnObserver, scope: (turn, work) => runWithLogContext(contextOf(turn), work) };
}
