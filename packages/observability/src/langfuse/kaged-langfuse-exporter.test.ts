import type { ObservabilityExporter, ScoreEvent, TracingEvent } from '@mastra/core/observability';
import { BaseExporter } from '@mastra/observability';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { KagedLangfuseExporter } from './kaged-langfuse-exporter.js';

const SECRET = 'sk-lf-CANARY-secret';

/** Stands in for @mastra/langfuse's exporter: records calls; `flush` does what the test says. */
function fakeDelegate(flush: () => Promise<void>) {
  const calls: string[] = [];
  const delegate: ObservabilityExporter = {
    name: 'fake',
    init: () => void calls.push('init'),
    exportTracingEvent: async (event) => void calls.push(`export:${event.type}`),
    onScoreEvent: async () => void calls.push('score'),
    flush: () => (calls.push('flush'), flush()),
    shutdown: async () => void calls.push('shutdown'),
  };
  return { calls, delegate };
}

function setup(flush: () => Promise<void>, timeoutMs = 1_000) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  const { calls, delegate } = fakeDelegate(flush);
  const exporter = new KagedLangfuseExporter(
    { publicKey: 'pk-lf-public', secretKey: SECRET, baseUrl: 'http://user:pw@127.0.0.1:9/', logger, timeoutMs },
    delegate,
  );
  return { exporter, calls, lines };
}

describe('KagedLangfuseExporter', () => {
  it('is a Mastra BaseExporter named langfuse that hands every event to its delegate', async () => {
    const { exporter, calls } = setup(async () => {});
    expect(exporter).toBeInstanceOf(BaseExporter);
    expect(exporter.name).toBe('langfuse');
    exporter.init({ config: { serviceName: 'kaged' } } as never);
    await exporter.exportTracingEvent({ type: 'span_ended', exportedSpan: {} } as unknown as TracingEvent);
    await exporter.onScoreEvent({ type: 'score', score: {} } as unknown as ScoreEvent);
    await exporter.flush();
    expect(calls).toEqual(['init', 'export:span_ended', 'score', 'flush']);
    expect(exporter.health()).toEqual({ baseUrl: 'http://127.0.0.1:9', realtime: false, failures: 0, lastError: null, degraded: false });
  });

  it('counts what flush() rejects with (Mastra’s flush would swallow it) and never rejects itself', async () => {
    const refused = Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:9 with Bearer ${SECRET}`), { code: 'ECONNREFUSED' });
    const { exporter, lines } = setup(() => Promise.reject(refused));
    await expect(exporter.flush()).resolves.toBeUndefined();
    const health = exporter.health();
    expect(health).toMatchObject({
      failures: 1,
      degraded: true,
      lastError: { kind: 'connection_refused', message: 'connect ECONNREFUSED 127.0.0.1:9 with Bearer [redacted]' },
    });
    expect(Date.parse(health.lastError!.at)).toBeLessThanOrEqual(Date.now());
    expect(lines).toMatchObject([{ level: 'warn', msg: 'trace.export_failed', exporter: 'langfuse', kind: 'connection_refused', failures: 1 }]);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('waits at most timeoutMs for a flush that hangs', async () => {
    const { exporter } = setup(() => new Promise<void>(() => {}), 50);
    const started = Date.now();
    await exporter.flush();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(exporter.health().failures).toBe(0);
  });

  it('shuts the delegate down and stops reporting once, however often asked', async () => {
    const { exporter, calls } = setup(async () => {});
    await exporter.shutdown();
    await exporter.stopReporting();
    expect(calls).toEqual(['shutdown']);
  });
});
