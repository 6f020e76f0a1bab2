/** What the harness reports when a turn has emitted its last event. */
export interface FinishedTurn {
  turnId: string;
  sessionId: string;
  agentId: string;
  /** The turn's trace; `null` when tracing is off or the turn was not sampled. */
  traceId: string | null;
  /** `true` for `turn.end`, `false` for `turn.error`. */
  ok: boolean;
}

/**
 * Told about each finished turn, after its last event was consumed, so that what it does never
 * delays a turn's response. Tracing uses it to flush a turn's spans. It must return at once
 * and must not throw (the harness catches and ignores what it throws).
 */
export interface TurnObserver {
  turnFinished(turn: FinishedTurn): void;
}

/** The default: nobody listens. */
export const noTurnObserver: TurnObserver = { turnFinished: () => {} };
