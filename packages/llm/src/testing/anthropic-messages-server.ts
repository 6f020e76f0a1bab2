import type { ServerResponse } from 'node:http';
import { pieces, startModelServer, type LoopbackModelServer, type ModelReplyHandler, type ProtocolAdapter } from './model-server.js';

type Block = { type: string; text?: string; content?: unknown };

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return (content as Block[])
      .filter((b) => b.type === 'text')
      .map((b) => b.text ?? '')
      .join('');
  return '';
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const messagesApi: ProtocolAdapter = {
  path: '/v1/messages',
  describe(body) {
    const messages: { role: string; content: unknown }[] = Array.isArray(body.messages) ? body.messages : [];
    // A user message that carries only tool results is the continuation of a tool call, not a new question.
    const isQuestion = (m: { role: string; content: unknown }) =>
      m.role === 'user' && !(Array.isArray(m.content) && (m.content as Block[]).every((b) => b.type === 'tool_result'));
    let lastUser = -1;
    messages.forEach((m, i) => {
      if (isQuestion(m)) lastUser = i;
    });
    const toolResults = messages
      .slice(lastUser + 1)
      .flatMap((m) => (Array.isArray(m.content) ? (m.content as Block[]) : []))
      .filter((b) => b.type === 'tool_result')
      .map((b) => {
        const text = typeof b.content === 'string' ? b.content : textOf(b.content);
        try {
          return JSON.parse(text);
        } catch {
          return text;
        }
      });
    return {
      system: typeof body.system === 'string' ? body.system : textOf(body.system),
      lastUserMessage: lastUser >= 0 ? textOf(messages[lastUser]!.content) : '',
      toolResults,
      tools: Array.isArray(body.tools) ? body.tools.map((t: { name?: string }) => t.name ?? '') : [],
    };
  },
  writeError(res, error, headers) {
    res.writeHead(error.status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ type: 'error', error: { type: error.type ?? ERROR_TYPES[error.status] ?? 'api_error', message: error.message } }));
  },
  writeStream(res: ServerResponse, request, reply, callIndex) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    const usage = reply.usage ?? { input: 10, output: 5 };
    const cacheRead = usage.cacheRead ?? 0;
    const cacheWrite = usage.cacheWrite ?? 0;
    send('message_start', {
      message: {
        id: `msg_${callIndex}`,
        type: 'message',
        role: 'assistant',
        model: request.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Anthropic's input_tokens excludes the cached part; kaged's `input` includes it.
        usage: {
          input_tokens: usage.input - cacheRead - cacheWrite,
          cache_creation_input_tokens: cacheWrite,
          cache_read_input_tokens: cacheRead,
          output_tokens: 1,
        },
      },
    });
    let index = 0;
    if (reply.text) {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      send('ping', {});
      for (const piece of pieces(reply.text)) send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
      send('content_block_stop', { index });
      index++;
    }
    (reply.toolCalls ?? []).forEach((call, n) => {
      const json = JSON.stringify(call.input ?? {});
      const half = Math.ceil(json.length / 2);
      send('content_block_start', { index, content_block: { type: 'tool_use', id: call.id ?? `toolu_${callIndex}_${n}`, name: call.name, input: {} } });
      send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } });
      send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(0, half) } });
      send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(half) } });
      send('content_block_stop', { index });
      index++;
    });
    send('message_delta', {
      delta: { stop_reason: reply.toolCalls?.length ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.output },
    });
    send('message_stop', {});
    res.end();
  },
};

/**
 * A loopback server speaking the Anthropic Messages streaming protocol (`POST /v1/messages`:
 * `message_start` with input and cache usage, `content_block_start`/`_delta`/`_stop` for text
 * and `tool_use` with `input_json_delta`, `message_delta` with the output usage,
 * `message_stop`). Errors use Anthropic's `{ type: "error", error: { type, message } }` body.
 */
export function startAnthropicMessagesServer(handler: ModelReplyHandler): Promise<LoopbackModelServer> {
  return startModelServer(messagesApi, handler);
}
