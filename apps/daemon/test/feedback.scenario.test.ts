// Feedback on a turn: a score on its trace through Mastra's scoring, posted to Langfuse by the
// real exporter (loopback receiver), counted in /metrics, and refused clearly when it cannot land.
import { createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, startDaemon } from '../src/daemon.js';
import { type OtlpReceiver, startOtlpReceiver } from './support/otlp-receiver.js';
import { createProjectFixture, type ProjectFixture, scenarioFiles, scenarioProject } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

let langfuse: OtlpReceiver;
const fixtures: ProjectFixture[] = [];
let sampled: Daemon;
let unsampled: Daemon;

async function daemonWith(sampleRate: number): Promise<Daemon> {
  const yaml = `${scenarioProject}observability:\n  sampleRate: ${sampleRate}\n  langfuse: { publicKey: pk-lf-fb, secretKey: sk-lf-fb, baseUrl: "${langfuse.url}" }\n`;
  const fixture = await createProjectFixture(yaml, scenarioFiles);
  fixtures.push(fixture);
  return startDaemon({ project: fixture.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} });
}

beforeAll(async () => {
  langfuse = await startOtlpReceiver();
  [sampled, unsampled] = await Promise.all([daemonWith(1), daemonWith(0)]);
});

afterAll(async () => {
  await sampled?.close();
  await unsampled?.close();
  await langfuse?.close();
  for (const fixture of fixtures) await fixture.remove();
});

async function turnOn(daemon: Daemon): Promise<{ turnId: string; traceId: string | null }> {
  const { events } = await streamTurn(daemon.url, 'assistant', { message: 'hello' });
  return events.find((e) => e.event === 'turn.start')!.data;
}

const feedback = (daemon: Daemon, turnId: string, body: unknown) =>
  fetch(`${daemon.url}/v1/turns/${turnId}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('POST /v1/turns/{turnId}/feedback', { timeout: 60_000 }, () => {
  it('attaches thumbs and numbers as scores of the turn trace, reaching Langfuse and /metrics', async () => {
    const { turnId, traceId } = await turnOn(sampled);
    const up = await feedback(sampled, turnId, { value: 'up', comment: 'spot on' });
    expect(up.status).toBe(202);
    expect(await up.json()).toEqual({ turnId, traceId, name: 'user feedback', value: 1, comment: 'spot on' });
    expect((await feedback(sampled, turnId, { value: 0.25 })).status).toBe(202);
    expect((await feedback(sampled, turnId, { value: 'down' })).status).toBe(202);

    // Langfuse's score ingestion (the exporter's client): one NUMERIC score per feedback, on the trace.
    await sampled.tracing.flush();
    const scores = () =>
      langfuse.requests
        .filter((r) => !r.path.startsWith('/api/public/otel'))
        .flatMap((r) => (JSON.parse(r.body) as { batch?: { type: string; body: Record<string, unknown> }[] }).batch ?? [])
        .filter((e) => e.type === 'score-create')
        .map((e) => e.body);
    await expect.poll(async () => (await sampled.tracing.flush(), scores().length), { timeout: 10_000 }).toBe(3);
    expect(scores()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ traceId, name: 'user feedback', value: 1, comment: 'spot on', dataType: 'NUMERIC' }),
        expect.objectContaining({ traceId, name: 'user feedback', value: 0.25 }),
        expect.objectContaining({ traceId, name: 'user feedback', value: 0 }),
      ]),
    );

    const metrics = await (await fetch(`${sampled.url}/metrics`)).text();
    expect(metrics).toContain('kaged_feedback_total{agent="assistant",value="up"} 1');
    expect(metrics).toContain('kaged_feedback_total{agent="assistant",value="down"} 1');
    expect(metrics).toContain('kaged_feedback_total{agent="assistant",value="score"} 1');
  });

  it('answers 400 naming the field, 404 for an unknown turn, 409 for an unsampled one', async () => {
    const { turnId } = await turnOn(sampled);
    for (const [body, field] of [
      [{ value: 'meh' }, 'value'],
      [{ value: 1.5 }, 'value'],
      [{}, 'value'],
      [{ value: 'up', comment: 7 }, 'comment'],
      [{ value: 'up', rating: 5 }, 'rating'],
      [[1], 'body'],
    ] as const) {
      const response = await feedback(sampled, turnId, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { field: string; message: string } }).error).toMatchObject({
        field,
        message: expect.stringMatching(new RegExp(`^${field}: `)),
      });
    }
    const unknown = await feedback(sampled, 'no-such-turn', { value: 'up' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_turn');

    const notSampled = await turnOn(unsampled);
    expect(notSampled.traceId).toBeNull();
    const conflict = await feedback(unsampled, notSampled.turnId, { value: 'up' });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'turn_not_traced',
      message: expect.stringContaining('not sampled'),
    });
  });
});
