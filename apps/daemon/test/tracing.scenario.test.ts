import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '@kaged/observability';
import { startOpenAIChatServer } from '@kaged/llm/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonOptions } from '../src/daemon.js';
import { startOtlpReceiver, refusingUrl, type OtlpReceiver, type ReceivedSpan, type ReceiverMode } from './support/otlp-receiver.js';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from './support/project-fixture.js';
import { parseSse, streamTurn, type SseEvent } from './support/sse.js';

// Real wire: the real LangfuseExporter posts OTLP JSON to a loopback receiver, the daemon runs
// in-process (or as the built CLI) and turns go over HTTP.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
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
    const daemon = await daemonFor(
      project(langfuse(lf.url, 'flushEachTurn: true\ntags: [project-tag]\nenvironment: staging\nrelease: "1.2.3"')),
    );
    expect(daemon.tracing.exporters).toEqual(['langfuse', 'local']);

    const { events } = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?', userId: 'user-7', sessionId: 'session-7', tags: ['request-tag'] });
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
    expect(secondCall!.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 120, 'gen_ai.usage.output_tokens': 12, 'gen_ai.usage.reasoning_tokens': 4 });

    // Session, user, tags and the turn's metadata, as Langfuse reads them.
    for (const span of spans) expect(span.attributes).toMatchObject({ 'session.id': 'session-7', 'user.id': 'user-7' });
    expect(JSON.parse(root.attributes['langfuse.trace.tags'] as string)).toEqual(['project-tag', 'request-tag']);
    const prompts = JSON.parse(root.attributes['langfuse.trace.metadata.prompts'] as string);
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
    const second = await streamTurn(daemon.url, 'assistant', { message: 'hello again', sessionId: 'session-7' });
    const secondId = byName(second.events, 'turn.start').traceId;
    expect(secondId).not.toBe(start.traceId);
    await waitForRoot(lf, secondId);
    expect(new Set(lf.spans().filter((s) => !s.parentSpanId).map((s) => s.traceId))).toEqual(new Set([start.traceId, secondId]));

    const ready = (await (await fetch(`${daemon.url}/readyz`)).json()) as { checks: { name: string; status: string; detail: string }[] };
    expect(ready.checks.find((c) => c.name === 'traces')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`Langfuse at ${lf.url}`) });
  });
});
