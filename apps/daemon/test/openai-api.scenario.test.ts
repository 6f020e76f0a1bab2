// The OpenAI-compatible API with real clients: the official `openai` package and the AI SDK's
// `@ai-sdk/openai-compatible` provider talk to a daemon whose agent runs on a loopback
// OpenAI-compatible model server, which shows what the model was sent.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createLogger } from '@kaged/observability';
import { startOpenAIChatServer, type LoopbackModelServer, type ModelRequest } from '@kaged/llm/testing';
import { APICallError, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';

const TOKEN = 'kaged-openai-test-token-0123456789';
const PROMPT = 'You are the operator’s assistant.\n';
const USAGE = { input: 30, output: 7, cacheRead: 10, reasoning: 2 };

const projectYaml = `version: 1
name: openai-api
providers:
  local: { type: openai-compatible, baseURL: "\${env:CHAT_URL}", maxRetries: 0 }
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant: { model: local/qwen3, prompt: { file: prompts/assistant.md }, description: Answers. }
  broken: { model: local/broken, prompt: "p" }
  busy: { model: local/busy, prompt: "p" }
  halfway: { model: demo/halfway, prompt: "p", tools: [current_time] }
`;

/** The messages a model request carried, as `role: text` lines. */
function transcript(request: ModelRequest): string[] {
  return (request.body.messages as { role: string; content: unknown }[]).map(
    (m) => `${m.role}: ${typeof m.content === 'string' ? m.content : JSON.stringify(m.content)}`,
  );
}

describe('OpenAI-compatible API with real clients', () => {
  let chat: LoopbackModelServer;
  let project: ProjectFixture;
  let daemon: Daemon;
  let client: OpenAI;

  beforeAll(async () => {
    chat = await startOpenAIChatServer((request) => {
      if (request.model === 'broken') return { error: { status: 500, message: 'The server had an error while processing your request.' } };
      if (request.model === 'busy') return { error: { status: 429, message: 'Rate limit reached for requests' } };
      return { text: `you said: ${request.lastUserMessage}`, usage: USAGE };
    });
    project = await createProjectFixture(projectYaml, {
      'prompts/assistant.md': PROMPT,
      // Text, a tool call, then nothing left to say: the turn fails after its answer began.
      'scripts/demo.yaml': 'models:\n  halfway:\n    - steps:\n        - { text: "partial answer ", tools: [{ name: current_time, input: {} }] }\n',
    });
    daemon = await startDaemon({ project: project.file, port: 0, token: TOKEN, logger: createLogger({ level: 'silent' }), env: { CHAT_URL: chat.baseURL } });
    // No retries: a failure's first answer is what the test is about.
    client = new OpenAI({ apiKey: TOKEN, baseURL: `${daemon.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await daemon?.close();
    await chat?.close();
    await project?.remove();
  });

  const lastModelRequest = () => chat.requests.at(-1)!;

  it('lists the agents as models', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual(['assistant', 'broken', 'busy', 'halfway'].map((id) => ({ id, object: 'model', created: expect.any(Number), owned_by: 'kaged' })));
    expect(await client.models.retrieve('assistant')).toMatchObject({ id: 'assistant', object: 'model' });
  });

  it('answers a non-streaming completion with usage, the turn’s ids and trace id in headers; the operator’s prompt is the system prompt', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'assistant',
        messages: [
          { role: 'system', content: 'You are a pirate.' },
          { role: 'user', content: 'hello' },
        ],
        temperature: 0.2,
        top_p: 0.9,
        stop: ['\n\n'],
        tools: [{ type: 'function', function: { name: 'client_side', parameters: { type: 'object', properties: {} } } }],
      })
      .withResponse();
    expect(data).toEqual({
      id: expect.stringMatching(/^chatcmpl-[0-9a-f-]{36}$/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'assistant',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'you said: hello', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: {
        prompt_tokens: 30,
        completion_tokens: 7,
        total_tokens: 37,
        prompt_tokens_details: { cached_tokens: 10 },
        completion_tokens_details: { reasoning_tokens: 2 },
      },
    });
    expect(response.headers.get('x-kaged-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    expect(data.id).toBe(`chatcmpl-${response.headers.get('x-kaged-turn-id')}`);
    expect(response.headers.get('x-kaged-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-kaged-session-mode')).toBe('stateless');
    expect(response.headers.get('x-kaged-ignored')).toBe('system-messages, tools');
    // The model saw the operator's prompt, not the client's, and none of the client's tools.
    const seen = lastModelRequest();
    expect(seen.system).toBe(PROMPT);
    expect(transcript(seen)).toEqual([`system: ${PROMPT}`, 'user: hello']);
    expect(seen.tools).toEqual([]);
  });

  it('streams chunks as OpenAI does: role first, content, finish reason, a usage chunk, then [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'assistant',
      messages: [{ role: 'user', content: 'stream this please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const contentChunks = chunks.slice(1, -2);
    expect(contentChunks.length).toBeGreaterThan(1);
    expect(contentChunks.map((c) => c.choices[0]!.delta.content).join('')).toBe('you said: stream this please');
    expect(contentChunks.every((c) => c.choices[0]!.finish_reason === null && c.usage === null)).toBe(true);
    expect(chunks.at(-2)!.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toMatchObject({ object: 'chat.completion.chunk', model: 'assistant', choices: [], usage: { prompt_tokens: 30, total_tokens: 37 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

    // On the wire: `data:` lines only, the last one `[DONE]`; no usage chunk unless asked for.
    const raw = await fetch(`${daemon.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(raw.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(raw.headers.get('x-kaged-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    const lines = (await raw.text()).split('\n\n').filter(Boolean);
    expect(lines.every((line) => line.startsWith('data: '))).toBe(true);
    expect(lines.at(-1)).toBe('data: [DONE]');
    const last = JSON.parse(lines.at(-2)!.slice(6));
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last).not.toHaveProperty('usage');
  });

  it('serves the AI SDK’s openai-compatible provider: generateText and streamText with usage', async () => {
    const kaged = createOpenAICompatible({ name: 'kaged', baseURL: `${daemon.url}/v1`, apiKey: TOKEN, includeUsage: true });
    const generated = await generateText({ model: kaged('assistant'), system: 'ignored', prompt: 'from the AI SDK', maxRetries: 0 });
    expect(generated.text).toBe('you said: from the AI SDK');
    expect(generated.finishReason).toBe('stop');
    expect(generated.usage).toMatchObject({ inputTokens: 30, outputTokens: 7, totalTokens: 37 });

    const streamed = streamText({ model: kaged('assistant'), prompt: 'streamed by the AI SDK', maxRetries: 0 });
    expect(await streamed.text).toBe('you said: streamed by the AI SDK');
    expect(await streamed.usage).toMatchObject({ inputTokens: 30, outputTokens: 7 });
    expect((await streamed.usage).inputTokenDetails).toMatchObject({ cacheReadTokens: 10 });
  });

  it('continues a session named by X-Kaged-Session-Id: kaged’s memory holds the history, only the new message is the turn', async () => {
    const headers = { 'X-Kaged-Session-Id': 'webui-chat-42' };
    const first = await client.chat.completions
      .create({ model: 'assistant', messages: [{ role: 'user', content: 'my name is Ada' }] }, { headers })
      .withResponse();
    expect(first.response.headers.get('x-kaged-session-id')).toBe('webui-chat-42');
    expect(first.response.headers.get('x-kaged-session-mode')).toBe('session');

    // The client resends the conversation, with its own (edited) copy of the answer: kaged uses its memory.
    await client.chat.completions.create(
      {
        model: 'assistant',
        messages: [
          { role: 'user', content: 'my name is Ada' },
          { role: 'assistant', content: 'an answer the client edited' },
          { role: 'user', content: 'what is my name?' },
        ],
      },
      { headers },
    );
    expect(transcript(lastModelRequest())).toEqual([
      `system: ${PROMPT}`,
      'user: my name is Ada',
      'assistant: you said: my name is Ada',
      'user: what is my name?',
    ]);
  });

  it('without a session, the request’s messages are the turn’s history and nothing is saved', async () => {
    const { response } = await client.chat.completions
      .create({
        model: 'assistant',
        messages: [
          { role: 'developer', content: 'Client rules.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'first ' },
              { type: 'text', text: 'question' },
            ],
          },
          { role: 'assistant', content: 'first answer' },
          { role: 'user', content: 'second question' },
        ],
      })
      .withResponse();
    expect(transcript(lastModelRequest())).toEqual([`system: ${PROMPT}`, 'user: first question', 'assistant: first answer', 'user: second question']);

    // The turn's session id names its trace, but its memory stayed empty.
    const sessionId = response.headers.get('x-kaged-session-id')!;
    await client.chat.completions.create(
      { model: 'assistant', messages: [{ role: 'user', content: 'anything saved?' }] },
      { headers: { 'X-Kaged-Session-Id': sessionId } },
    );
    expect(transcript(lastModelRequest())).toEqual([`system: ${PROMPT}`, 'user: anything saved?']);
  });

  it('answers an unknown model with 404 in OpenAI’s error shape', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({
      status: 404,
      type: 'invalid_request_error',
      code: 'model_not_found',
      param: 'model',
      message: '404 The model "gpt-4o" does not exist: kaged serves its agents as models (assistant, broken, busy, halfway)',
    });
    await expect(client.models.retrieve('gpt-4o')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('refuses a wrong or missing token with 401 in OpenAI’s error shape', async () => {
    const wrong = new OpenAI({ apiKey: 'not-the-token', baseURL: `${daemon.url}/v1`, maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: 'authentication_error', code: 'unauthorized', message: '401 the bearer token is not valid' });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const none = await fetch(`${daemon.url}/v1/models`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({
      error: { message: expect.stringContaining('Authorization: Bearer'), type: 'authentication_error', param: null, code: 'unauthorized' },
    });

    // The daemon's other guards answer in OpenAI's shape here too: a web page's request.
    const fromPage = await fetch(`${daemon.url}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' } });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.json()).toMatchObject({ error: { type: 'permission_error', param: null, code: expect.any(String) } });
  });

  it('names the field of a bad request (400)', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ model: 'assistant' }, 'messages', /^400 messages: is required$/],
      [{ model: 'assistant', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', /^400 messages\[0\]\.role: expected one of/],
      [
        { model: 'assistant', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://x' } }] }] },
        'messages[0].content[0].type',
        /only "text" parts are supported \(got "image_url"\)/,
      ],
      [
        {
          model: 'assistant',
          messages: [
            { role: 'user', content: 'x' },
            { role: 'assistant', content: 'y' },
          ],
        },
        'messages[1].role',
        /the last message must be the user's \(got "assistant"\)/,
      ],
      [{ model: 'assistant', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, 'stream', /^400 stream: expected true or false$/],
    ];
    for (const [body, param, message] of cases) {
      const error = await client.chat.completions.create(body as never).catch((e: unknown) => e);
      expect(error, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'invalid_request', param, message: expect.stringMatching(message) });
    }
    const badSession = await client.chat.completions
      .create({ model: 'assistant', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'X-Kaged-Session-Id': 'has spaces' } })
      .catch((e: unknown) => e);
    expect(badSession).toMatchObject({ status: 400, param: 'X-Kaged-Session-Id' });
  });

  it('surfaces a provider failure as an OpenAI-style 502, streaming or not, and a rate limit as 429', async () => {
    const body = { model: 'broken', messages: [{ role: 'user' as const, content: 'hi' }] };
    for (const stream of [false, true]) {
      const error = await client.chat.completions.create({ ...body, stream }).catch((e: unknown) => e);
      expect(error, `stream: ${stream}`).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error).toMatchObject({
        status: 502,
        type: 'server_error',
        code: 'provider_unavailable',
        message: expect.stringMatching(/^502 provider "local" failed for model "broken" \(HTTP 500/),
      });
      expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-kaged-turn-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const limited = await client.chat.completions.create({ ...body, model: 'busy' }).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limited' });

    // Once the answer has begun the status is sent: the failure arrives as an `error` in the stream.
    const stream = await client.chat.completions.create({ model: 'halfway', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const received: string[] = [];
    const midway = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(received.join('')).toBe('partial answer ');
    expect(midway).toBeInstanceOf(OpenAI.APIError);
    expect(midway).toMatchObject({ type: 'server_error', code: 'script_exhausted' });

    // The AI SDK sees the same status and message.
    const kaged = createOpenAICompatible({ name: 'kaged', baseURL: `${daemon.url}/v1`, apiKey: TOKEN });
    const failed = await generateText({ model: kaged('broken'), prompt: 'hi', maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(failed)).toBe(true);
    expect(failed).toMatchObject({ statusCode: 502, message: expect.stringContaining('provider "local" failed') });
  });
});
