import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { BoundedLabel } from './bounded-label.js';
import { DaemonMetrics } from './daemon-metrics.js';
import { httpMetrics } from './http-metrics.js';

const lines = async (metrics: DaemonMetrics, prefix: string) => (await metrics.metrics()).split('\n').filter((line) => line.startsWith(prefix));

describe('DaemonMetrics', () => {
  it('adds the failures tracing counts to those counted with traceExportFailures.inc(), at each scrape', async () => {
    let langfuse = 2;
    const metrics = new DaemonMetrics({ version: '0.0.0', processMetrics: false, traceExportFailures: () => ({ langfuse, local: undefined }) });
    metrics.traceExportFailures.inc();
    expect(await lines(metrics, 'kaged_trace_export_failures_total{')).toEqual(['kaged_trace_export_failures_total{exporter="langfuse"} 3']);
    langfuse = 5;
    metrics.traceExportFailures.inc('local', 2);
    expect(await lines(metrics, 'kaged_trace_export_failures_total{')).toEqual([
      'kaged_trace_export_failures_total{exporter="langfuse"} 6',
      'kaged_trace_export_failures_total{exporter="local"} 2',
    ]);
  });

  it('keeps registries apart: two instances never share a series', async () => {
    const a = new DaemonMetrics({ version: '0.0.0' });
    const b = new DaemonMetrics({ version: '0.0.0' });
    a.recordTurnFinished('assistant', { ok: true }, 0.2);
    expect(await lines(a, 'kaged_turns_total{')).toEqual(['kaged_turns_total{agent="assistant",outcome="ok"} 1']);
    expect(await lines(b, 'kaged_turns_total{')).toEqual([]);
  });

  it('splits model ids into provider and model at the first slash; counts guard.flag events', async () => {
    const metrics = new DaemonMetrics({ version: '0.0.0', processMetrics: false });
    const usage = { inputTokens: 5, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    metrics.recordTurnEvent('assistant', {
      type: 'turn.end',
      turnId: 't',
      sessionId: 's',
      text: '',
      finishReason: 'stop',
      usage,
      costUsd: null,
      usageByModel: [{ model: 'openrouter/anthropic/claude-sonnet-4.5', usage, costUsd: null }],
      durationMs: 1,
      traceId: null,
    });
    metrics.recordTurnEvent('assistant', { type: 'guard.flag', guard: 'token_spike', action: 'flag', message: 'm', details: {} });
    expect(await lines(metrics, 'kaged_llm_tokens_total{provider="openrouter",model="anthropic/claude-sonnet-4.5",type="input"}')).toHaveLength(1);
    // An unknown price is not a cost of 0: nothing is counted.
    expect(await lines(metrics, 'kaged_llm_cost_usd_total{')).toEqual([]);
    expect(await lines(metrics, 'kaged_guard_trips_total{')).toEqual(['kaged_guard_trips_total{agent="assistant",guard="token_spike"} 1']);
  });
});

describe('BoundedLabel', () => {
  it('keeps the first values and reports later ones as "other"', () => {
    const label = new BoundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => label.of(v))).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
  });
});

describe('httpMetrics', () => {
  it('labels by route template, including sub-apps; paths no route serves are "unmatched"', async () => {
    const metrics = new DaemonMetrics({ version: '0.0.0', processMetrics: false });
    const app = new Hono();
    app.use(httpMetrics(metrics));
    app.use('/v1/*', async (c, next) => (c.req.header('authorization') ? next() : c.text('no', 401)));
    const sub = new Hono();
    sub.get('/v1/things/:id', (c) => c.text(c.req.param('id')));
    app.route('/', sub);
    await app.request('/v1/things/42', { headers: { authorization: 'x' } });
    await app.request('/v1/things/43');
    await app.request('/v1/other/44', { headers: { authorization: 'x' } });
    await app.request('/v1/other/45');
    expect(await lines(metrics, 'kaged_http_requests_total{')).toEqual([
      'kaged_http_requests_total{method="GET",route="/v1/things/:id",status="200"} 1',
      'kaged_http_requests_total{method="GET",route="/v1/things/:id",status="401"} 1',
      'kaged_http_requests_total{method="GET",route="unmatched",status="404"} 1',
      'kaged_http_requests_total{method="GET",route="unmatched",status="401"} 1',
    ]);
  });
});
