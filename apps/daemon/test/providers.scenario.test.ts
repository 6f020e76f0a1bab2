// Full daemon turns through each real provider package (openai-compatible, openai, anthropic)
// against loopback servers speaking the real protocols, and every class of provider failure
// ending as the right `turn.error`. No internet: everything listens on 127.0.0.1.
import { createLogger, SecretValues } from '@kaged/observability';
import { startAnthropicMessagesServer, startOpenAIChatServer, unusedLoopbackURL, type LoopbackModelServer, type ModelReplyHandler } from '@kaged/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn, type SseEvent } from './support/sse.js';

const OPENAI_KEY = 'sk-test-openai-0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-test-0123456789abcdef';
const PROMPT = 'You are the provider test assistant. Use current_time for the time.\n';

// One protocol-independent script: the model name picks a failure; otherwise it behaves like an
// agent that calls a tool for a fresh question and answers once the tool result is in.
const firstStep = { input: 100, output: 10, cacheWrite: 80 };
const secondStep = { input: 120, output: 12, cacheRead: 80 };
const script: ModelReplyHandler = (request) => {
  switch (request.model) {
    case 'locked':
      // Servers echo the key they were sent: it must not reach the turn's message.
      return { error: { status: 401, message: `Incorrect API key provided: ${OPENAI_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } };
    case 'forbidden':
      return { error: { status: 403, message: 'Your API key does not have permission to use the specified resource.' } };
    case 'missing':
      return { error: { status: 404, message: 'model "missing" not found, try pulling it first' } };
    case 'busy':
      return { error: { status: 429, message: 'Number of request tokens has exceeded your per-minute rate limit' } };
    case 'broken':
      return { error: { status: 500, message: 'The server had an error while processing your request.' } };
    case 'asleep':
      return { hang: true };
    default:
      break;
  }
  if (request.toolResults.length > 0) return { text: `It is ${JSON.stringify(request.toolResults[0])}.`, usage: secondStep };
  const subagent = request.tools.find((name) => name.startsWith('agent-'));
  if (subagent) return { toolCalls: [{ name: subagent, input: { prompt: 'find the facts' } }], usage: firstStep };
  if (request.tools.includes('current_time')) return { text: 'Let me look. ', toolCalls: [{ name: 'current_time', input: {} }], usage: firstStep };
  return { text: 'the facts', usage: { input: 40, output: 4 } };
};

const projectYaml = `version: 1
name: providers
providers:
  local: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", maxRetries: 1 }
  openai: { type: openai, baseURL: "\${env:CHAT_URL}", maxRetries: 1 }
  anthropic: { type: anthropic, baseURL: "\${env:MESSAGES_URL}", maxRetries: 1 }
  vllm: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", maxRetries: 0 }
  closed: { type: openai-compatible, baseURL: "\${env:CLOSED_URL}", maxRetries: 1 }
  sleepy: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", timeoutMs: 250, maxRetries: 0 }
agents:
  viaCompatible: { model: local/qwen3, prompt: { file: prompts/assistant.md }, tools: [current_time] }
  viaOpenAI: { model: openai/gpt-4o-mini, prompt: { file: prompts/assistant.md }, tools: [current_time] }
  viaAnthropic: { model: anthropic/claude-haiku-4-5, prompt: { file: prompts/assistant.md }, tools: [current_time] }
  boss: { model: anthropic/claude-haiku-4-5, prompt: "You delegate.", subagents: [helper] }
  helper: { model: local/qwen3, prompt: "You find facts.", description: Finds facts. }
  mixed: { model: local/qwen3, prompt: "You delegate too.", subagents: [unpriced] }
  unpriced: { model: vllm/mistral, prompt: "You find facts.", description: Finds facts. }
  locked: { model: openai/locked, prompt: "p", description: Always fails. }
  delegatesToLocked: { model: anthropic/claude-haiku-4-5, prompt: "You delegate.", subagents: [locked] }
  forbidden: { model: anthropic/forbidden, prompt: "p" }
  missing: { model: local/missing, prompt: "p" }
  busy: { model: anthropic/busy, prompt: "p" }
  broken: { model: openai/broken, prompt: "p" }
  unreachable: { model: closed/qwen3, prompt: "p" }
  asleep: { model: sleepy/asleep, prompt: "p" }
pricing:
  "local/*": { input: 0.1, output: 0.2 }
`;

describe('daemon turns through real provider protocols (loopback)', () => {
  let chat: LoopbackModelServer;
  let messages: LoopbackModelServer;
  let project: ProjectFixture;
  let daemon: Daemon;
  const logLines: string[] = [];

  beforeAll(async () => {
    chat = await startOpenAIChatServer(script);
    messages = await startAnthropicMessagesServer(script);
    project = await createProjectFixture(projectYaml, { 'prompts/assistant.md': PROMPT });
    // As `kaged start` does: the daemon registers the project's keys, the logger censors them.
    const secrets = new SecretValues();
    const logger = createLogger({ level: 'info', secrets, destination: { write: (line: string) => void logLines.push(line) } });
    daemon = await startDaemon({
      project: project.file,
      port: 0,
      logger,
      secrets,
      env: {
        CHAT_URL: chat.baseURL,
        MESSAGES_URL: messages.baseURL,
        CLOSED_URL: await unusedLoopbackURL(),
        OPENAI_API_KEY: OPENAI_KEY,
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      },
    });
  });

  afterAll(async () => {
    await daemon?.close();
    await chat?.close();
    await messages?.close();
    await project?.remove();
  });

  const requestsFor = (server: LoopbackModelServer, model: string) => server.requests.filter((r) => r.model === model);

  async function turn(agentId: string, message = 'what time is it?'): Promise<SseEvent[]> {
    const { status, events } = await streamTurn(daemon.url, agentId, { message });
    expect(status).toBe(200);
    return events;
  }

  function expectToolThenText(events: SseEvent[]): SseEvent {
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('turn.start');
    expect(names.indexOf('tool.call')).toBeLessThan(names.indexOf('tool.result'));
    const call = events.find((e) => e.event === 'tool.call')!;
    expect(call.data).toEqual({ id: expect.any(String), name: 'current_time', input: {} });
    expect(events.find((e) => e.event === 'tool.result')!.data).toMatchObject({
      id: call.data.id,
      name: 'current_time',
      isError: false,
      output: { iso: expect.any(String) },
    });
    const end = events.at(-1)!;
    expect(end.event).toBe('turn.end');
    expect(end.data.text).toMatch(/^Let me look\. It is \{"iso":"[^"]+"/);
    expect(
      events
        .filter((e) => e.event === 'text.delta')
        .map((e) => e.data.text)
        .join(''),
    ).toBe(end.data.text);
    return end;
  }

  it('openai-compatible: a tool call, then text; usage, the project price and the system prompt the server saw', async () => {
    const end = expectToolThenText(await turn('viaCompatible'));
    expect(end.data.finishReason).toBe('stop');
    // The Chat Completions protocol reports cached input but no cache writes.
    expect(end.data.usage).toEqual({ inputTokens: 220, outputTokens: 22, cacheReadTokens: 80, cacheWriteTokens: 0, reasoningTokens: 0 });
    // local/* costs 0.1 (input, cache reads at the input rate) and 0.2 (output) per million tokens.
    expect(end.data.costUsd).toBeCloseTo((220 * 0.1 + 22 * 0.2) / 1e6, 12);
    const seen = requestsFor(chat, 'qwen3');
    expect(seen).toHaveLength(2);
    expect(seen.map((r) => r.system)).toEqual([PROMPT, PROMPT]);
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.body.stream_options).toEqual({ include_usage: true });
  });

  it('openai: the same turn through @ai-sdk/openai, priced at the built-in gpt-4o-mini list price', async () => {
    const end = expectToolThenText(await turn('viaOpenAI'));
    expect(end.data.usage).toEqual({ inputTokens: 220, outputTokens: 22, cacheReadTokens: 80, cacheWriteTokens: 0, reasoningTokens: 0 });
    // gpt-4o-mini: 0.15 input, 0.075 cached input, 0.60 output per million.
    expect(end.data.costUsd).toBeCloseTo((140 * 0.15 + 80 * 0.075 + 22 * 0.6) / 1e6, 12);
    const seen = requestsFor(chat, 'gpt-4o-mini');
    expect(seen.map((r) => r.system)).toEqual([PROMPT, PROMPT]);
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expect(seen[0]!.path).toBe('/v1/chat/completions');
  });

  it('anthropic: the same turn through @ai-sdk/anthropic, cache reads and writes priced apart', async () => {
    const end = expectToolThenText(await turn('viaAnthropic'));
    expect(end.data.usage).toEqual({ inputTokens: 220, outputTokens: 22, cacheReadTokens: 80, cacheWriteTokens: 80, reasoningTokens: 0 });
    // claude-haiku-4-5: 1 input, 0.10 cache read, 1.25 cache write, 5 output per million.
    expect(end.data.costUsd).toBeCloseTo((60 * 1 + 80 * 0.1 + 80 * 1.25 + 22 * 5) / 1e6, 12);
    const seen = requestsFor(messages, 'claude-haiku-4-5');
    expect(seen.map((r) => r.system)).toEqual([PROMPT, PROMPT]);
    expect(seen[0]!.headers['x-api-key']).toBe(ANTHROPIC_KEY);
  });

  it('prices each step at the model that made it: an anthropic agent with an openai-compatible subagent', async () => {
    const events = await turn('boss', 'delegate this');
    expect(events.find((e) => e.event === 'tool.call')!.data).toMatchObject({ name: 'agent-helper' });
    const end = events.at(-1)!;
    expect(end.event).toBe('turn.end');
    // boss: two haiku steps; helper: one qwen3 step of 40 in / 4 out.
    expect(end.data.usage).toEqual({ inputTokens: 260, outputTokens: 26, cacheReadTokens: 80, cacheWriteTokens: 80, reasoningTokens: 0 });
    const boss = (60 * 1 + 80 * 0.1 + 80 * 1.25 + 22 * 5) / 1e6;
    const helper = (40 * 0.1 + 4 * 0.2) / 1e6;
    expect(end.data.costUsd).toBeCloseTo(boss + helper, 12);
    // The same, split by model: the subagent's call finishes first.
    expect(end.data.usageByModel.map((m: { model: string }) => m.model)).toEqual(['local/qwen3', 'anthropic/claude-haiku-4-5']);
    expect(end.data.usageByModel[0]).toEqual({
      model: 'local/qwen3',
      usage: { inputTokens: 40, outputTokens: 4, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      costUsd: expect.closeTo(helper, 12),
    });
    expect(end.data.usageByModel[1].costUsd).toBeCloseTo(boss, 12);
  });

  it('reports costUsd null when any model of the turn has no price, and warns once per model', async () => {
    for (let i = 0; i < 2; i++) {
      const end = (await turn('mixed', 'delegate this')).at(-1)!;
      expect(end).toMatchObject({ event: 'turn.end', data: { costUsd: null } });
      expect(end.data.usage.inputTokens).toBe(260);
    }
    const warnings = logLines.map((line) => JSON.parse(line)).filter((line) => line.model === 'vllm/mistral');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      level: 'warn',
      component: 'models',
      msg: expect.stringMatching(/^pricing\.unknown_model: no price for vllm\/mistral/),
    });
  });

  it.each([
    [
      'locked',
      'auth_failed',
      /^provider "openai" rejected the API key \(HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions\): check OPENAI_API_KEY or providers\.openai\.apiKey$/,
      1,
    ],
    [
      'forbidden',
      'auth_failed',
      /^provider "anthropic" refused access to model "forbidden" \(HTTP 403 from http:\/\/127\.0\.0\.1:\d+\/v1\/messages\): check that the API key \(ANTHROPIC_API_KEY or providers\.anthropic\.apiKey\) may use this model\. The server said: Your API key does not have permission/,
      1,
    ],
    [
      'missing',
      'model_not_found',
      /^provider "local" has no model "missing" \(HTTP 404 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions\): check the model name after "local\/" and providers\.local\.baseURL\. The server said: model "missing" not found, try pulling it first$/,
      1,
    ],
    [
      'busy',
      'rate_limited',
      /^provider "anthropic" is rate limiting model "busy" \(HTTP 429 from http:\/\/127\.0\.0\.1:\d+\/v1\/messages, still failing after 1 retry\): wait, send fewer requests, or raise the account's limits/,
      2,
    ],
    [
      'broken',
      'provider_unavailable',
      /^provider "openai" failed for model "broken" \(HTTP 500 from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions, still failing after 1 retry\): the service has a problem; try again later/,
      2,
    ],
  ])('%s: ends the turn with turn.error %s, after the configured retries', async (agentId, code, message, requests) => {
    const events = await turn(agentId);
    expect(events.map((e) => e.event)).toEqual(['turn.start', 'turn.error']);
    expect(events[1]!.data).toEqual({ turnId: events[0]!.data.turnId, sessionId: events[0]!.data.sessionId, code, message: expect.stringMatching(message) });
    const server = agentId === 'forbidden' || agentId === 'busy' ? messages : chat;
    expect(requestsFor(server, agentId)).toHaveLength(requests);
    expect(JSON.stringify(events)).not.toContain('sk-');
  });

  it('a closed port: connection_failed naming the URL, after the retry', async () => {
    const events = await turn('unreachable');
    expect(events[1]).toMatchObject({
      event: 'turn.error',
      data: {
        code: 'connection_failed',
        message: expect.stringMatching(
          /^cannot connect to provider "closed" at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(connection refused, still failing after 1 retry\): check that the server is running and providers\.closed\.baseURL$/,
        ),
      },
    });
  });

  it('a server that never answers: timeout naming the URL, within the configured timeoutMs', async () => {
    const started = performance.now();
    const events = await turn('asleep');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(events[1]).toMatchObject({
      event: 'turn.error',
      data: {
        code: 'timeout',
        message: expect.stringMatching(
          /^provider "sleepy" sent nothing for 250 ms at http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: check that the server is up and not overloaded, or raise providers\.sleepy\.timeoutMs$/,
        ),
      },
    });
    expect(requestsFor(chat, 'asleep')).toHaveLength(1);
  });

  it('answers a failed turn as JSON with 502 and the same code', async () => {
    const response = await fetch(`${daemon.url}/v1/agents/locked/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"message":"hi"}',
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: { code: 'auth_failed', message: expect.stringContaining('rejected the API key'), turnId: expect.any(String), sessionId: expect.any(String) },
    });
  });

  it('describes a failed subagent call like a turn error, without the key the server echoed', async () => {
    const events = await turn('delegatesToLocked', 'find out');
    const result = events.find((e) => e.event === 'tool.result')!;
    expect(result.data).toMatchObject({
      name: 'agent-locked',
      isError: true,
      output: { code: 'auth_failed', error: expect.stringContaining('rejected the API key') },
    });
    expect(JSON.stringify(events)).not.toContain(OPENAI_KEY);
  });

  it('keeps serving: the next turn on a healthy model succeeds, and no key reached any log line', async () => {
    expectToolThenText(await turn('viaOpenAI'));
    expect(await (await fetch(`${daemon.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const turnErrors = logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'turn.error');
    expect(turnErrors.map((line) => line.code)).toEqual(
      expect.arrayContaining(['auth_failed', 'model_not_found', 'rate_limited', 'provider_unavailable', 'connection_failed', 'timeout']),
    );
    // Mastra's own "Upstream LLM API error" line carries the raw error, the server's body
    // (which echoes the key) included: the logger censors known secret values in every line.
    expect(logLines.some((line) => JSON.parse(line).component === 'mastra' && line.includes('Incorrect API key provided: [redacted]'))).toBe(true);
    const allLines = logLines.join('\n');
    expect(allLines).not.toContain(OPENAI_KEY);
    expect(allLines).not.toContain(ANTHROPIC_KEY);
  });
});
