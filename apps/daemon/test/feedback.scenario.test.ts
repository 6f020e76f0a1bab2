// Feedback on a turn: a score on its trace through Mastra's scoring, posted to Langfuse by the
// real exporter (loopback receiver), kept in the local store (GET /v1/traces/{id}, the prompt
// version figures), counted in /metrics, and refused clearly when it cannot land.
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
/** Local traces only (no Langfuse), with a guard that flags turns asking for the time without the tool. */
let local: Daemon;

const guardedProject = `version: 1
name: scored
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
    tools: [current_time]
    guards:
      expectTools:
        - { tools: [current_time], when: "\\\\btime\\\\b" }
`;
const guardedFiles = {
  'prompts/assistant.md': 'You are the scored assistant.\n',
  'scripts/demo.yaml': `models:
  assistant:
    - when: "time"
      steps: [{ text: "I think it is noon, probably, give or take an hour or so." }]
    - steps: [{ text: "a varied and perfectly ordinary answer" }]
`,
};

async function daemonWith(sampleRate: number): Promise<Daemon> {
  const yaml = `${scenarioProject}observability:\n  sampleRate: ${sampleRate}\n  langfuse: { publicKey: pk-lf-fb, secretKey: sk-lf-fb, baseUrl: "${langfuse.url}" }\n`;
  const fixture = await createProjectFixture(yaml, scenarioFiles);
  fixtures.push(fixture);
  return startDaemon({ project: fixture.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} });
}

beforeAll(async () => {
  langfuse = await startOtlpReceiver();
  const guarded = await createProjectFixture(guardedProject, guardedFiles);
  fixtures.push(guarded);
  [sampled, unsampled, local] = await Promise.all([
    daemonWith(1),
    daemonWith(0),
    startDaemon({ project: guarded.file, port: 0, logger: createLogger({ level: 'silent' }), env: {} }),
  ]);
});

afterAll(async () => {
  await sampled?.close();
  await unsampled?.close();
  await local?.close();
  await langfuse?.close();
  for (const fixture of fixtures) await fixture.remove();
});

async function turnOn(daemon: Daemon, message = 'hello'): Promise<{ turnId: string; traceId: string | null }> {
  const { events } = await streamTurn(daemon.url, 'assistant', { message });
  return events.find((e) => e.event === 'turn.start')!.data;
}

const getJson = async (daemon: Daemon, path: string) => {
  const response = await fetch(`${daemon.url}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, any>;
};

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

  it('keeps feedback and guard flags in the local store: on the trace, and in the prompt version figures', async () => {
    const flagged = await turnOn(local, 'what time is it?');
    const plain = await turnOn(local);
    expect((await feedback(local, flagged.turnId, { value: 'up', comment: 'spot on' })).status).toBe(202);
    expect((await feedback(local, plain.turnId, { value: 0.5 })).status).toBe(202);
    await local.tracing.flush();

    // The trace and its scores: the feedback (manual) and the guard's flag (automated).
    const scoresOf = async (traceId: string) => {
      await local.tracing.flush();
      const response = await fetch(`${local.url}/v1/traces/${traceId}`);
      return response.status === 200 ? ((await response.json()) as { scores: Record<string, unknown>[] }).scores : [];
    };
    await expect.poll(async () => (await scoresOf(flagged.traceId!)).length, { timeout: 10_000 }).toBe(2);
    const scores = await scoresOf(flagged.traceId!);
    expect(scores).toEqual(
      expect.arrayContaining([
        {
          name: 'user feedback',
          scorerId: 'kaged.feedback',
          value: 1,
          comment: 'spot on',
          source: 'manual',
          spanId: null,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          metadata: expect.objectContaining({ turnId: flagged.turnId, value: 'up' }),
        },
        expect.objectContaining({
          name: 'guard: expected_tools',
          scorerId: 'kaged.guard.expected_tools',
          value: 1,
          comment: expect.stringContaining('current_time'),
          source: 'automated',
        }),
      ]),
    );
    expect(await scoresOf(plain.traceId!)).toEqual([expect.objectContaining({ name: 'user feedback', value: 0.5, comment: null })]);

    // The prompt version both turns used: two finished turns, one flagged, thumbs and mean.
    const { versions } = await getJson(local, '/v1/prompts/agents.assistant.prompt/versions');
    expect(versions[0]).toMatchObject({ current: true, turns: 2, guardFlags: 1, feedback: { up: 1, down: 0, count: 2, mean: 0.75 } });
  });
});
