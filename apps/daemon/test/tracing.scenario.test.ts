import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '@kaged/observability';
import { startOpenAIChatServer } from '@kaged/llm/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonOptions } from '../src/daemon.js';
import { startOtlpReceiver, refusingUrl, type OtlpReceiver, type ReceivedSpan, type ReceiverMode } from './support/otlp-receiver.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn, type SseEvent } from './support/sse.js';

// Real wire: the real LangfuseExporter posts OTLP JSON to a loopback receiver, the daemon runs
// in-process (or as the built CLI) and turns go over HTTP.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const { KAGED_PROJECT: _project, KAGED_URL: _url, KAGED_TOKEN: _token, ...cliEnv } = process.env;
const OTLP_PATH = '/api/public/otel/v1/traces';
const PUBLIC_KEY = 'pk-lf-tracing-test';
const SECRET_KEY = 'sk-lf-tracing-test';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  // Each test closes what it opened: OpenTelemetry's diag logger is one per process, so a
  // daemon left running would hear the next test's export failures.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

interface Captured {
  logger: Logger;
  lines: string[];
  records(): Record<string, any>[];
}

function captureLogs(level: 'info' | 'debug' = 'info'): Captured {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, any>) };
}

function project(observability: string, extra = ''): string {
  return `${scenarioProject}${extra}observability:\n${observability.replace(/^/gm, '  ')}\n`;
}

async function fixture(yaml: string, files: Record<string, string> = scenarioFiles): Promise<ProjectFixture> {
  const created = await createProjectFixture(yaml, files);
  cleanups.push(() => created.remove());
  return created;
}

async function receiver(mode: ReceiverMode = 'ok'): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(mode);
  cleanups.push(() => started.close());
  return started;
}

async function daemonFor(yaml: string, options: Partial<DaemonOptions> = {}, files?: Record<string, string>): Promise<Daemon> {
  const created = await fixture(yaml, files);
  const daemon = await startDaemon({ project: created.file, port: 0, logger: createLogger({ level: 'silent' }), env: {}, ...options });
  cleanups.push(() => daemon.close());
  return daemon;
}

function langfuse(url: string, more = ''): string {
  return `langfuse: { publicKey: ${PUBLIC_KEY}, secretKey: ${SECRET_KEY}, baseUrl: "${url}" }\n${more}`;
}

/** Turn events by name. */
function byName(events: SseEvent[], name: string): any {
  return events.find((e) => e.event === name)?.data;
}

/** The spans of one trace as a tree, by Mastra's span type (`mastra.span.type`). */
function children(spans: ReceivedSpan[], parent: ReceivedSpan, type?: string): ReceivedSpan[] {
  return spans.filter((s) => s.parentSpanId === parent.spanId && (!type || s.attributes['mastra.span.type'] === type));
}

async function waitForRoot(receiver: OtlpReceiver, traceId: string): Promise<ReceivedSpan[]> {
  await expect.poll(() => receiver.spans().some((s) => s.traceId === traceId && !s.parentSpanId), { timeout: 15_000, interval: 50 }).toBe(true);
  return receiver.spans().filter((s) => s.traceId === traceId);
}

describe('tracing to Langfuse (a loopback OTLP receiver)', { timeout: 60_000 }, () => {
  it('sends one trace per turn: agent run → generation → step → model call → tool call → next model call', async () => {
    const lf = await receiver();
    const daemon = await daemonFor(project(langfuse(lf.url, 'flushEachTurn: true\ntags: [project-tag]\nenvironment: staging\nrelease: "1.2.3"')));
    expect(daemon.tracing.exporters).toEqual(['langfuse', 'local']);

    const { events } = await streamTurn(daemon.url, 'assistant', {
      message: 'what time is it?',
      userId: 'user-7',
      sessionId: 'session-7',
      tags: ['request-tag'],
    });
    const start = byName(events, 'turn.start');
    const end = byName(events, 'turn.end');
    expect(start.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(end.traceId).toBe(start.traceId);

    const spans = await waitForRoot(lf, start.traceId);
    for (const request of lf.requests) {
      expect(request).toMatchObject({ method: 'POST', path: OTLP_PATH });
      expect(request.headers['content-type']).toMatch(/^application\/json/);
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${PUBLIC_KEY}:${SECRET_KEY}`).toString('base64')}`);
    }

    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.name).toBe('invoke_agent assistant');
    expect(root.attributes['mastra.span.type']).toBe('agent_run');
    const [generation] = children(spans, root, 'model_generation');
    expect(generation).toBeDefined();
    const steps = children(spans, generation!, 'model_step');
    expect(steps).toHaveLength(2);
    const [firstCall] = children(spans, steps[0]!, 'model_inference');
    expect(firstCall).toMatchObject({ kind: 3, name: expect.stringMatching(/^chat /) });
    expect(firstCall!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 100,
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.usage.cache_read.input_tokens': 30,
    });
    const [tool] = children(spans, steps[0]!, 'tool_call');
    expect(tool).toMatchObject({ name: 'execute_tool current_time' });
    const [secondCall] = children(spans, steps[1]!, 'model_inference');
    expect(secondCall!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 12,
      'gen_ai.usage.reasoning.output_tokens': 4,
    });

    // Session, user, tags and the turn's metadata, as Langfuse reads them.
    for (const span of spans) expect(span.attributes).toMatchObject({ 'session.id': 'session-7', 'user.id': 'user-7' });
    expect(JSON.parse(root.attributes['langfuse.trace.tags'] as string)).toEqual(['project-tag', 'request-tag']);
    // Objects travel in the whole-object attribute, which Langfuse parses (see langfuse-fidelity).
    const prompts = JSON.parse(root.attributes['langfuse.trace.metadata'] as string).prompts;
    expect(prompts).toEqual(Object.fromEntries(start.prompts.map((p: { id: string; version: string }) => [p.id, p.version])));
    expect(root.attributes).toMatchObject({
      'langfuse.trace.metadata.agentId': 'assistant',
      'langfuse.trace.metadata.turnId': start.turnId,
      'langfuse.trace.metadata.project': 'scenario',
      'langfuse.trace.metadata.kagedVersion': expect.stringMatching(/^\d+\.\d+\.\d+/),
      'langfuse.environment': 'staging',
      'langfuse.release': '1.2.3',
    });
    // File prompts are not Langfuse-managed prompts: no prompt link attributes.
    expect(spans.flatMap((s) => Object.keys(s.attributes)).filter((key) => key.startsWith('langfuse.observation.prompt'))).toEqual([]);

    // A second turn is a second trace.
    const second = await streamTurn(daemon.url, 'assistant', { message: 'hello again', sessionId: 'session-7', userId: 'user-7' });
    const secondId = byName(second.events, 'turn.start').traceId;
    expect(secondId).not.toBe(start.traceId);
    await waitForRoot(lf, secondId);
    expect(
      new Set(
        lf
          .spans()
          .filter((s) => !s.parentSpanId)
          .map((s) => s.traceId),
      ),
    ).toEqual(new Set([start.traceId, secondId]));

    const ready = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] };
    expect(ready.checks.find((c) => c.name === 'traces')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`Langfuse at ${lf.url}`) });
  });
});

describe('tracing options (a loopback OTLP receiver)', { timeout: 60_000 }, () => {
  it('exports nothing at sampleRate 0 and every turn at 1', async () => {
    const lf = await receiver();
    const none = await daemonFor(project(langfuse(lf.url, 'sampleRate: 0\nflushEachTurn: true')));
    for (let i = 0; i < 3; i++) {
      const { events } = await streamTurn(none.url, 'assistant', { message: `unsampled ${i}` });
      expect(byName(events, 'turn.start').traceId).toBeNull();
      expect(byName(events, 'turn.end')).toMatchObject({ traceId: null, text: `echo unsampled ${i} (messages: 1)` });
    }
    expect((await none.tracing.localTraces!.list()).traces).toEqual([]);
    await none.close();
    expect(lf.requests).toEqual([]);

    const all = await daemonFor(project(langfuse(lf.url, 'sampleRate: 1\nflushEachTurn: true')));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(byName((await streamTurn(all.url, 'assistant', { message: `sampled ${i}` })).events, 'turn.start').traceId);
    for (const id of ids) await waitForRoot(lf, id);
    expect(new Set(lf.spans().map((s) => s.traceId))).toEqual(new Set(ids));
  });

  it('redacts span inputs and outputs before export when asked, keeping timings, tokens and ids', async () => {
    const lf = await receiver();
    const daemon = await daemonFor(project(langfuse(lf.url, 'flushEachTurn: true\nredact: { inputs: true, outputs: true }')));
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it, says the private message?', userId: 'u-redact' });
    const traceId = byName(events, 'turn.start').traceId;
    const spans = await waitForRoot(lf, traceId);
    const body = lf.requests.map((r) => r.body).join('\n');
    expect(body).not.toContain('private message');
    expect(body).not.toContain('You are the scenario assistant');
    expect(body).not.toContain('"iso"');
    const contentKeys = [
      'gen_ai.input.messages',
      'gen_ai.output.messages',
      'gen_ai.system_instructions',
      'gen_ai.tool.call.arguments',
      'gen_ai.tool.call.result',
      'langfuse.trace.input',
      'langfuse.trace.output',
      'langfuse.observation.input',
      'langfuse.observation.output',
    ];
    for (const span of spans) for (const key of contentKeys) expect(span.attributes[key], `${span.name} ${key}`).toBeUndefined();
    const call = spans.find((s) => s.attributes['mastra.span.type'] === 'model_inference')!;
    expect(call.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 100, 'user.id': 'u-redact' });

    // The local trace is redacted the same way.
    await expect.poll(async () => (await fetch(`${daemon.url}/v1/traces/${traceId}`)).status, { timeout: 10_000 }).toBe(200);
    const local = (await (await fetch(`${daemon.url}/v1/traces/${traceId}`)).json()) as { spans: { input: unknown; output: unknown; children: unknown[] }[] };
    const all = flatten(local.spans);
    expect(all.filter((s) => s.input !== null || s.output !== null)).toEqual([]);
  });

  it('keeps secrets from the environment, the config and tool arguments out of every exported span and log line', async () => {
    const CANARY_ENV = 'sk-CANARY-from-environment-7f3a';
    const CANARY_CONFIG = 'CANARY-config-header-91bd';
    const CANARY_TOOL = 'CANARY-tool-argument-c0de';
    const CANARY_LANGFUSE = 'sk-lf-CANARY-config-secret-55aa';
    const model = await startOpenAIChatServer((request) =>
      request.toolResults.length === 0
        ? { toolCalls: [{ name: 'current_time', input: { timeZone: 'UTC', apiKey: CANARY_TOOL } }], usage: { input: 50, output: 5 } }
        : { text: 'It is late.', usage: { input: 60, output: 4 } },
    );
    cleanups.push(() => model.close());
    const lf = await receiver();
    const logs = captureLogs();
    const yaml = `version: 1
name: canary
providers:
  remote:
    type: openai-compatible
    baseURL: "${model.baseURL}"
    apiKey: "\${env:CANARY_KEY}"
    headers: { x-api-key: "${CANARY_CONFIG}" }
agents:
  assistant:
    model: remote/some-model
    prompt: "You tell the time."
    tools: [current_time]
observability:
  langfuse: { publicKey: pk-lf-canary, secretKey: "${CANARY_LANGFUSE}", baseUrl: "${lf.url}" }
  flushEachTurn: true
`;
    const daemon = await daemonFor(yaml, { env: { CANARY_KEY: CANARY_ENV }, logger: logs.logger }, {});
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?' });
    expect(byName(events, 'tool.call')).toMatchObject({ name: 'current_time', input: { apiKey: CANARY_TOOL } });
    expect(byName(events, 'turn.end')).toMatchObject({ text: 'It is late.' });
    // The secrets did reach the model server: they were in play.
    expect(model.requests[0]!.headers).toMatchObject({ authorization: `Bearer ${CANARY_ENV}`, 'x-api-key': CANARY_CONFIG });
    const spans = await waitForRoot(lf, byName(events, 'turn.start').traceId);
    expect(spans.some((s) => s.attributes['mastra.span.type'] === 'tool_call')).toBe(true);
    await daemon.close();

    const exported = lf.requests.map((r) => r.body).join('\n');
    const logged = logs.lines.join('');
    expect(logs.records().some((l) => l.msg === 'turn.end')).toBe(true);
    for (const canary of [CANARY_ENV, CANARY_CONFIG, CANARY_TOOL, CANARY_LANGFUSE]) {
      expect(exported, canary).not.toContain(canary);
      expect(logged, canary).not.toContain(canary);
    }
    // The secret key goes to Langfuse only as Basic credentials.
    expect(lf.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from(`pk-lf-canary:${CANARY_LANGFUSE}`).toString('base64')}`);
  });

  it('creates no Langfuse exporter and connects nowhere when no keys are configured', async () => {
    const lf = await receiver();
    const daemon = await daemonFor(project(`langfuse: { baseUrl: "${lf.url}" }\nflushEachTurn: true`), { env: { LANGFUSE_BASE_URL: lf.url } });
    expect(daemon.tracing.exporters).toEqual(['local']);
    expect(daemon.tracing.status().langfuse).toBeNull();
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?' });
    expect(byName(events, 'turn.start').traceId).toMatch(/^[0-9a-f]{32}$/);
    await daemon.close();
    expect(lf.requests).toEqual([]);
  });
});

/** Runs the built CLI to completion without blocking this process (which may be serving it). */
function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: cliEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

function flatten<T extends { children: unknown[] }>(spans: T[]): T[] {
  return spans.flatMap((span) => [span, ...flatten(span.children as T[])]);
}

describe('export failures never hurt a turn', { timeout: 60_000 }, () => {
  const cases: { mode: ReceiverMode | 'refused'; kind: string; flushEachTurn: boolean }[] = [
    { mode: 'refused', kind: 'connection_refused', flushEachTurn: true },
    { mode: 'error500', kind: 'http_error', flushEachTurn: true },
    // Batched export in the background: the failure surfaces only through OpenTelemetry's diag logger.
    { mode: 'error500', kind: 'http_error', flushEachTurn: false },
    { mode: 'hang', kind: 'timeout', flushEachTurn: true },
  ];

  for (const { mode, kind, flushEachTurn } of cases) {
    it(`Langfuse ${mode === 'refused' ? 'refusing connections' : mode === 'hang' ? 'never answering' : 'answering 500'}${flushEachTurn ? '' : ' (batched)'}: turns succeed, failures are counted, logged once per kind and shown in /readyz`, async () => {
      const url = mode === 'refused' ? await refusingUrl() : (await receiver(mode)).url;
      const logs = captureLogs();
      const created = await fixture(project(langfuse(url, `flushEachTurn: ${flushEachTurn}`)));
      const daemon = await startDaemon({ project: created.file, port: 0, logger: logs.logger, env: {} });
      let closed = false;
      cleanups.push(() => (closed ? Promise.resolve() : daemon.close()));

      for (let i = 0; i < 5; i++) {
        const { events } = await streamTurn(daemon.url, 'assistant', { message: i % 2 ? 'what time is it?' : `hello ${i}` });
        expect(events.at(-1)!.event).toBe('turn.end');
      }
      await expect.poll(() => daemon.tracing.status().langfuse!.failures, { timeout: 20_000, interval: 100 }).toBeGreaterThanOrEqual(1);
      const status = daemon.tracing.status();
      expect(status).toMatchObject({ state: 'degraded', langfuse: { lastError: { kind } } });
      const ready = await fetch(`${daemon.url}/readyz`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; checks: { name: string; status: string; detail: string }[] };
      expect(body.status).toBe('degraded');
      expect(body.checks.find((c) => c.name === 'traces')).toMatchObject({ status: 'degraded', detail: expect.stringContaining(`(${kind}: `) });

      // Turns still run at once while export keeps failing.
      const after = await streamTurn(daemon.url, 'assistant', { message: 'still there?' });
      expect(byName(after.events, 'turn.end')).toMatchObject({ text: 'echo still there? (messages: 1)' });

      const started = Date.now();
      await daemon.close();
      closed = true;
      // Bounded: a dead Langfuse never holds shutdown beyond its flush timeouts.
      expect(Date.now() - started).toBeLessThan(15_000);

      const failures = daemon.tracing.status().langfuse!.failures;
      const warned = logs.records().filter((l) => l.msg === 'trace.export_failed');
      expect(warned.length).toBeGreaterThanOrEqual(1);
      for (const line of warned)
        expect(line).toMatchObject({
          level: 'warn',
          exporter: 'langfuse',
          kind: expect.any(String),
          failures: expect.any(Number),
          suppressed: expect.any(Number),
        });
      // One line per kind within the window, plus the summary of suppressed ones at close.
      const perKind = new Map<string, number>();
      for (const line of warned) perKind.set(line.kind, (perKind.get(line.kind) ?? 0) + 1);
      for (const count of perKind.values()) expect(count).toBeLessThanOrEqual(2);
      // Every failure is either a line of its own or counted as suppressed in a later one.
      expect(warned.reduce((sum, l) => sum + (l.summary ? 0 : 1) + l.suppressed, 0)).toBe(failures);
      expect(logs.lines.join('')).not.toContain(SECRET_KEY);
    });
  }
});

describe('the built CLI', { timeout: 60_000 }, () => {
  it('delivers a turn’s batched spans when SIGTERM comes right after the turn', async () => {
    const lf = await receiver();
    // Batched (not realtime), no per-turn flush: only the shutdown flush can deliver in time.
    const created = await fixture(project(langfuse(lf.url, 'flushEachTurn: false')));
    const child = spawn(process.execPath, [cli, 'start', '--port', '0', '--log-format', 'json'], { cwd: created.dir, env: cliEnv });
    cleanups.push(async () => void (child.exitCode === null && child.kill('SIGKILL')));
    let stderr = '';
    let stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await expect.poll(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], { timeout: 30_000 }).toBeDefined();
    const url = /listening on (http:\/\/\S+)/.exec(stderr)![1]!;

    const { events } = await streamTurn(url, 'assistant', { message: 'what time is it?' });
    const traceId = byName(events, 'turn.end').traceId;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lf.requests).toEqual([]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const spans = lf.spans().filter((s) => s.traceId === traceId);
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['invoke_agent assistant']);
    expect(spans.some((s) => s.name === 'execute_tool current_time')).toBe(true);
    expect(stdout).not.toContain('process.unhandled_rejection');
  });
});

describe('local traces', { timeout: 60_000 }, () => {
  it('are on by default: GET /v1/traces lists turns with filters and pages, GET /v1/traces/{id} gives the tree', async () => {
    const daemon = await daemonFor(scenarioProject);
    expect(daemon.tracing.exporters).toEqual(['local']);
    const first = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?', sessionId: 'local-1', userId: 'ann', tags: ['blue', 'green'] });
    const second = await streamTurn(daemon.url, 'assistant', { message: 'research owls', sessionId: 'local-2', userId: 'bob', tags: ['blue'] });
    const firstId = byName(first.events, 'turn.start').traceId;
    const secondId = byName(second.events, 'turn.start').traceId;
    const list = async (query = '') =>
      (await (await fetch(`${daemon.url}/v1/traces${query}`)).json()) as { traces: { traceId: string }[]; pagination: Record<string, unknown> };
    await expect.poll(async () => (await list()).traces.length, { timeout: 10_000 }).toBe(2);

    const all = await list();
    expect(all.traces.map((t) => t.traceId)).toEqual([secondId, firstId]);
    expect(all.traces[1]).toMatchObject({
      traceId: firstId,
      name: "agent run: 'assistant'",
      agentId: 'assistant',
      sessionId: 'local-1',
      userId: 'ann',
      turnId: byName(first.events, 'turn.start').turnId,
      tags: ['blue', 'green'],
      status: 'ok',
      startedAt: expect.any(String),
      durationMs: expect.any(Number),
    });
    expect(all.pagination).toEqual({ total: 2, page: 0, perPage: 20, hasMore: false });
    const ids = async (query: string) => (await list(query)).traces.map((t) => t.traceId);
    expect(await ids('?sessionId=local-1')).toEqual([firstId]);
    expect(await ids('?userId=bob')).toEqual([secondId]);
    expect(await ids('?agentId=assistant')).toEqual([secondId, firstId]);
    expect(await ids('?agentId=researcher')).toEqual([]);
    expect(await ids('?tag=blue&tag=green')).toEqual([firstId]);
    expect(await ids(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await ids(`?to=${Date.now() + 60_000}&from=2020-01-01`)).toEqual([secondId, firstId]);
    expect(await list('?perPage=1&page=1')).toMatchObject({ traces: [{ traceId: firstId }], pagination: { total: 2, page: 1, perPage: 1, hasMore: false } });

    const trace = (await (await fetch(`${daemon.url}/v1/traces/${firstId}`)).json()) as any;
    expect(trace).toMatchObject({
      traceId: firstId,
      sessionId: 'local-1',
      metadata: { agentId: 'assistant', project: 'scenario', prompts: { 'agents.assistant.prompt': byName(first.events, 'turn.start').prompts[0].version } },
      usage: { inputTokens: 220, outputTokens: 22, cacheReadTokens: 30, cacheWriteTokens: 0, reasoningTokens: 4 },
      costUsd: byName(first.events, 'turn.end').costUsd,
    });
    const [root] = trace.spans;
    expect(root).toMatchObject({ type: 'agent_run', input: expect.anything(), durationMs: expect.any(Number) });
    const generation = root.children.find((s: any) => s.type === 'model_generation');
    expect(generation).toMatchObject({ usage: { inputTokens: 220, cacheReadTokens: 30 }, costUsd: 0 });
    const [step0, step1] = generation.children.filter((s: any) => s.type === 'model_step');
    expect(step0.usage).toMatchObject({ inputTokens: 100, outputTokens: 10, cacheReadTokens: 30 });
    expect(step0.children.find((s: any) => s.type === 'tool_call')).toMatchObject({
      name: "tool: 'current_time'",
      input: {},
      output: { iso: expect.any(String) },
    });
    expect(step1.usage).toMatchObject({ inputTokens: 120, outputTokens: 12, reasoningTokens: 4 });

    // The subagent's run nests under its tool call.
    const research = (await (await fetch(`${daemon.url}/v1/traces/${secondId}`)).json()) as any;
    const subagentRun = flatten(research.spans as any[]).find((s: any) => s.type === 'agent_run' && s.name.includes('researcher'));
    expect(subagentRun).toBeDefined();

    expect(await (await fetch(`${daemon.url}/v1/traces/0123456789abcdef0123456789abcdef`)).json()).toMatchObject({ error: { code: 'unknown_trace' } });
    expect((await fetch(`${daemon.url}/v1/traces/0123456789abcdef0123456789abcdef`)).status).toBe(404);
  });

  it('answers 400 naming the field for bad query parameters', async () => {
    const daemon = await daemonFor(scenarioProject);
    const cases: [string, string][] = [
      ['/v1/traces?perPage=0', 'perPage'],
      ['/v1/traces?perPage=101', 'perPage'],
      ['/v1/traces?page=-1', 'page'],
      ['/v1/traces?from=yesterday', 'from'],
      ['/v1/traces?from=2026-02-01&to=2026-01-01', 'to'],
      ['/v1/traces?sessionId=a%20b', 'sessionId'],
      ['/v1/traces?userId=a&userId=b', 'userId'],
      ['/v1/traces?colour=red', 'colour'],
      ['/v1/traces/not-hex', 'traceId'],
    ];
    for (const [path, field] of cases) {
      const response = await fetch(`${daemon.url}${path}`);
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toEqual({ error: { code: 'invalid_request', field, message: expect.stringMatching(new RegExp(`^${field}: `)) } });
    }
  });

  it('keeps at most maxTraces, the newest', async () => {
    const daemon = await daemonFor(project('localTraces: { maxTraces: 2 }'));
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(byName((await streamTurn(daemon.url, 'assistant', { message: `turn ${i}` })).events, 'turn.start').traceId);
    const list = async () => ((await (await fetch(`${daemon.url}/v1/traces`)).json()) as { traces: { traceId: string }[] }).traces.map((t) => t.traceId);
    await expect.poll(list, { timeout: 10_000 }).toHaveLength(4);
    expect(await daemon.tracing.localTraces!.prune()).toEqual({ spansPastAge: 0, tracesOverCount: 2 });
    expect(await list()).toEqual([ids[3], ids[2]]);
    expect((await fetch(`${daemon.url}/v1/traces/${ids[0]}`)).status).toBe(404);
  });

  it('can be turned off: the routes say so and turns carry no trace id', async () => {
    const daemon = await daemonFor(project('localTraces: { enabled: false }'));
    expect(daemon.tracing.exporters).toEqual([]);
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'hi' });
    expect(byName(events, 'turn.start').traceId).toBeNull();
    const response = await fetch(`${daemon.url}/v1/traces`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'local_traces_disabled' } });
    const ready = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] };
    expect(ready.checks.find((c) => c.name === 'traces')).toEqual({
      name: 'traces',
      status: 'ok',
      detail: 'tracing off: no Langfuse keys and local traces disabled',
    });
  });

  it('`kaged traces` prints them as an indented tree from a running daemon, and follows new ones', async () => {
    const daemon = await daemonFor(scenarioProject);
    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?', sessionId: 'cli-session', userId: 'cli-user' });
    const traceId = byName(events, 'turn.start').traceId;
    await expect.poll(async () => (await fetch(`${daemon.url}/v1/traces/${traceId}`)).status, { timeout: 10_000 }).toBe(200);

    // Asynchronously: the daemon answering it runs in this very process.
    const printed = await runCli(['traces', '--url', daemon.url, '--session', 'cli-session']);
    expect(printed.stderr).toBe('');
    expect(printed.status).toBe(0);
    const lines = printed.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^trace ${traceId}  \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}  agent assistant  session cli-session  user cli-user  \\d+ ms  ok  tokens 220 in / 22 out \\(cache read 30, reasoning 4\\)`,
      ),
    );
    expect(lines[1]).toMatch(/^ {2}prompts agents\.assistant\.prompt@[0-9a-f]{12} agents\.researcher\.prompt@[0-9a-f]{12}$/);
    expect(lines[2]).toMatch(/^ {2}└─ agent run: 'assistant' {2}\[agent_run\] {2}\d+ ms$/);
    expect(printed.stdout).toMatch(/\n {5}[├└]─ llm: '[^']+' {2}\[model_generation\] {2}\d+ ms {2}tokens 220 in \/ 22 out/);
    // Compact detail: the generation is the run's only child (no memory or processor spans).
    expect(printed.stdout).toMatch(/\n {8}├─ step: 0 {2}\[model_step\] {2}\d+ ms {2}tokens 100 in \/ 10 out \(cache read 30\)\n/);
    expect(printed.stdout).toMatch(/\n {8}│ {2}└─ tool: 'current_time' {2}\[tool_call\] {2}\d+ ms\n/);
    expect(printed.stdout).not.toContain('[model_chunk]');

    const json = await runCli(['traces', '--url', daemon.url, '--json', '--limit', '1']);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ traceId, spans: [{ type: 'agent_run' }] });

    // --follow: a trace of a later turn appears, then SIGINT ends the command cleanly.
    const follower = spawn(process.execPath, [cli, 'traces', '--url', daemon.url, '--follow'], { env: cliEnv });
    cleanups.push(async () => void (follower.exitCode === null && follower.kill('SIGKILL')));
    let out = '';
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const done = new Promise<number | null>((resolve) => follower.on('exit', (code) => resolve(code)));
    await expect.poll(() => out.includes(`trace ${traceId}`), { timeout: 30_000 }).toBe(true);
    const later = byName((await streamTurn(daemon.url, 'assistant', { message: 'and now?' })).events, 'turn.start').traceId;
    await expect.poll(() => out.includes(`trace ${later}`), { timeout: 15_000 }).toBe(true);
    follower.kill('SIGINT');
    expect(await done).toBe(0);
  });
});
