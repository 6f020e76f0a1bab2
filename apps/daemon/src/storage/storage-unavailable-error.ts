import { KagedDaemonError } from '../errors/kaged-daemon-error.js';

/**
 * The session store cannot be reached: the turn ends with this code instead of waiting for it
 * (`storage_unavailable`, the code a full disk gives too). The message names the host, never the
 * password.
 */
export class StorageUnavailableError extends KagedDaemonError {
  static override readonly marker: string = 'kaged.daemon.StorageUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('storage_unavailable', message, options);
  }
}

/**
 * The `StorageUnavailableError` in `error`'s cause chain, as the turn's error: for the harness's
 * error describer, ahead of the model registry's. Matched by name and code, not `isInstance`:
 * Mastra rebuilds what a store throws as a plain `Error` that keeps only name, message and code.
 */
export function describeStorageError(error: unknown): { code: string; message: string } | undefined {
  for (let current = error, depth = 0; current && depth < 10; current = (current as { cause?: unknown }).cause, depth++) {
    const { name, code, message } = current as { name?: unknown; code?: unknown; message?: unknown };
    if (StorageUnavailableError.isInstance(current) || (name === StorageUnavailableError.name && code === 'storage_unavailable')) {
      return { code: 'storage_unavailable', message: typeof message === 'string' ? message : 'the session store is unavailable' };
    }
  }
  return undefined;
}
