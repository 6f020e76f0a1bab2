/** Quiet time after the last event in the watched directories before their files are re-read (`settleMs`). */
export const DEFAULT_SETTLE_MS = 75;
/**
 * Quiet time for a file replaced whole (`replacedSettleMs`): long enough to gather the files of
 * one `git checkout` or scripted deploy, short enough that an atomic save is in use at once.
 */
export const DEFAULT_REPLACED_SETTLE_MS = 20;
