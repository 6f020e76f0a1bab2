/** Added to twice the turn timeout: the span export's batching and retries after a turn's end. */
export const INTERRUPTED_SLACK_MS = 60_000;

export interface InterruptedRule {
  /** When this process started tracing: none of its turns started before. */
  processStartedAt: Date;
  /** Whether other processes write to the store too (several daemons on one PostgreSQL). */
  sharedStorage: boolean;
  /** The bound on a turn's total time (the harness's watchdog, `sessions.turnTimeoutMs`). */
  turnTimeoutMs: number;
}

/**
 * How long a trace must have been `running` before a daemon on a shared store may call it
 * interrupted: twice the turn timeout plus a minute (21 minutes with the default 10-minute
 * timeout). No turn runs past the timeout (the watchdog ends it), and its end reaches the store
 * within seconds after that, so a trace this old has no process left that will end it.
 */
export function interruptedGraceMs(turnTimeoutMs: number): number {
  return 2 * turnTimeoutMs + INTERRUPTED_SLACK_MS;
}

/**
 * The start time before which a `running` trace is known to be interrupted, or `undefined` when
 * no trace is. With a store of its own (LibSQL in the data directory), every trace that started
 * before this process: the process that started it has stopped. With a shared store, another
 * daemon may be in the middle of a turn, so only traces older than `interruptedGraceMs` — at
 * start, and again on each prune, which also catches a daemon that crashed while this one ran.
 */
export function interruptedBefore(rule: InterruptedRule, now: Date, { atStart }: { atStart: boolean }): Date | undefined {
  if (!rule.sharedStorage) return atStart ? rule.processStartedAt : undefined;
  return new Date(now.getTime() - interruptedGraceMs(rule.turnTimeoutMs));
}
