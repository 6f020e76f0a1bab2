import type { FinishedTurn, TurnInfo, TurnObserver } from './ports/turn-observer.js';
import type { TurnEvent } from './turn-events.js';

export interface TurnIteratorHooks {
  /** The iteration began: the turn counts as active. */
  onBegin(): void;
  /** The iteration is over (done, stopped early, or failed): the turn no longer counts. */
  onEnd(): void;
}

/**
 * A turn's events as its consumer iterates them, once: each resumption of `events` runs inside
 * `observer.scope`, each event is shown to `observer.turnEvent` just before the consumer gets it
 * (`turnStarted` first, with `turn.start`), and `observer.turnFinished` hears exactly once about
 * a started turn when its iteration is over, also when the consumer stops early; those calls run
 * inside the scope as well. `observer` must already be isolated (see `isolateTurnObserver`):
 * what it throws would reach the consumer. `turnFinished` gets the `turn` object itself,
 * completed with the outcome, so observers may key a WeakMap by it.
 */
export function observedTurnEvents(
  events: AsyncGenerator<TurnEvent>,
  turn: TurnInfo,
  observer: TurnObserver,
  hooks: TurnIteratorHooks,
): AsyncIterable<TurnEvent> {
  let iterated = false;
  return {
    [Symbol.asyncIterator](): AsyncIterator<TurnEvent> {
      if (iterated) throw new Error('a turn can be iterated only once');
      iterated = true;
      hooks.onBegin();
      const began = performance.now();
      let started = false;
      let over = false;
      let outcome: { ok: boolean; code: string | undefined; durationMs: number } | undefined;

      const end = () => {
        if (over) return;
        over = true;
        // Told before the turn stops counting as active: what drain() awaits includes it.
        if (started) {
          const finished: FinishedTurn = Object.assign(turn, outcome ?? { ok: false, code: 'aborted', durationMs: Math.round(performance.now() - began) });
          observer.turnFinished(finished);
        }
        hooks.onEnd();
      };
      const show = (event: TurnEvent) => {
        if (event.type === 'turn.start') {
          started = true;
          observer.turnStarted(turn);
        } else if (event.type === 'turn.end') {
          outcome = { ok: true, code: undefined, durationMs: event.durationMs };
        } else if (event.type === 'turn.error') {
          outcome = { ok: false, code: event.code, durationMs: Math.round(performance.now() - began) };
        }
        observer.turnEvent(turn, event);
      };

      // The notifications run inside the scope too (the callbacks are attached within it), so
      // what an observer logs from them carries the turn's context.
      return {
        next() {
          return observer.scope(turn, () =>
            events.next().then(
              (result) => {
                if (result.done) end();
                else show(result.value);
                return result;
              },
              (error: unknown) => {
                // The turn runner turns failures into turn.error; this is a bug, not a turn outcome.
                outcome ??= { ok: false, code: 'turn_failed', durationMs: Math.round(performance.now() - began) };
                end();
                throw error;
              },
            ),
          );
        },
        return(value?: unknown) {
          return observer.scope(turn, () => events.return(value as undefined).finally(end));
        },
      };
    },
  };
}
