import { noTurnObserver, type TurnObserver } from '@kaged/harness';
import type { Logger } from '@kaged/observability';
import type { Mastra } from '@mastra/core/mastra';

/** Each guard trip as a score on the turn's trace, shown next to the turn in Langfuse. */
export function guardScoreObserver(mastra: Mastra, logger: Logger): TurnObserver {
  return {
    ...noTurnObserver,
    turnEvent(turn, event) {
      if (event.type !== 'guard.flag' || !turn.traceId) return;
      const traceId = turn.traceId;
      // Off the turn's path, and never allowed to fail the turn.
      void Promise.resolve()
        .then(() =>
          mastra.observability?.addScore?.({
            traceId,
            // Emits straight from what is known here; without it Mastra drops scores whose
            // trace is not yet in observability storage (spans are exported in batches).
            correlationContext: { entityType: 'agent' as never, entityId: turn.agentId, entityName: turn.agentId },
            score: {
              scorerId: `kaged.guard.${event.guard}`,
              scorerName: `guard: ${event.guard}`,
              score: 1,
              reason: event.message,
              scoreSource: 'automated',
              metadata: { action: event.action, ...event.details },
            },
          }),
        )
        .catch((error: unknown) => logger.debug({ err: error, turnId: turn.turnId, sessionId: turn.sessionId, agentId: turn.agentId }, 'guard.score_failed'));
    },
  };
}
