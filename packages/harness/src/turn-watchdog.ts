import { z } from 'zod/v4';
import { KagedHarnessError } from './errors/kaged-harness-error.js';

/** Default bound on a turn's total time: generous, since tool loops with slow models are long. */
export const DEFAULT_TURN_TIMEOUT_MS = 10 * 60_000;
/** How long an aborted turn's stream gets to end by itself before the turn ends without it. */
const ABORT_GRACE_MS = 2_000;

/** A turn ran past its bound and was stopped. */
export class TurnTimeoutError extends KagedHarnessError {
  static override readonly marker: string = 'kaged.harness.TurnTimeoutError';

  constructor(timeoutMs: number) {
    super('turn_timeout', `the turn ran longer than ${timeoutMs} ms (sessions.turnTimeoutMs) and was stopped`);
  }
}

/** Mastra's own stream failed, not the model: the session store, mostly (a full disk, a lost connection). */
export class StorageFailureError extends KagedHarnessError {
  static override readonly marker: string = 'kaged.harness.StorageFailureError';

  constructor(cause: unknown) {
    super('storage_unavailable', `the session store failed, so the turn was stopped: ${reasonOf(cause)}`, { cause });
  }
}

/**
 * Everything that may end a turn without its stream ending: the total-time bound, a failure of
 * Mastra's underlying stream (after which the stream it hands out never closes: a write to the
 * session store that fails with SQLITE_FULL wedged turns that way), and an abort the stream does
 * not honour within a grace period. `stopped` rejects with the reason; race every await on it.
 */
export class TurnWatchdog {
  readonly stopped: Promise<never>;
  #reject!: (error: unknown) => void;
  #timers: NodeJS.Timeout[] = [];
  #done = false;

  constructor(options: { timeoutMs: number; signal: AbortSignal }) {
    this.stopped = new Promise<never>((_, reject) => {
      this.#reject = reject;
    });
    // Nobody may be racing it yet (or any more): never an unhandled rejection.
    this.stopped.catch(() => {});
    this.#arm(options.timeoutMs, () => new TurnTimeoutError(options.timeoutMs));
    const onAbort = () => this.#arm(ABORT_GRACE_MS, () => options.signal.reason ?? new Error('the turn was aborted'));
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Mastra's stream failed underneath: stop now. */
  streamFailed(error: unknown): void {
    this.#stop(isStorageFailure(error) ? new StorageFailureError(error) : error);
  }

  /** `promise`, unless the watchdog stops the turn first. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.stopped]);
  }

  /** The turn is over: clears the timers. */
  dispose(): void {
    this.#done = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }

  #arm(ms: number, reason: () => unknown): void {
    if (this.#done) return;
    const timer = setTimeout(() => this.#stop(reason()), ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #stop(reason: unknown): void {
    if (this.#done) return;
    this.#done = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#reject(reason);
  }
}

/**
 * An error from a session store: SQLite/LibSQL errors (`SQLITE_FULL`, `SQLITE_IOERR`,
 * `SQLITE_READONLY`…), Mastra's storage errors, or a store error that already says
 * `storage_unavailable`. Looks through the `cause` chain, where Mastra wraps them.
 */
export function isStorageFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    const { code, name, domain } = current as { code?: unknown; name?: unknown; domain?: unknown };
    if (typeof code === 'string' && (code.startsWith('SQLITE_') || code === 'storage_unavailable')) return true;
    if (name === 'LibsqlError' || name === 'SqliteError' || domain === 'STORAGE' || domain === 'MASTRA_STORAGE') return true;
  }
  return false;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `sessions.turnTimeoutMs` in kaged.yaml: the bound on a turn's total time. */
export const turnTimeoutMsSchema = z
  .number()
  .int()
  .min(1_000, 'turnTimeoutMs must be at least 1000 (1 s)')
  .max(86_400_000, 'turnTimeoutMs must be at most 86400000 (a day)')
  .default(DEFAULT_TURN_TIMEOUT_MS);
