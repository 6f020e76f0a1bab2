import { noTurnObserver, type TurnObserver } from '@kaged/harness';

/** What a recent turn left to attach feedback to. `traceId` is null when the turn was not sampled. */
export interface TurnTrace {
  traceId: string | null;
  agentId: string;
  sessionId: string;
}

/** Recent turns by id, oldest forgotten first: feedback on a turn needs its trace. */
export interface TurnTraces {
  readonly observer: TurnObserver;
  get(turnId: string): TurnTrace | undefined;
}

/** Remembers the last `capacity` turns (default 10 000, about 1 MB), fed by the turn observer. */
export function turnTraces(capacity = 10_000): TurnTraces {
  const turns = new Map<string, TurnTrace>();
  return {
    observer: {
      ...noTurnObserver,
      turnStarted(turn) {
        turns.delete(turn.turnId);
        turns.set(turn.turnId, { traceId: turn.traceId, agentId: turn.agentId, sessionId: turn.sessionId });
        // A Map iterates in insertion order: the first key is the oldest turn.
        while (turns.size > capacity) turns.delete(turns.keys().next().value as string);
      },
    },
    get: (turnId) => turns.get(turnId),
  };
}
