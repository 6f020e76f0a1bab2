import type { TracingStatus } from '@kaged/observability/tracing';
import { describe, expect, it } from 'vitest';
import { tracesCheck } from './readiness.js';

const local = { maxTraces: 5000, maxAgeDays: 14 };
const now = Date.parse('2026-01-01T12:00:00Z');

function status(overrides: Partial<TracingStatus>): TracingStatus {
  return {
    state: 'ok',
    exporters: ['local'],
    sampleRate: 1,
    langfuse: null,
    langfuseOff: { reason: 'no_keys' },
    localTraces: local,
    ...overrides,
  } as TracingStatus;
}

// The sentences are the ones `/readyz` has always served (they were formatted in
// @kaged/observability until tracing's status became structured only).
describe('the traces readiness check', () => {
  it('says tracing is off when nothing is exported', () => {
    expect(tracesCheck(status({ state: 'off', exporters: [], localTraces: null }), now)).toEqual({
      name: 'traces',
      status: 'ok',
      detail: 'tracing off: no Langfuse keys and local traces disabled',
    });
  });

  it('names local traces with their retention and the sampling rate', () => {
    expect(tracesCheck(status({}), now).detail).toBe('local traces (at most 5000, 14 days); sampling 100% of turns');
    expect(tracesCheck(status({ sampleRate: 0.3333 }), now).detail).toBe('local traces (at most 5000, 14 days); sampling 33.3% of turns');
  });

  it('counts Langfuse export failures while they are old news', () => {
    const langfuse = {
      baseUrl: 'https://cloud.langfuse.com',
      realtime: false,
      failures: 2,
      lastError: { kind: 'network', message: 'ECONNREFUSED', at: '2026-01-01T11:00:00Z' },
      degraded: false,
    };
    const check = tracesCheck(status({ exporters: ['langfuse', 'local'], langfuse } as Partial<TracingStatus>), now);
    expect(check).toEqual({
      name: 'traces',
      status: 'ok',
      detail: 'local traces (at most 5000, 14 days); Langfuse at https://cloud.langfuse.com (2 export failure(s) so far); sampling 100% of turns',
    });
  });

  it('is degraded, with the last failure, while Langfuse export is failing', () => {
    const langfuse = {
      baseUrl: 'http://127.0.0.1:3000',
      realtime: true,
      failures: 3,
      lastError: { kind: 'http', message: 'Internal Server Error', at: '2026-01-01T11:59:48Z' },
      degraded: true,
    };
    const check = tracesCheck(
      status({ state: 'degraded', exporters: ['langfuse'], localTraces: null, sampleRate: 0.5, langfuse } as Partial<TracingStatus>),
      now,
    );
    expect(check).toEqual({
      name: 'traces',
      status: 'degraded',
      detail:
        'Langfuse at http://127.0.0.1:3000 failing: 3 export failure(s), last 12 s ago (http: Internal Server Error); turns are not affected; sampling 50% of turns',
    });
  });
});
