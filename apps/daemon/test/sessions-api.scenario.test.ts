// `GET /v1/sessions` and `GET /v1/sessions/{id}` on a real daemon, whose agents talk to a
// loopback OpenAI-compatible server over the real protocol: sessions as Mastra memory keeps
// them, on the embedded LibSQL store and on PostgreSQL.
import { createLogger } from '@kaged/observability';
import { startOpenAIChatServer, type LoopbackModelServer, type ModelReplyHandler } from '@kaged/llm/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { sharedDatabase } from './support/postgres.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';
import { streamTurn, type SseEvent } from './support/sse.js';

const API_KEY = 'sk-sessions-test-0123456789abcdef';
const TOKEN = 'a-long-enough-sessions-token';

// A fresh question about the time calls the tool; "leak" makes the model repeat the API key,
// in its text and in a tool call's arguments (which the tool echoes in its result).
const script: ModelReplyHandler = (request) => {
  if (request.toolResults.length > 0) return { text: `Done: ${JSON.stringify(request.toolResults[0])}`, usage: { input: 30, output: 6 } };
  if (/leak/.test(request.lastUserMessage)) return { text: `my key is ${API_KEY}. `, toolCalls: [{ name: 'current_time', input: { timeZone: API_KEY } }] };
  if (/time/.test(request.lastUserMessage)) return { text: 'Let me look. ', toolCalls: [{ name: 'current_time', input: {} }], usage: { input: 20, output: 4 } };
  return { text: `you said: ${request.lastUserMessage}`, usage: { input: 10, output: 3 } };
};

const projectYaml = (rest = '') => `version: 1
name: sessions
providers:
  local: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", apiKey: "\${env:LOCAL_KEY}", maxRetries: 0 }
agents:
  assistant: { model: local/qwen3, prompt: "You answer.", tools: [current_time] }
  other: { model: local/qwen3, prompt: "You answer too." }
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

async function daemonFor(yaml: string, env: Record<string, string> = {}): Promise<Daemon> {
  const project: ProjectFixture = await createProjectFixture(yaml);
  cleanups.push(() => project.remove());
  const daemon = await startDaemon({
    project: project.file,
    port: 0,
    logger: createLogger({ level: 'silent' }),
    env: { CHAT_URL: chat.baseURL, LOCAL_KEY: API_KEY, ...env },
  });
  cleanups.push(() => daemon.close());
  return daemon;
}

async function turn(daemon: Daemon, agentId: string, body: Record<string, unknown>): Promise<{ start: any; end: any; events: SseEvent[] }> {
  const { status, events } = await streamTurn(daemon.url, agentId, body);
  expect(status).toBe(200);
  const end = events.at(-1)!;
  expect(end.event).toBe('turn.end');
  return { start: events[0]!.data, end: end.data, events };
}

async function json(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json() };
}

const storages = [
  { name: 'LibSQL', storage: async () => '' },
  {
    name: 'PostgreSQL',
    storage: async () => {
      const db = await sharedDatabase('kaged_sessions');
      return `storage: { type: postgres, url: "${db.url}", schema: kaged_sessions }\n`;
    },
  },
];

describe.each(storages)('sessions over HTTP ($name)', { timeout: 60_000 }, ({ storage }) => {
  let daemon: Daemon;
  const turns: Record<string, { start: any; end: any }[]> = { first: [], second: [] };

  beforeAll(async () => {
    daemon = await daemonFor(projectYaml(await storage()));
    turns.first!.push(await turn(daemon, 'assistant', { message: 'what time is it?', sessionId: 'first', userId: 'ann' }));
    turns.first!.push(await turn(daemon, 'assistant', { message: 'thanks', sessionId: 'first', userId: 'ann' }));
    turns.second!.push(await turn(daemon, 'other', { message: 'hello', sessionId: 'second' }));
  }, 60_000);

  it('lists the sessions newest first, with their agent, turns and last message', async () => {
    const { status, body } = await json(`${daemon.url}/v1/sessions`);
    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.sessions).toEqual([
      {
        id: 'second',
        agentId: 'other',
        userId: null,
        title: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        messageCount: 2,
        turns: 1,
        lastMessage: 'you said: hello',
        lastMessageRole: 'assistant',
      },
      expect.objectContaining({ id: 'first', agentId: 'assistant', userId: 'ann', messageCount: 4, turns: 2, lastMessage: 'you said: thanks' }),
    ]);
    expect(Date.parse(body.sessions[0].updatedAt)).toBeGreaterThanOrEqual(Date.parse(body.sessions[1].updatedAt));

    const byAgent = await json(`${daemon.url}/v1/sessions?agent=assistant`);
    expect(byAgent.body.sessions.map((s: { id: string }) => s.id)).toEqual(['first']);
    const page = await json(`${daemon.url}/v1/sessions?limit=1`);
    expect(page.body.sessions.map((s: { id: string }) => s.id)).toEqual(['second']);
    const next = await json(`${daemon.url}/v1/sessions?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body).toMatchObject({ sessions: [{ id: 'first' }], nextCursor: null });
  });

  it('returns one session with its messages: text, the tool call with its result, trace and turn ids', async () => {
    const [one, two] = turns.first as [{ start: any; end: any }, { start: any; end: any }];
    // The turn ids come from the local traces, written just after each turn.
    await expect
      .poll(async () => (await json(`${daemon.url}/v1/sessions/first`)).body.messages?.filter((m: { turnId?: string }) => m.turnId).length, { timeout: 10_000 })
      .toBe(4);
    const { status, body } = await json(`${daemon.url}/v1/sessions/first`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'first', agentId: 'assistant', userId: 'ann', messageCount: 4, hasMoreMessages: false });
    expect(body.messages).toEqual([
      { id: expect.any(String), role: 'user', text: 'what time is it?', createdAt: expect.any(String), traceId: one.start.traceId, turnId: one.start.turnId },
      {
        id: expect.any(String),
        role: 'assistant',
        text: expect.stringMatching(/^Let me look\. Done: \{"iso":"/),
        createdAt: expect.any(String),
        toolCalls: [
          {
            id: expect.any(String),
            name: 'current_time',
            args: {},
            result: expect.objectContaining({ iso: expect.any(String), timeZone: 'UTC' }),
            isError: false,
          },
        ],
        traceId: one.start.traceId,
        turnId: one.start.turnId,
      },
      { id: expect.any(String), role: 'user', text: 'thanks', createdAt: expect.any(String), traceId: two.start.traceId, turnId: two.start.turnId },
      {
        id: expect.any(String),
        role: 'assistant',
        text: 'you said: thanks',
        createdAt: expect.any(String),
        traceId: two.start.traceId,
        turnId: two.start.turnId,
      },
    ]);
    // What the turn streamed is what the session keeps.
    expect(body.messages[1].text).toBe(one.end.text);

    const newest = await json(`${daemon.url}/v1/sessions/first?limit=1`);
    expect(newest.body).toMatchObject({ messages: [{ text: 'you said: thanks' }], messageCount: 4, hasMoreMessages: true });
  });

  it('answers an unknown session with 404 and a malformed request with 400, in the API error shape', async () => {
    expect(await json(`${daemon.url}/v1/sessions/no-such-session`)).toEqual({
      status: 404,
      body: { error: { code: 'unknown_session', message: expect.stringContaining('no session no-such-session') } },
    });
    expect(await json(`${daemon.url}/v1/sessions/${'x'.repeat(300)}`)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', field: 'sessionId' } },
    });
    expect(await json(`${daemon.url}/v1/sessions?limit=0`)).toMatchObject({ status: 400, body: { error: { code: 'invalid_request', field: 'limit' } } });
    expect(await json(`${daemon.url}/v1/sessions?cursor=garbage`)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', field: 'cursor' } },
    });
    expect(await json(`${daemon.url}/v1/sessions?agnet=assistant`)).toMatchObject({ status: 400, body: { error: { field: 'agnet' } } });
  });

  it('never returns a secret: the API key the model repeated is censored in text, arguments and results', async () => {
    const { end } = await turn(daemon, 'assistant', { message: 'leak it', sessionId: 'leaky' });
    expect(end.text).toContain('my key is');
    const session = await fetch(`${daemon.url}/v1/sessions/leaky`).then((r) => r.text());
    const list = await fetch(`${daemon.url}/v1/sessions`).then((r) => r.text());
    expect(session).not.toContain(API_KEY);
    expect(list).not.toContain(API_KEY);
    const body = JSON.parse(session);
    expect(body.messages[1].text).toContain('my key is [redacted]');
    expect(body.messages[1].toolCalls[0]).toMatchObject({ name: 'current_time', args: { timeZone: '[redacted]' } });
  });
});

describe('sessions behind the token', { timeout: 60_000 }, () => {
  it('refuses every new route without the bearer token and answers with it', async () => {
    const daemon = await daemonFor(projectYaml(`server: { token: "\${env:TEST_TOKEN}" }\n`), { TEST_TOKEN: TOKEN });
    const headers = { authorization: `Bearer ${TOKEN}` };
    const { status, events } = await streamTurn(daemon.url, 'assistant', { message: 'hello', sessionId: 'guarded' }, headers);
    expect(status).toBe(200);
    expect(events.at(-1)?.event).toBe('turn.end');
    for (const path of ['/v1/sessions', '/v1/sessions/guarded', '/v1/usage', '/v1/config/langfuse']) {
      const refused = await json(`${daemon.url}${path}`);
      expect(refused.status, path).toBe(401);
      expect(refused.body.error.code, path).toBe('unauthorized');
      const wrong = await json(`${daemon.url}${path}`, { authorization: 'Bearer not-the-token-at-all' });
      expect(wrong.status, path).toBe(401);
      const right = await json(`${daemon.url}${path}`, headers);
      expect(right.status, path).toBe(200);
    }
    expect((await json(`${daemon.url}/v1/sessions`, headers)).body.sessions.map((s: { id: string }) => s.id)).toEqual(['guarded']);
  });
});
