// `GET /v1/usage` and `GET /v1/config/langfuse` on a real daemon whose agents talk to a loopback
// OpenAI-compatible server: the usage figures are the sum of what the turns reported, they
// survive a restart (they come from the stored local traces), and the Langfuse link settings
// never carry the keys.
import { createLogger } from '@kaged/observability';
import { startOpenAIChatServer, type LoopbackModelServer, type ModelReplyHandler } from '@kaged/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { refusingUrl } from './support/otlp-receiver.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn } from './support/sse.js';

const script: ModelReplyHandler = (request) => {
  if (request.model === 'broken') return { error: { status: 500, message: 'The server had an error while processing your request.' } };
  if (request.toolResults.length > 0) return { text: 'It is late.', usage: { input: 120, output: 12, cacheRead: 80, reasoning: 4 } };
  if (/time/.test(request.lastUserMessage))
    return { text: 'Let me look. ', toolCalls: [{ name: 'current_time', input: {} }], usage: { input: 100, output: 10 } };
  return { text: `you said: ${request.lastUserMessage}`, usage: { input: 40, output: 5, cacheRead: 10 } };
};

const projectYaml = (rest = '') => `version: 1
name: usage
providers:
  local: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", maxRetries: 0 }
  free: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", maxRetries: 0 }
agents:
  assistant: { model: local/qwen3, prompt: "You answer.", tools: [current_time] }
  other: { model: local/qwen3, prompt: "You answer too." }
  unpriced: { model: free/mistral, prompt: "You answer for free." }
  broken: { model: local/broken, prompt: "You fail." }
pricing:
  "local/*": { input: 0.1, output: 0.2 }
${rest}`;

const cleanups: (() => Promise<unknown>)[] = [];
let chat: LoopbackModelServer;
beforeAll(async () => {
  chat = await startOpenAIChatServer(script);
  cleanups.push(() => chat.close());
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

async function fixture(yaml: string): Promise<ProjectFixture> {
  const project = await createProjectFixture(yaml);
  cleanups.push(() => project.remove());
  return project;
}

async function daemonOn(project: ProjectFixture, env: Record<string, string> = {}): Promise<Daemon> {
  const daemon = await startDaemon({ project: project.file, port: 0, logger: createLogger({ level: 'silent' }), env: { CHAT_URL: chat.baseURL, ...env } });
  cleanups.push(() => daemon.close());
  return daemon;
}

async function json(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'reasoningTokens'] as const;

/** What the turns' own `turn.end` events add up to. */
function sumOf(ends: { usage: Record<string, number>; costUsd: number | null }[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const field of TOKEN_FIELDS) total[field] = ends.reduce((sum, end) => sum + end.usage[field]!, 0);
  return total;
}

describe('usage over HTTP', { timeout: 60_000 }, () => {
  let project: ProjectFixture;
  let daemon: Daemon;
  const ends: Record<string, any[]> = { assistant: [], other: [], unpriced: [] };

  beforeAll(async () => {
    project = await fixture(projectYaml());
    daemon = await daemonOn(project);
    const run = async (agentId: string, body: Record<string, unknown>) => {
      const { status, events } = await streamTurn(daemon.url, agentId, body);
      expect(status).toBe(200);
      return events.at(-1)!;
    };
    for (const [agentId, body] of [
      ['assistant', { message: 'what time is it?', sessionId: 'one' }],
      ['assistant', { message: 'thanks', sessionId: 'one' }],
      ['other', { message: 'hello', sessionId: 'two' }],
      ['unpriced', { message: 'hi', sessionId: 'three' }],
    ] as const) {
      const end = await run(agentId, body);
      expect(end.event).toBe('turn.end');
      ends[agentId]!.push(end.data);
    }
    expect((await run('broken', { message: 'fail' })).event).toBe('turn.error');
  }, 60_000);

  /** `/v1/usage` once every turn's trace is complete (a trace ends about a second after its turn). */
  async function settledUsage(query = ''): Promise<any> {
    await expect.poll(async () => (await json(`${daemon.url}/v1/usage${query}`)).body.turns, { timeout: 15_000, interval: 100 }).toBe(5);
    const { status, body } = await json(`${daemon.url}/v1/usage${query}`);
    expect(status).toBe(200);
    return body;
  }

  it('sums the turns since midnight: tokens and cost equal the turns’ own, in total and by agent', async () => {
    const usage = await settledUsage();
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    expect(usage.since).toBe(midnight.toISOString());
    const priced = [...ends.assistant!, ...ends.other!];
    const all = [...priced, ...ends.unpriced!];
    expect(usage).toMatchObject({ source: 'local_traces', sampleRate: 1, complete: true, running: 0, turns: 5, errors: 1, unpricedTurns: 1, ...sumOf(all) });
    // The unpriced agent's turn is left out of the cost; the failed turn (a priced model) costs 0.
    // Sanity: the script's figures, so that a sum of zeros cannot pass.
    expect(usage.inputTokens).toBe(220 + 40 + 40 + 40);
    expect(usage.cacheReadTokens).toBe(80 + 10 + 10 + 10);
    expect(usage.reasoningTokens).toBe(4);
    const cost = priced.reduce((sum, end) => sum + end.costUsd, 0);
    expect(cost).toBeGreaterThan(0);
    expect(usage.costUsd).toBeCloseTo(cost, 12);

    expect(Object.keys(usage.byAgent)).toEqual(['assistant', 'broken', 'other', 'unpriced']);
    expect(usage.byAgent.assistant).toEqual({ turns: 2, errors: 0, ...sumOf(ends.assistant!), costUsd: expect.any(Number), unpricedTurns: 0 });
    expect(usage.byAgent.assistant.costUsd).toBeCloseTo(
      ends.assistant!.reduce((sum, end) => sum + end.costUsd, 0),
      12,
    );
    expect(usage.byAgent.other).toMatchObject({ turns: 1, errors: 0, ...sumOf(ends.other!) });
    expect(usage.byAgent.other.costUsd).toBeCloseTo(ends.other![0].costUsd, 12);
    expect(usage.byAgent.unpriced).toMatchObject({ turns: 1, ...sumOf(ends.unpriced!), costUsd: null, unpricedTurns: 1 });
    expect(usage.byAgent.broken).toMatchObject({ turns: 1, errors: 1, inputTokens: 0 });
  });

  it('counts from `since`, and rejects a malformed one', async () => {
    expect((await json(`${daemon.url}/v1/usage?since=${Date.now() + 60_000}`)).body).toMatchObject({ turns: 0, inputTokens: 0, costUsd: 0, byAgent: {} });
    await settledUsage('?since=2020-01-01');
    expect(await json(`${daemon.url}/v1/usage?since=yesterday`)).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', field: 'since' } } });
    expect(await json(`${daemon.url}/v1/usage?from=2020-01-01`)).toMatchObject({ status: 400, body: { error: { field: 'from' } } });
  });

  it('gives the same figures after a restart: they come from the stored traces, not the process', async () => {
    const before = await settledUsage();
    await daemon.close();
    const again = await daemonOn(project, {});
    const after = await json(`${again.url}/v1/usage`);
    expect(after.body).toEqual({ ...before, tracesRead: expect.any(Number) });
    // The metrics registry, by contrast, started from zero.
    const metrics = await fetch(`${again.url}/metrics`).then((r) => r.text());
    expect(metrics).not.toMatch(/^kaged_turns_total\{[^}]*\} [1-9]/m);
    daemon = again;
  });
});

describe('usage without local traces', { timeout: 60_000 }, () => {
  it('answers 404 local_traces_disabled', async () => {
    const daemon = await daemonOn(await fixture(projectYaml('observability: { localTraces: { enabled: false } }\n')));
    expect(await json(`${daemon.url}/v1/usage`)).toEqual({
      status: 404,
      body: { error: { code: 'local_traces_disabled', message: expect.stringContaining('localTraces.enabled: false') } },
    });
  });
});

describe('GET /v1/config/langfuse', { timeout: 60_000 }, () => {
  it('reports Langfuse off with no keys', async () => {
    const daemon = await daemonOn(await fixture(projectYaml()));
    expect(await json(`${daemon.url}/v1/config/langfuse`)).toEqual({ status: 200, body: { baseUrl: null, projectId: null, traceUrl: null } });
  });

  it('gives the base URL, the project id when set, and the trace link; never the keys', async () => {
    const base = `${await refusingUrl()}/langfuse`;
    const langfuse = `observability: { langfuse: { publicKey: pk-lf-usage-test-key, secretKey: sk-lf-usage-test-key, baseUrl: "${base}/" } }\n`;
    const withProject = await daemonOn(await fixture(projectYaml(langfuse)), { LANGFUSE_PROJECT_ID: 'cm1abc2def' });
    const linked = await fetch(`${withProject.url}/v1/config/langfuse`).then((r) => r.text());
    expect(JSON.parse(linked)).toEqual({ baseUrl: base, projectId: 'cm1abc2def', traceUrl: `${base}/project/cm1abc2def/traces/{traceId}` });
    expect(linked).not.toMatch(/pk-lf|sk-lf/);

    const withoutProject = await daemonOn(await fixture(projectYaml(langfuse)));
    expect((await json(`${withoutProject.url}/v1/config/langfuse`)).body).toEqual({ baseUrl: base, projectId: null, traceUrl: `${base}/trace/{traceId}` });
  });
});
