import { describe, expect, it } from 'vitest';
import { isStorageFailure, StorageFailureError, TurnTimeoutError, TurnWatchdog } from './turn-watchdog.js';

const never = new Promise<never>(() => {});

describe('TurnWatchdog', () => {
  it('ends a wait that never ends once the bound passes', async () => {
    const watchdog = new TurnWatchdog({ timeoutMs: 50, signal: new AbortController().signal });
    const started = performance.now();
    const error = await watchdog.race(never).catch((e: unknown) => e);
    expect(TurnTimeoutError.isInstance(error)).toBe(true);
    expect((error as TurnTimeoutError).code).toBe('turn_timeout');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('stops at once when the stream fails underneath with a storage error', async () => {
    const watchdog = new TurnWatchdog({ timeoutMs: 60_000, signal: new AbortController().signal });
    const full = Object.assign(new Error('SQLITE_FULL: database or disk is full'), { code: 'SQLITE_FULL', name: 'LibsqlError' });
    watchdog.streamFailed(full);
    const error = await watchdog.race(never).catch((e: unknown) => e);
    expect(StorageFailureError.isInstance(error)).toBe(true);
    expect((error as StorageFailureError).code).toBe('storage_unavailable');
    expect((error as Error).message).toMatch(/SQLITE_FULL/);
    watchdog.dispose();
  });

  it('lets what finishes in time through, and clears its timers on dispose', async () => {
    const watchdog = new TurnWatchdog({ timeoutMs: 20, signal: new AbortController().signal });
    expect(await watchdog.race(Promise.resolve(7))).toBe(7);
    watchdog.dispose();
    await new Promise((r) => setTimeout(r, 40));
    // Disposed before the bound: nothing rejects later.
    expect(await Promise.race([watchdog.stopped.catch(() => 'stopped'), Promise.resolve('pending')])).toBe('pending');
  });

  it('recognises storage errors through Mastra’s cause chain, and nothing else', () => {
    const sqlite = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    expect(isStorageFailure(new Error('wrapped', { cause: new Error('again', { cause: sqlite }) }))).toBe(true);
    expect(isStorageFailure(Object.assign(new Error('x'), { domain: 'STORAGE' }))).toBe(true);
    expect(isStorageFailure(new Error('401 Unauthorized'))).toBe(false);
    expect(isStorageFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(false);
  });
});
