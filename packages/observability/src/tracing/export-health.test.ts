import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { ExportHealth } from './export-health.js';

function setup() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  let now = 1_000_000;
  const health = new ExportHealth({ logger, exporter: 'langfuse', secrets: ['sk-secret'], now: () => now });
  return { health, lines, advance: (ms: number) => (now += ms) };
}

const refused = JSON.stringify({ message: 'connect ECONNREFUSED 127.0.0.1:9', code: 'ECONNREFUSED' });
const timeout = JSON.stringify({ message: 'Request timed out' });

describe('ExportHealth', () => {
  it('counts every failure but logs at most one warn line per kind per 30 s, with the number suppressed', () => {
    const { health, lines, advance } = setup();
    for (let i = 0; i < 5; i++) health.failed(refused);
    health.failed(timeout);
    expect(health.status().failures).toBe(6);
    expect(lines.map((l) => [l.level, l.msg, l.kind, l.suppressed])).toEqual([
      ['warn', 'trace.export_failed', 'connection_refused', 0],
      ['warn', 'trace.export_failed', 'timeout', 0],
    ]);
    advance(29_000);
    health.failed(refused);
    expect(lines).toHaveLength(2);
    advance(1_000);
    health.failed(refused);
    expect(lines.at(-1)).toMatchObject({
      kind: 'connection_refused',
      suppressed: 5,
      failures: 8,
      exporter: 'langfuse',
      err: 'connect ECONNREFUSED 127.0.0.1:9',
    });
  });

  it('is degraded for a minute after the last failure, with the last error', () => {
    const { health, advance } = setup();
    expect(health.status()).toEqual({ failures: 0, lastError: null, degraded: false });
    health.failed(timeout);
    expect(health.status()).toMatchObject({
      failures: 1,
      degraded: true,
      lastError: { kind: 'timeout', message: 'Request timed out', at: expect.any(String) },
    });
    advance(60_001);
    expect(health.status()).toMatchObject({ failures: 1, degraded: false });
  });

  it('logs pipeline warnings (dropped spans) rate-limited too, without counting them as failures', () => {
    const { health, lines, advance } = setup();
    health.warned('Dropped 12 spans because maxQueueSize reached');
    health.warned('Dropped 3 spans because maxQueueSize reached');
    advance(30_000);
    health.warned('Dropped 7 spans because maxQueueSize reached');
    expect(lines.map((l) => [l.msg, l.suppressed, l.detail])).toEqual([
      ['trace.export_warning', 0, 'Dropped 12 spans because maxQueueSize reached'],
      ['trace.export_warning', 1, 'Dropped 7 spans because maxQueueSize reached'],
    ]);
    expect(health.status().failures).toBe(0);
  });

  it('logs what is still suppressed when summarizing, and never a secret', () => {
    const { health, lines } = setup();
    health.failed(new Error('refused with key sk-secret'));
    health.failed(new Error('refused with key sk-secret'));
    health.summarize();
    expect(lines.map((l) => [l.suppressed, l.summary])).toEqual([
      [0, undefined],
      [1, true],
    ]);
    expect(JSON.stringify(lines)).not.toContain('sk-secret');
  });
});
