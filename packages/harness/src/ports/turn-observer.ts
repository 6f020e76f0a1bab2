import type { TurnEvent } from '../turn-events.js';

/** One turn, as observers see it. */
export interface TurnInfo {
  readonly turnId: string;
  readonly sessionId: string;
  readonly agentId: string;
  readonly userId: string | undefined;
  /** Set when the turn starts (before turnStarted); null when tracing is off or unsampled. The same object is passed to every call of one turn, so observers may key a WeakMap by it. */
  traceId: string | null;
}

/** A turn that emitted its last event (or whose consumer stopped iterating). */
export interface FinishedTurn extends TurnInfo {
  /** `true` for `turn.end`. */
  readonly ok: boolean;
  /** The `turn.error` code (`aborted` when the consumer stopped iterating); `undefined` when `ok`. */
  readonly code: string | undefined;
  readonly durationMs: number;
}

/**
 * The one per-turn observation port: metrics, trace flush, log correlation and guard scores all
 * hear about turns through it. The harness isolates every call (what an observer throws is
 * swallowed), but an observer should still return at once: its calls sit on the turn's path.
 */
export interface TurnObserver {
  /** Runs a piece of the turn's work: each resumption of the turn's event iterator (so the harness's own code and everything Mastra starts from it). Log correlation binds its context here. Must call work once, synchronously, and return its result. */
  scope<T>(turn: TurnInfo, work: () => T): T;
  /** Once, when turn.start is emitted (traceId known). */
  turnStarted(turn: TurnInfo): void;
  /** Every event the turn emits (turn.start … turn.end/turn.error, guard.flag included), just before the consumer gets it. */
  turnEvent(turn: TurnInfo, event: TurnEvent): void;
  /** Exactly once per started turn, after its last event — also when the consumer stops early (ok false, code 'aborted'). */
  turnFinished(turn: FinishedTurn): void;
}

/** The default: nobody listens. */
export const noTurnObserver: TurnObserver = {
  scope: (_turn, work) => work(),
  turnStarted: () => {},
  turnEvent: () => {},
  turnFinished: () => {},
};

/**
 * One observer that tells each of `observers`, in order. A throwing observer never breaks the
 * turn or the others; scopes nest (the first observer's scope is the outermost).
 */
export function combineTurnObservers(...observers: TurnObserver[]): TurnObserver {
  const isolated = observers.map((observer) => isolateTurnObserver(observer));
  if (isolated.length === 1) return isolated[0]!;
  return {
    scope<T>(turn: TurnInfo, work: () => T): T {
      let run = work;
      for (let i = isolated.length - 1; i >= 0; i--) {
        const inner = run;
        const observer = isolated[i]!;
        run = () => observer.scope(turn, inner);
      }
      return run();
    },
    turnStarted(turn) {
      for (const observer of isolated) observer.turnStarted(turn);
    },
    turnEvent(turn, event) {
      for (const observer of isolated) observer.turnEvent(turn, event);
    },
    turnFinished(turn) {
      for (const observer of isolated) observer.turnFinished(turn);
    },
  };
}

/**
 * `observer` with every call made safe: a throw is handed to `onError` (default: ignored); a
 * `scope` that throws or forgets `work` still runs `work` exactly once; an error thrown by `work`
 * itself reaches the caller unchanged.
 */
export function isolateTurnObserver(observer: TurnObserver, onError: (error: unknown, call: keyof TurnObserver) => void = () => {}): TurnObserver {
  const guarded =
    <A extends unknown[]>(call: 'turnStarted' | 'turnEvent' | 'turnFinished', fn: (...args: A) => void) =>
    (...args: A): void => {
      try {
        fn.apply(observer, args);
      } catch (error) {
        safely(() => onError(error, call));
      }
    };
  return {
    scope<T>(turn: TurnInfo, work: () => T): T {
      let ran = false;
      let result: T | undefined;
      let failed = false;
      let failure: unknown;
      const once = (): T => {
        if (ran) return result as T;
        ran = true;
        try {
          result = work();
        } catch (error) {
          failed = true;
          failure = error;
          throw error;
        }
        return result;
      };
      try {
        observer.scope(turn, once);
      } catch (error) {
        if (!(failed && error === failure)) safely(() => onError(error, 'scope'));
      }
      if (!ran) once();
      if (failed) throw failure;
      return result as T;
    },
    turnStarted: guarded('turnStarted', observer.turnStarted),
    turnEvent: guarded('turnEvent', observer.turnEvent),
    turnFinished: guarded('turnFinished', observer.turnFinished),
  };
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // An error handler that throws has nowhere left to report to.
  }
}
