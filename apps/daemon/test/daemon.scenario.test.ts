import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonOptions } from '../src/daemon.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { parseSse, streamTurn } from './support/sse.js';

const silent = createLogger({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fixture(yaml = scenarioProject): Promise<ProjectFixture> {
  const created = await createProjectFixture(yaml, scenarioFiles);
  cleanups.push(() => created.remove());
  return created;
}

async function daemonFor(project: ProjectFixture, options: Partial<DaemonOptions> = {}): Promise<Daemon> {
  const daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: {}, ...options });
  cleanups.push(() => daemon.close());
  return daemon;
}

async function postTurn(url: string, agentId: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/agents/${agentId}/turns`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as any };
}

describe('daemon over HTTP (in-process)', () => {
  let project: ProjectFixture;
  let daemon: Daemon;

  beforeAll(async () => {
    project = await fixture();
    daemon = await daemonFor(project);
  });

  it('listens on loopback and answers health and readiness', async () => {
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${daemon.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${daemon.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; checks: { name: string; status: string }[] };
    expect(body.status).toBe('ready');
    expect(body.checks.map((c) => [c.name, c.status])).toEqual([
      ['project', 'ok'],
      ['prompts', 'ok'],
      ['sessions', 'ok'],
      ['traces', 'ok'],
    ]);
  });

  it('streams a turn as server-sent events in the documented order', async () => {
    const { status, contentType, events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?', userId: 'u1', tags: ['t'] });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 3)).toEqual(['turn.start', 'tool.call', 'tool.result']);
    expect(names.at(-1)).toBe('turn.end');
    expect(new Set(names.slice(3, -1))).toEqual(new Set(['text.delta']));

    const [start, call, result] = events;
    const end = events.at(-1)!;
    expect(start!.data).toEqual({
      turnId: expect.any(String),
      sessionId: expect.any(String),
      agentId: 'assistant',
      prompts: [
        { id: 'agents.assistant.prompt', version: expect.stringMatching(/^[0-9a-f]{12}$/) },
        { id: 'agents.researcher.prompt', version: expect.stringMatching(/^[0-9a-f]{12}$/) },
      ],
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(call!.data).toEqual({ id: expect.any(String), name: 'current_time', input: {} });
    expect(result!.data).toMatchObject({ id: call!.data.id, name: 'current_time', isError: false, output: { iso: expect.any(String) } });
    expect(end.data).toEqual({
      turnId: start!.data.turnId,
      sessionId: start!.data.sessionId,
      text: events
        .slice(3, -1)
        .map((e) => e.data.text)
        .join(''),
      finishReason: 'stop',
      usage: { inputTokens: 220, outputTokens: 22, cacheReadTokens: 30, cacheWriteTokens: 0, reasoningTokens: 4 },
      costUsd: 0, // scripted models call nothing: they cost nothing
      usageByModel: [
        { model: 'demo/assistant', usage: { inputTokens: 220, outputTokens: 22, cacheReadTokens: 30, cacheWriteTokens: 0, reasoningTokens: 4 }, costUsd: 0 },
      ],
      durationMs: expect.any(Number),
      traceId: start!.data.traceId,
    });
    expect(end.data.text).toMatch(/^It is \{"iso":"/);
  });

  it('reports the prompt versions a turn used, matching GET /v1/agents', async () => {
    const agents = (await (await fetch(`${daemon.url}/v1/agents`)).json()) as { agents: any[] };
    expect(agents.agents.map((a) => a.id)).toEqual(['assistant', 'researcher']);
    expect(agents.agents[0]).toEqual({
      id: 'assistant',
      model: 'demo/assistant',
      tools: ['current_time'],
      subagents: ['researcher'],
      maxSteps: 8,
      prompt: { id: 'agents.assistant.prompt', version: expect.stringMatching(/^[0-9a-f]{12}$/), path: join(project.dir, 'prompts/assistant.md') },
    });
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'hi' });
    expect(events[0]!.data.prompts[0]).toEqual({ id: 'agents.assistant.prompt', version: agents.agents[0].prompt.version });
  });

  it('lets the agent call its subagent as a tool, visible in the stream', async () => {
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'research kaged' });
    const call = events.find((e) => e.event === 'tool.call')!;
    expect(call.data).toMatchObject({ name: 'agent-researcher', input: { prompt: 'research kaged' } });
    expect(events.find((e) => e.event === 'tool.result')!.data).toMatchObject({ name: 'agent-researcher', isError: false, output: { text: 'the facts' } });
    expect(events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'Found: the facts' } });
  });

  it('answers with the turn.end object as JSON without an event-stream Accept header', async () => {
    const { status, body } = await postTurn(daemon.url, 'assistant', JSON.stringify({ message: 'plain json' }));
    expect(status).toBe(200);
    expect(body).toEqual({
      turnId: expect.any(String),
      sessionId: expect.any(String),
      text: 'echo plain json (messages: 1)',
      finishReason: 'stop',
      usage: expect.objectContaining({ inputTokens: expect.any(Number) }),
      costUsd: 0,
      usageByModel: [{ model: 'demo/assistant', usage: expect.objectContaining({ inputTokens: expect.any(Number) }), costUsd: 0 }],
      durationMs: expect.any(Number),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('continues a session: the second turn sees the first', async () => {
    const first = await postTurn(daemon.url, 'assistant', JSON.stringify({ message: 'one' }));
    const second = await postTurn(daemon.url, 'assistant', JSON.stringify({ message: 'two', sessionId: first.body.sessionId }));
    expect(second.body).toMatchObject({ sessionId: first.body.sessionId, text: 'echo two (messages: 2)' });
    const chosen = await postTurn(daemon.url, 'assistant', JSON.stringify({ message: 'mine', sessionId: 'my-session.1' }));
    expect(chosen.body).toMatchObject({ sessionId: 'my-session.1', text: 'echo mine (messages: 1)' });
  });

  it.each([
    ['unknown agent', 'nobody', '{"message":"hi"}', {}, 404, 'unknown_agent', 'unknown agent "nobody" (agents: assistant, researcher)', undefined],
    ['malformed JSON', 'assistant', '{"message":', {}, 400, 'malformed_json', 'the request body is not valid JSON', undefined],
    ['missing message', 'assistant', '{}', {}, 400, 'invalid_request', 'message: is required', 'message'],
    ['mistyped message', 'assistant', '{"message":42}', {}, 400, 'invalid_request', 'message: expected a string', 'message'],
    ['mistyped tags', 'assistant', '{"message":"x","tags":"a"}', {}, 400, 'invalid_request', 'tags: expected an array of strings', 'tags'],
    [
      'bad sessionId',
      'assistant',
      '{"message":"x","sessionId":"a b"}',
      {},
      400,
      'invalid_request',
      expect.stringMatching(/^sessionId: must be 1-128 characters/),
      'sessionId',
    ],
    ['unknown field', 'assistant', '{"message":"x","mesage":"y"}', {}, 400, 'invalid_request', 'mesage: unknown field', 'mesage'],
    ['not an object', 'assistant', '[1,2]', {}, 400, 'invalid_request', 'expected a JSON object', ''],
  ])('rejects %s with a clear error body', async (_name, agentId, body, headers, status, code, message, field) => {
    const response = await postTurn(daemon.url, agentId, body, headers);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error: { code, message, ...(field === undefined ? {} : { field }) } });
  });

  it('rejects a body over 1 MiB with 413 and keeps serving', async () => {
    const big = JSON.stringify({ message: 'x'.repeat(1024 * 1024 + 10) });
    const response = await postTurn(daemon.url, 'assistant', big);
    expect(response).toEqual({ status: 413, body: { error: { code: 'body_too_large', message: 'the request body is larger than 1 MiB' } } });
    const after = await postTurn(daemon.url, 'assistant', JSON.stringify({ message: 'still alive?' }));
    expect(after.status).toBe(200);
  });

  it('answers unknown routes with 404 in the error format', async () => {
    const response = await fetch(`${daemon.url}/v1/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /v1/nothing' } });
  });

  it('survives a client that disconnects mid-stream and serves the next turn', async () => {
    const controller = new AbortController();
    const response = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'slow please' }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect.poll(() => daemon.harness.activeTurns, { timeout: 5_000 }).toBe(0);
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'after the disconnect' });
    expect(events.at(-1)!.event).toBe('turn.end');
  });
});

describe('sessions across a restart', () => {
  it('keeps session history in the data directory', async () => {
    const project = await fixture();
    const dataDir = await mkdtemp(join(tmpdir(), 'kaged-data-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const first = await startDaemon({ project: project.file, port: 0, logger: silent, env: {}, dataDir });
    const one = await postTurn(first.url, 'assistant', JSON.stringify({ message: 'before restart' }));
    expect(one.body.text).toBe('echo before restart (messages: 1)');
    await first.close();

    const second = await daemonFor(project, { dataDir });
    const two = await postTurn(second.url, 'assistant', JSON.stringify({ message: 'after restart', sessionId: one.body.sessionId }));
    expect(two.body.text).toBe('echo after restart (messages: 2)');
  });

  it('defaults the data directory to .kaged beside the project file', async () => {
    const project = await fixture();
    const daemon = await daemonFor(project);
    expect(daemon.dataDir).toBe(join(project.dir, '.kaged'));
  });
});

describe('security', () => {
  it('requires the bearer token on /v1 routes when one is set, not on health', async () => {
    const project = await fixture(`${scenarioProject}server: { token: "\${env:TEST_TOKEN}" }\n`);
    const daemon = await daemonFor(project, { env: { TEST_TOKEN: 'a-long-enough-test-token' } });
    const anonymous = await fetch(`${daemon.url}/v1/agents`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') } });
    const wrong = await fetch(`${daemon.url}/v1/agents`, { headers: { authorization: 'Bearer a-long-enough-test-tokeX' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${daemon.url}/v1/agents`, { headers: { authorization: 'Bearer a-long-enough-test-token' } });
    expect(right.status).toBe(200);
    const turn = await postTurn(daemon.url, 'assistant', '{"message":"hi"}');
    expect(turn.status).toBe(401);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
  });

  it('refuses to bind a non-loopback address without a token', async () => {
    const project = await fixture();
    await expect(startDaemon({ project: project.file, host: '0.0.0.0', port: 0, logger: silent, env: {} })).rejects.toMatchObject({
      code: 'token_required',
      message: expect.stringContaining('refusing to bind 0.0.0.0 without a token'),
    });
    const daemon = await daemonFor(project, { host: '0.0.0.0', env: { KAGED_TOKEN: 'another-long-test-token' } });
    expect(daemon.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });
});

/** Starts a turn that streams for a while; resolves once it runs, with its SSE body still to come. */
async function startSlowTurn(daemon: Daemon): Promise<{ body: Promise<string> }> {
  const body = fetch(`${daemon.url}/v1/agents/assistant/turns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message: 'slow please' }),
  }).then((r) => r.text());
  await expect.poll(() => daemon.harness.activeTurns).toBe(1);
  // Wrapped: an async function returning the promise itself would wait for it.
  return { body };
}

describe('graceful shutdown', () => {
  it('lets an in-flight turn finish, then refuses new connections', async () => {
    const project = await fixture();
    const daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: {} });
    const inFlight = (await startSlowTurn(daemon)).body;
    const closed = daemon.close();
    const events = parseSse(await inFlight);
    expect(events.at(-1)).toMatchObject({ event: 'turn.end', data: { text: 'a slow answer in several words' } });
    await closed;
    await expect(fetch(`${daemon.url}/healthz`)).rejects.toThrow();
  });

  it('aborts turns that outlive the grace period', async () => {
    const project = await fixture();
    const daemon = await startDaemon({ project: project.file, port: 0, logger: silent, env: {}, shutdownGraceMs: 50 });
    const inFlight = (await startSlowTurn(daemon)).body;
    await daemon.close();
    const events = parseSse(await inFlight);
    expect(events.at(-1)).toMatchObject({ event: 'turn.error', data: { code: 'aborted' } });
  });
});
