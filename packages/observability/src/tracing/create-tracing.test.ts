import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoOpObservability } from '@mastra/core/observability';
import { LibSQLStore } from '@mastra/libsql';
import { Observability } from '@mastra/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { createTracing } from './create-tracing.js';

let dir: string;
let storage: LibSQLStore;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kaged-tracing-'));
  storage = new LibSQLStore({ id: 'tracing-test', url: `file:${join(dir, 'kaged.db')}` });
  await storage.init();
});
afterAll(async () => {
  await storage.close();
  await rm(dir, { recursive: true, force: true });
});

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }) };
}

describe('createTracing', () => {
  it('with nothing configured and no store: Mastra’s no-op observability, no exporter, status off', async () => {
    const tracing = await createTracing({ env: {} });
    expect(tracing.observability).toBeInstanceOf(NoOpObservability);
    expect(tracing.exporters).toEqual([]);
    expect(tracing.localTraces).toBeUndefined();
    expect(tracing.status()).toEqual({ state: 'off', exporters: [], sampleRate: 1, langfuse: null, langfuseOff: { reason: 'no_keys' }, localTraces: null });
    await tracing.flush();
    await tracing.close();
  });

  it('by default keeps local traces only: no Langfuse exporter without both keys', async () => {
    const tracing = await createTracing({ storage, env: { LANGFUSE_BASE_URL: 'http://127.0.0.1:9' } });
    expect(tracing.exporters).toEqual(['local']);
    expect(tracing.observability).toBeInstanceOf(Observability);
    expect(tracing.status()).toEqual({
      state: 'ok',
      exporters: ['local'],
      sampleRate: 1,
      langfuse: null,
      langfuseOff: { reason: 'no_keys' },
      localTraces: { maxTraces: 1000, maxAgeDays: 7 },
    });
    await tracing.close();
  });

  it('registers the Langfuse exporter from the environment, and says so without secrets', async () => {
    const { lines, logger } = memoryLogger();
    const tracing = await createTracing({
      storage,
      logger,
      env: { LANGFUSE_PUBLIC_KEY: 'pk-lf-env', LANGFUSE_SECRET_KEY: 'sk-lf-CANARY', LANGFUSE_BASE_URL: 'http://u:p@127.0.0.1:9/' },
    });
    expect(tracing.exporters).toEqual(['langfuse', 'local']);
    expect(tracing.status().langfuse).toEqual({ baseUrl: 'http://127.0.0.1:9', realtime: false, failures: 0, lastError: null, degraded: false });
    expect(tracing.status()).toMatchObject({ state: 'ok', langfuseOff: null });
    expect(lines.find((l) => l.msg === 'tracing.ready')).toMatchObject({ exporters: ['langfuse', 'local'], langfuse: { baseUrl: 'http://127.0.0.1:9' } });
    expect(JSON.stringify(lines)).not.toMatch(/CANARY|pk-lf-env|u:p@/);
    await tracing.close();
  });

  it('warns and stays off Langfuse when only one key is known; local traces can be turned off', async () => {
    const { lines, logger } = memoryLogger();
    const tracing = await createTracing({ storage, logger, env: {}, langfuse: { publicKey: 'pk' }, localTraces: { enabled: false } });
    expect(tracing.exporters).toEqual([]);
    expect(tracing.observability).toBeInstanceOf(NoOpObservability);
    expect(tracing.status()).toMatchObject({ state: 'off', langfuse: null, langfuseOff: { reason: 'incomplete', missing: ['secretKey'] }, localTraces: null });
    expect(lines.find((l) => l.level === 'warn')).toMatchObject({ missing: ['secretKey'], msg: expect.stringContaining('LANGFUSE_SECRET_KEY') });
    await tracing.close();
  });
});
