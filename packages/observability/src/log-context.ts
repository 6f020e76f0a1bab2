import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields every log line written during a piece of work carries (a turn: turnId, sessionId…). */
export type LogContextFields = Record<string, unknown>;

const storage = new AsyncLocalStorage<LogContextFields>();

/**
 * Runs `work` with `fields` added to every line that any logger made by `createLogger` writes
 * meanwhile — including lines from libraries (Mastra) that know nothing of the fields. The
 * object is live: fields added to it later (a trace id learnt mid-turn) appear from then on.
 */
export function runWithLogContext<T>(fields: LogContextFields, work: () => T): T {
  return storage.run(fields, work);
}

/** The fields of the current context, or undefined outside any. */
export function currentLogContext(): LogContextFields | undefined {
  return storage.getStore();
}
