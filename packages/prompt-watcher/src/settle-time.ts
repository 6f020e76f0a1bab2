/** Quiet time after the last event in the watched directories before their files are re-read (`settleMs`). */
export const DEFAULT_SETTLE_MS = 75;
