/**
 * Waits for `work` at most `timeoutMs`; true when it settled in time. Never rejects: what
 * `work` rejects with is handed to `onError`. The timer does not hold the process open. For
 * flushes, which wait on the network: an unreachable endpoint must not hold a turn or shutdown.
 */
export async function settleWithin(work: Promise<unknown>, timeoutMs: number, onError: (error: unknown) => void = () => {}): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((done) => {
    timer = setTimeout(() => done(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        (error: unknown) => {
          onError(error);
          return true;
        },
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
