import type { TurnEvent, TurnInfo, TurnObserver } from '@kaged/harness';
import type { StoreCheck } from '../storage/store-health.js';

/**
 * Watches turns for session-store failures (`turn.error` `storage_unavailable`: a full disk, a
 * read-only or vanished data dir) and makes the `sessions` readiness check say so until a turn
 * that uses the store finishes again. An embedded store has no probe of its own: the turns that
 * write to it are the probe.
 */
export class StorageHealthObserver implements TurnObserver {
  #failing: { since: Date; reason: string; turns: number } | undefined;

  scope<T>(_turn: TurnInfo, run: () => T): T {
    return run();
  }
  turnStarted(): void {}

  turnEvent(_turn: TurnInfo, event: TurnEvent): void {
    if (event.type === 'turn.error' && event.code === 'storage_unavailable') {
      if (this.#failing) {
        this.#failing.turns++;
        this.#failing.reason = event.message;
      } else this.#failing = { since: new Date(), reason: event.message, turns: 1 };
    } else if (event.type === 'turn.end') {
      // A finished turn wrote its session: the store works again.
      this.#failing = undefined;
    }
  }

  turnFinished(): void {}

  /** `base` (the store's own check), degraded while turns fail to write their sessions. */
  check(base: () => StoreCheck): StoreCheck {
    const failing = this.#failing;
    if (!failing) return base();
    const seconds = Math.round((Date.now() - failing.since.getTime()) / 1000);
    return {
      status: 'degraded',
      detail: `session writes failing for ${seconds} s (${failing.turns} turn(s) ended with storage_unavailable; last: ${failing.reason}); free disk space or fix the data directory, no restart needed`,
    };
  }
}
