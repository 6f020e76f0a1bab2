import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@kaged/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon, type DaemonOptions } from '../src/daemon.js';
import { parseMetrics, scrape, valueOf, type Sample } from './support/metrics-text.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { ensurePrometheus, promtool, startPrometheus, type PrometheusServer, type PrometheusTools } from './support/prometheus.js';
import { streamTurn } from './support/sse.js';

const project = `version: 1
name: metered
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
pricing:
  "demo/assistant": { input: 1, output: 2 }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
    tools: [current_time]
    subagents: [researcher]
    maxSteps: 8
  researcher:
    model: demo/researcher
    prompt: "You research."
  broken:
    model: demo/broken
    prompt: "You break."
    tools: [current_time]
  picky:
    model: demo/picky
    prompt: "You skip tools."
    tools: [current_time]
    guards:
      expectTools: [{ tools: [current_time] }]
`;

const files = {
  'prompts/assistant.md': 'You are the metered assistant.\n',
  'scripts/demo.yaml': `models:
  assistant:
    - when: "time"
      steps:
        - tools: [{ name: current_time, input: {} }]
          usage: { input: 100, output: 10, cacheRead: 30 }
        - text: "It is {{toolResult}}"
          usage: { input: 120, output: 12, reasoning: 4 }
    - when: "research"
      steps:
        - tools: [{ name: agent-researcher, input: { prompt: "{{message}}" } }]
          usage: { input: 50, output: 5 }
        - text: "Found: {{toolResult}}"
          usage: { input: 60, output: 6 }
    - when: "slow"
      steps:
        - text: "a slow answer in quite a few separate words"
          delayMs: 200
    - steps:
        - text: "echo {{message}}"
          usage: { input: 10, output: 2 }
  researcher:
    - steps:
        - text: "the facts"
          usage: { input: 7, output: 3 }
  broken:
    - steps:
        - tools: [{ name: current_time, input: {} }]
  picky:
    - steps:
        - text: "no tools for you"
`,
};

const silent = createLogger({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fixture(): Promise<ProjectFixture> {
  const created = await createProjectFixture(project, files);
  cleanups.push(() => created.remove());
  return created;
}

async function daemonFor(projectFixture: ProjectFixture, options: Partial<DaemonOptions> = {}): Promise<Daemon> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kaged-metrics-data-'));
  const daemon = await startDaemon({ project: projectFixture.file, port: 0, logger: silent, env: {}, dataDir, ...options });
  cleanups.push(async () => {
    await daemon.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return daemon;
}

/** The change of each metric between two scrapes. */
function delta(before: Sample[], after: Sample[]) {
  return (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
}

describe('GET /metrics', () => {
  let projectFixture: ProjectFixture;
  let daemon: Daemon;

  beforeAll(async () => {
    projectFixture = await fixture();
    daemon = await daemonFor(projectFixture);
  });

  it('serves the Prometheus text format: build info, process metrics, readiness checks', async () => {
    const response = await fetch(`${daemon.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('# TYPE kaged_turns_total counter');
    expect(text).toContain('# TYPE kaged_turn_duration_seconds histogram');
    const samples = parseMetrics(text);
    expect(samples.find((s) => s.name === 'kaged_build_info')).toMatchObject({ value: 1, labels: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    expect(samples.some((s) => s.name === 'process_resident_memory_bytes' && s.value > 0)).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    for (const check of ['project', 'prompts', 'sessions']) {
      expect(valueOf(samples, 'kaged_readiness_check', { check, status: 'ok' })).toBe(1);
      expect(valueOf(samples, 'kaged_readiness_check', { check, status: 'degraded' })).toBe(0);
      expect(valueOf(samples, 'kaged_readiness_check', { check, status: 'failing' })).toBe(0);
    }
  });

  it('counts turns, tokens and cost by model, tool calls and turn durations; turn.end carries usageByModel', async () => {
    const before = await scrape(daemon.url);
    const time = await streamTurn(daemon.url, 'assistant', { message: 'what time is it?' });
    const research = await streamTurn(daemon.url, 'assistant', { message: 'research kaged' });
    const timeEnd = time.events.at(-1)!;
    const researchEnd = research.events.at(-1)!;
    expect([timeEnd.event, researchEnd.event]).toEqual(['turn.end', 'turn.end']);

    // Each model's share, priced at its own price: the subagent's model is scripted, so free.
    expect(timeEnd.data.usageByModel).toEqual([
      {
        model: 'demo/assistant',
        usage: { inputTokens: 220, outputTokens: 22, cacheReadTokens: 30, cacheWriteTokens: 0, reasoningTokens: 4 },
        costUsd: timeEnd.data.costUsd,
      },
    ]);
    expect(timeEnd.data.costUsd).toBeGreaterThan(0);
    // The subagent's call finishes first: entries come in the order each model's first call finished.
    expect(researchEnd.data.usageByModel).toEqual([
      { model: 'demo/researcher', usage: { inputTokens: 7, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 }, costUsd: 0 },
      {
        model: 'demo/assistant',
        usage: { inputTokens: 110, outputTokens: 11, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
        costUsd: expect.any(Number),
      },
    ]);
    expect(researchEnd.data.costUsd).toBeCloseTo(researchEnd.data.usageByModel[1].costUsd, 12);

    const d = delta(before, await scrape(daemon.url));
    expect(d('kaged_turns_total', { agent: 'assistant', outcome: 'ok' })).toBe(2);
    expect(d('kaged_turn_duration_seconds_count', { agent: 'assistant', outcome: 'ok' })).toBe(2);
    expect(d('kaged_turn_duration_seconds_sum', { agent: 'assistant', outcome: 'ok' })).toBeGreaterThan(0);
    const assistant = { provider: 'demo', model: 'assistant' };
    expect(d('kaged_llm_tokens_total', { ...assistant, type: 'input' })).toBe(330);
    expect(d('kaged_llm_tokens_total', { ...assistant, type: 'output' })).toBe(33);
    expect(d('kaged_llm_tokens_total', { ...assistant, type: 'cache_read' })).toBe(30);
    expect(d('kaged_llm_tokens_total', { ...assistant, type: 'cache_write' })).toBe(0);
    expect(d('kaged_llm_tokens_total', { ...assistant, type: 'reasoning' })).toBe(4);
    expect(d('kaged_llm_tokens_total', { provider: 'demo', model: 'researcher', type: 'input' })).toBe(7);
    expect(d('kaged_llm_tokens_total', { provider: 'demo', model: 'researcher', type: 'output' })).toBe(3);
    expect(d('kaged_llm_cost_usd_total', assistant)).toBeCloseTo(timeEnd.data.costUsd + researchEnd.data.costUsd, 12);
    expect(d('kaged_llm_cost_usd_total', { provider: 'demo', model: 'researcher' })).toBe(0);
    expect(d('kaged_tool_calls_total', { agent: 'assistant', tool: 'current_time', outcome: 'ok' })).toBe(1);
    expect(d('kaged_tool_calls_total', { agent: 'assistant', tool: 'agent-researcher', outcome: 'ok' })).toBe(1);
  });

  it('counts failed turns by code, turns the client walked away from, and guard trips', async () => {
    const before = await scrape(daemon.url);
    const broken = await streamTurn(daemon.url, 'broken', { message: 'hello' });
    expect(broken.events.at(-1)).toMatchObject({ event: 'turn.error', data: { code: 'script_exhausted' } });
    const picky = await streamTurn(daemon.url, 'picky', { message: 'hello' });
    expect(picky.events.map((e) => e.event).slice(-2)).toEqual(['guard.flag', 'turn.end']);

    // A client that reads the first event of a slow turn and hangs up.
    const abort = new AbortController();
    const response = await fetch(`${daemon.url}/v1/agents/assistant/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'slow please' }),
      signal: abort.signal,
    });
    await response.body!.getReader().read();
    abort.abort();

    await expect
      .poll(async () => delta(before, await scrape(daemon.url))('kaged_turns_total', { agent: 'assistant', outcome: 'error', code: 'aborted' }), {
        timeout: 10_000,
      })
      .toBe(1);
    const d = delta(before, await scrape(daemon.url));
    expect(d('kaged_turns_total', { agent: 'broken', outcome: 'error', code: 'script_exhausted' })).toBe(1);
    expect(d('kaged_turn_duration_seconds_count', { agent: 'broken', outcome: 'error' })).toBe(1);
    expect(d('kaged_tool_calls_total', { agent: 'broken', tool: 'current_time', outcome: 'ok' })).toBe(1);
    expect(d('kaged_turns_total', { agent: 'picky', outcome: 'ok' })).toBe(1);
    expect(d('kaged_guard_trips_total', { agent: 'picky', guard: 'expected_tools' })).toBe(1);
  });

  it('labels requests by route template, never by path; unknown routes collapse to "unmatched"', async () => {
    const before = await scrape(daemon.url);
    await fetch(`${daemon.url}/v1/agents/nobody/turns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' });
    await fetch(`${daemon.url}/v1/agents`);
    for (const path of ['/v1/nothing', '/wp-admin/setup.php', '/v1/agents/x/y/z']) await fetch(`${daemon.url}${path}`);
    await fetch(`${daemon.url}/v1/agents`, { method: 'DELETE' });
    const after = await scrape(daemon.url);
    const d = delta(before, after);
    expect(d('kaged_http_requests_total', { method: 'POST', route: '/v1/agents/:agentId/turns', status: '404' })).toBe(1);
    expect(d('kaged_http_requests_total', { method: 'GET', route: '/v1/agents', status: '200' })).toBe(1);
    expect(d('kaged_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(3);
    expect(d('kaged_http_requests_total', { method: 'DELETE', route: 'unmatched', status: '404' })).toBe(1);
    expect(d('kaged_http_request_duration_seconds_count', { method: 'GET', route: '/v1/agents' })).toBe(1);
    // The previous scrape is counted under its own route.
    expect(d('kaged_http_requests_total', { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    const routes = new Set(after.filter((s) => s.name === 'kaged_http_requests_total').map((s) => s.labels.route));
    expect([...routes].filter((route) => !route!.startsWith('/') && route !== 'unmatched')).toEqual([]);
    expect([...routes].some((route) => route!.includes('nobody') || route!.includes('wp-admin'))).toBe(false);
  });

  it('counts prompt and project reloads, ok and failed, and shows a stale prompt as degraded', async () => {
    const reloads = async () => {
      const samples = await scrape(daemon.url);
      return {
        promptOk: valueOf(samples, 'kaged_prompt_reloads_total', { kind: 'prompt', outcome: 'ok' }),
        promptFailed: valueOf(samples, 'kaged_prompt_reloads_total', { kind: 'prompt', outcome: 'failed' }),
        projectOk: valueOf(samples, 'kaged_prompt_reloads_total', { kind: 'project', outcome: 'ok' }),
        projectFailed: valueOf(samples, 'kaged_prompt_reloads_total', { kind: 'project', outcome: 'failed' }),
        promptsDegraded: valueOf(samples, 'kaged_readiness_check', { check: 'prompts', status: 'degraded' }),
      };
    };
    const start = await reloads();
    await projectFixture.write('prompts/assistant.md', 'You are the metered assistant, edited.\n');
    await expect.poll(async () => (await reloads()).promptOk, { timeout: 10_000 }).toBe(start.promptOk + 1);

    await rm(join(projectFixture.dir, 'prompts/assistant.md'));
    await expect.poll(async () => (await reloads()).promptFailed, { timeout: 10_000 }).toBe(start.promptFailed + 1);
    expect((await reloads()).promptsDegraded).toBe(1);
    await projectFixture.write('prompts/assistant.md', 'You are the metered assistant, restored.\n');
    await expect.poll(async () => (await reloads()).promptsDegraded, { timeout: 10_000 }).toBe(0);

    await writeFile(projectFixture.file, `${project}\nbogus: [\n`);
    await expect.poll(async () => (await reloads()).projectFailed, { timeout: 10_000 }).toBe(start.projectFailed + 1);
    await writeFile(projectFixture.file, project);
    await expect.poll(async () => (await reloads()).projectOk, { timeout: 10_000 }).toBe(start.projectOk + 1);
  });

  it('keeps one registry per daemon: a second daemon in the same process starts from zero', async () => {
    const other = await daemonFor(await fixture());
    const samples = await scrape(other.url);
    expect(valueOf(samples, 'kaged_turns_total', { agent: 'assistant', outcome: 'ok' })).toBe(0);
    expect(valueOf(await scrape(daemon.url), 'kaged_turns_total', { agent: 'assistant', outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('counts trace export failures from tracing and from traceExportFailures.inc()', async () => {
    const before = await scrape(daemon.url);
    daemon.metrics.traceExportFailures.inc();
    daemon.metrics.traceExportFailures.inc('local', 2);
    const d = delta(before, await scrape(daemon.url));
    expect(d('kaged_trace_export_failures_total', { exporter: 'langfuse' })).toBe(1);
    expect(d('kaged_trace_export_failures_total', { exporter: 'local' })).toBe(2);
  });
});

describe('GET /metrics with a token', () => {
  it('needs the same bearer token as /v1', async () => {
    const daemon = await daemonFor(await fixture(), { token: 'metrics-secret-token' });
    expect((await fetch(`${daemon.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${daemon.url}/metrics`, { headers: { authorization: 'Bearer wrong-secret!' } })).status).toBe(401);
    const ok = await fetch(`${daemon.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret-token' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('kaged_http_requests_total{method="GET",route="/metrics",status="401"} 2');
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
  });
});

// Real Prometheus: installed from Debian's package when missing (as root: CI and this container).
describe('with Prometheus', () => {
  const TOKEN = 'prometheus-scrape-token';
  const TURNS = 5;
  let tools: PrometheusTools;
  let daemon: Daemon;
  let prometheus: PrometheusServer | undefined;

  beforeAll(async () => {
    tools = await ensurePrometheus();
    daemon = await daemonFor(await fixture(), { token: TOKEN });
  }, 15 * 60_000);

  afterAll(async () => {
    await prometheus?.close();
  });

  it('passes promtool check metrics, every family in use', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    await streamTurn(daemon.url, 'assistant', { message: 'what time is it?' }, auth);
    await streamTurn(daemon.url, 'broken', { message: 'hello' }, auth);
    await streamTurn(daemon.url, 'picky', { message: 'hello' }, auth);
    daemon.metrics.traceExportFailures.inc();
    const text = await (await fetch(`${daemon.url}/metrics`, { headers: auth })).text();
    const result = await promtool(tools.promtool, ['check', 'metrics'], text);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('is scraped by a real Prometheus (bearer token), which answers kaged_turns_total after N turns', async () => {
    const before = valueOf(await scrape(daemon.url, { authorization: `Bearer ${TOKEN}` }), 'kaged_turns_total', { agent: 'assistant', outcome: 'ok' });
    prometheus = await startPrometheus({ binary: tools.prometheus, target: new URL(daemon.url).host, token: TOKEN });
    for (let i = 0; i < TURNS; i++) {
      const { events } = await streamTurn(daemon.url, 'assistant', { message: `turn ${i}` }, { authorization: `Bearer ${TOKEN}` });
      expect(events.at(-1)!.event).toBe('turn.end');
    }
    const server = prometheus;
    await expect
      .poll(() => server.queryValue('kaged_turns_total{job="kaged",agent="assistant",outcome="ok"}'), { timeout: 20_000, interval: 250 })
      .toBe(before + TURNS);
    expect(await server.queryValue('up{job="kaged"}')).toBe(1);
    expect((await server.targets()).map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
  }, 60_000);

  it('the scrape config and the alert rules in docs/operations.md pass promtool check', async () => {
    const doc = await readFile(new URL('../../../docs/operations.md', import.meta.url), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const rules = blocks.filter((block) => block.startsWith('groups:'));
    const configs = blocks.filter((block) => block.includes('scrape_configs:'));
    expect([rules.length, configs.length]).toEqual([1, 1]);
    const dir = await mkdtemp(join(tmpdir(), 'kaged-rules-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'kaged-alerts.yml'), rules[0]!);
    await writeFile(join(dir, 'kaged.token'), `${TOKEN}\n`);
    const config = configs[0]!.replace(/credentials_file: \S+/, `credentials_file: ${join(dir, 'kaged.token')}`);
    await writeFile(join(dir, 'prometheus.yml'), config);
    // Checks the rule file it names too.
    const result = await promtool(tools.promtool, ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(result.output).toMatch(/SUCCESS: .*prometheus\.yml is valid/);
    expect(result.code).toBe(0);
  });
});
