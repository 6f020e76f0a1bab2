import type { Harness, TurnEndEvent, TurnEvent } from '@kaged/harness';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { formatPath } from '../../../project/yaml-file.js';
import { chatRequestSchema } from './chat-request.js';
import { ChunkWriter, completionOf, type CompletionIdentity } from './completion-shapes.js';
import { openAiError, statusOfTurnError } from './openai-error.js';
import { planTurn, SESSION_HEADER } from './session-rule.js';

/** Chat clients resend the whole conversation with each request: more room than a turn's 1 MiB. */
export const MAX_CHAT_BODY_BYTES = 4 * 1024 * 1024;

export interface ChatCompletionRoutesOptions {
  harness: Harness;
  /** True once shutdown began: new turns are refused, running ones finish. */
  isClosing(): boolean;
}

/** `POST /v1/chat/completions`: a turn of the agent named by `model`, as a chat completion. */
export function chatCompletionRoutes({ harness, isClosing }: ChatCompletionRoutesOptions): Hono {
  const app = new Hono();
  app.post(
    '/v1/chat/completions',
    bodyLimit({
      maxSize: MAX_CHAT_BODY_BYTES,
      onError: (c) => {
        c.header('Connection', 'close');
        return openAiError(c, 413, 'body_too_large', 'the request body is larger than 4 MiB');
      },
    }),
    async (c) => {
      if (isClosing()) return openAiError(c, 503, 'shutting_down', 'the daemon is shutting down; retry against the new instance');
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return openAiError(c, 400, 'malformed_json', 'the request body is not valid JSON');
      }
      const parsed = chatRequestSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const param = formatPath(issue.path);
        return openAiError(c, 400, 'invalid_request', param ? `${param}: ${issue.message}` : 'expected a JSON object', param || null);
      }
      const request = parsed.data;
      if (!harness.hasAgent(request.model)) {
        const known = harness.listAgents().map((a) => a.id);
        return openAiError(
          c,
          404,
          'model_not_found',
          `The model "${request.model}" does not exist: kaged serves its agents as models (${known.join(', ')})`,
          'model',
        );
      }
      const plan = planTurn(request.messages, c.req.header(SESSION_HEADER));
      if (!plan.ok) return openAiError(c, 400, 'invalid_request', `${plan.param}: ${plan.message}`, plan.param);

      const abort = new AbortController();
      const turn = harness.startTurn({
        agentId: request.model,
        message: plan.message,
        ...(plan.mode === 'session' ? { sessionId: plan.sessionId } : { history: plan.history }),
        ...(request.user ? { userId: request.user } : {}),
        metadata: { ...(request.metadata ?? {}), api: 'openai-chat-completions', sessionMode: plan.mode },
        signal: abort.signal,
      });
      c.header('X-Kaged-Turn-Id', turn.turnId);
      c.header(SESSION_HEADER, turn.sessionId);
      c.header('X-Kaged-Session-Mode', plan.mode);
      // Said rather than failed: a client's system prompt and tools are not the operator's.
      const ignored = [...(plan.ignoredSystem ? ['system-messages'] : []), ...(request.tools?.length ? ['tools'] : [])];
      if (ignored.length > 0) c.header('X-Kaged-Ignored', ignored.join(', '));

      const identity: CompletionIdentity = { id: `chatcmpl-${turn.turnId}`, created: Math.floor(Date.now() / 1000), model: request.model };
      const events = turn.events[Symbol.asyncIterator]();
      const disconnected = () => abort.abort(new Error('client disconnected'));
      c.req.raw.signal.addEventListener('abort', disconnected, { once: true });

      // The iteration ends once the last event is in (or the client is gone): until then the
      // turn counts as running, and shutdown would wait for it.
      const close = () => events.return?.(undefined);

      // Hold the response until the answer starts (or the turn fails): the trace id goes in a
      // header, and a turn that fails before any text gets a real HTTP error status.
      let first: TurnEvent | undefined;
      while (!first) {
        const next = await events.next();
        if (next.done) break;
        const event = next.value;
        if (event.type === 'turn.start') {
          if (event.traceId) c.header('X-Kaged-Trace-Id', event.traceId);
        } else if (event.type === 'turn.error') {
          await close();
          return turnError(c, event.code, event.message);
        } else if (event.type === 'turn.end' || (request.stream && event.type === 'text.delta')) {
          first = event;
        }
      }
      if (!first) return openAiError(c, 500, 'internal_error', 'the turn ended without a result');

      if (!request.stream) {
        // Non-streaming: the loop above ran to turn.end.
        await close();
        return c.json(completionOf(identity, first as TurnEndEvent));
      }

      const chunks = new ChunkWriter(identity, request.stream_options?.include_usage === true);
      return streamSSE(c, async (stream) => {
        stream.onAbort(disconnected);
        const send = (chunk: object) => stream.writeSSE({ data: JSON.stringify(chunk) });
        await send(chunks.role());
        const write = async (event: TurnEvent): Promise<boolean> => {
          if (event.type === 'text.delta') await send(chunks.content(event.text));
          else if (event.type === 'turn.end') {
            await send(chunks.finish(event));
            const usage = chunks.usage(event);
            if (usage) await send(usage);
            await stream.writeSSE({ data: '[DONE]' });
            return true;
          } else if (event.type === 'turn.error') {
            // Past the headers: OpenAI's clients read an `error` object in the stream as a failure.
            await send({ error: { message: event.message, type: 'server_error', param: null, code: event.code } });
            return true;
          }
          return false;
        };
        try {
          if (await write(first)) return;
          for (let next = await events.next(); !next.done && !stream.aborted; next = await events.next()) {
            if (await write(next.value)) return;
          }
        } finally {
          // Also when the client went away mid-answer: stopping the iteration aborts the turn.
          await close();
        }
      });
    },
  );
  return app;
}

function turnError(c: Context, code: string, message: string): Response {
  return openAiError(c, statusOfTurnError(code), code, message);
}
