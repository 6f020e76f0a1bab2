import type { ServerResponse } from 'node:http';
import { pieces, startModelServer, type LoopbackModelServer, type ModelReplyHandler, type ProtocolAdapter } from './model-server.js';

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: { text?: string }) => part?.text ?? '').join('');
  return '';
}

const chatCompletions: ProtocolAdapter = {
  path: '/v1/chat/completions',
  describe(body) {
    const messages: { role: string; content?: unknown; tool_call_id?: string }[] = Array.isArray(body.messages) ? body.messages : [];
    const lastUser = messages.map((m) => m.role).lastIndexOf('user');
    return {
      // Reasoning models get `developer` messages instead of `system`.
      system: messages
        .filter((m) => m.role === 'system' || m.role === 'developer')
        .map((m) => textOf(m.content))
        .join('\n'),
      lastUserMessage: lastUser >= 0 ? textOf(messages[lastUser]!.content) : '',
      toolResults: messages
        .slice(lastUser + 1)
        .filter((m) => m.role === 'tool')
        .map((m) => parseMaybe(textOf(m.content))),
      tools: Array.isArray(body.tools) ? body.tools.map((t: { function?: { name?: string } }) => t.function?.name ?? '') : [],
    };
  },
  writeError(res, error, headers) {
    res.writeHead(error.status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message: error.message, type: error.type ?? 'api_error', param: null, code: error.code ?? null } }));
  },
  writeStream(res: ServerResponse, request, reply, callIndex) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const base = { id: `chatcmpl-${callIndex}`, object: 'chat.completion.chunk', created: 1_700_000_000, model: request.model };
    const send = (chunk: object) => res.write(`data: ${JSON.stringify({ ...base, ...chunk })}\n\n`);
    send({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (const piece of pieces(reply.text ?? '')) send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
    (reply.toolCalls ?? []).forEach((call, index) => {
      const id = call.id ?? `call_${callIndex}_${index}`;
      const args = JSON.stringify(call.input ?? {});
      const half = Math.ceil(args.length / 2);
      // The name first with empty arguments, then the arguments in two pieces: as OpenAI streams them.
      send({
        choices: [{ index: 0, delta: { tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] }, finish_reason: null }],
      });
      send({ choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] }, finish_reason: null }] });
      send({ choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: args.slice(half) } }] }, finish_reason: null }] });
    });
    send({ choices: [{ index: 0, delta: {}, finish_reason: reply.toolCalls?.length ? 'tool_calls' : 'stop' }] });
    const usage = reply.usage ?? { input: 10, output: 5 };
    send({
      choices: [],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
        prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
        completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
      },
    });
    res.end('data: [DONE]\n\n');
  },
};

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A loopback server speaking the OpenAI Chat Completions streaming protocol (`POST
 * /v1/chat/completions`, server-sent `chat.completion.chunk`s with `tool_calls` deltas and a
 * final usage chunk carrying `prompt_tokens_details.cached_tokens`), for `openai` and
 * `openai-compatible` providers. Errors use OpenAI's `{ error: { message, type, code } }` body.
 */
export function startOpenAIChatServer(handler: ModelReplyHandler): Promise<LoopbackModelServer> {
  return startModelServer(chatCompletions, handler);
}
