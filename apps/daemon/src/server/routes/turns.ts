import type { Harness, TurnEvent } from '@kaged/harness';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { formatPath } from '../../project/yaml-file.js';
import { errorResponse } from '../error-body.js';
import { turnRequestSchema } from '../turn-request.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface TurnRoutesOptions {
  harness: Harness;
  /** True once shutdown began: new turns are refused, running ones finish. */
  isClosing(): boolean;
}

/** `POST /v1/agents/{agentId}/turns`: one turn, as server-sent events or as one JSON object. */
export function turnRoutes({ harness, isClosing }: TurnRoutesOptions): Hono {
  const app = new Hono();
  app.post(
    '/v1/agents/:agentId/turns',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => {
        // The rest of the body is never read: the connection cannot carry another request.
        c.header('Connection', 'close');
        return errorResponse(c, 413, 'body_too_large', 'the request body is larger than 1 MiB');
      },
    }),
    async (c) => {
      if (isClosing()) return errorResponse(c, 503, 'shutting_down', 'the daemon is shutting down; retry against the new instance');
      const agentId = c.req.param('agentId');
      if (!harness.hasAgent(agentId)) {
        const known = harness.listAgents().map((a) => a.id);
        return errorResponse(c, 404, 'unknown_agent', `unknown agent "${agentId}" (agents: ${known.join(', ')})`);
      }

      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        return errorResponse(c, 400, 'malformed_json', 'the request body is not valid JSON');
      }
      const parsed = turnRequestSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = issue.code === 'unrecognized_keys' ? formatPath([...issue.path, issue.keys[0]!]) : formatPath(issue.path);
        const message = issue.code === 'unrecognized_keys' ? 'unknown field' : field === '' ? 'expected a JSON object' : issue.message;
        return errorResponse(c, 400, 'invalid_request', field ? `${field}: ${message}` : message, { field });
      }

      const abort = new AbortController();
      // The turn's log lines carry its ids through the harness's observer (daemon.ts), not here.
      const turn = harness.startTurn({ agentId, ...parsed.data, signal: abort.signal });

      if ((c.req.header('accept') ?? '').includes('text/event-stream')) {
        return streamSSE(c, async (stream) => {
          stream.onAbort(() => abort.abort(new Error('client disconnected')));
          for await (const event of turn.events) {
            if (stream.aborted) break;
            await stream.writeSSE({ event: event.type, data: JSON.stringify(dataOf(event)) });
          }
        });
      }

      c.req.raw.signal.addEventListener('abort', () => abort.abort(new Error('client disconnected')), { once: true });
      let last: TurnEvent | undefined;
      const guardFlags: unknown[] = [];
      for await (const event of turn.events) {
        if (event.type === 'guard.flag') guardFlags.push(dataOf(event));
        last = event;
      }
      // Without a stream the guards' flags would be lost: they ride along with the result.
      if (last?.type === 'turn.end') return c.json(guardFlags.length > 0 ? { ...dataOf(last), guardFlags } : dataOf(last));
      if (last?.type === 'turn.error') {
        return errorResponse(c, 502, last.code, last.message, {
          turnId: last.turnId,
          sessionId: last.sessionId,
          ...(guardFlags.length > 0 ? { guardFlags } : {}),
        });
      }
      return errorResponse(c, 500, 'internal_error', 'the turn ended without a result');
    },
  );
  return app;
}

/** An event's payload: the event without its `type`, which SSE carries as the event name. */
function dataOf(event: TurnEvent): Omit<TurnEvent, 'type'> {
  const { type: _type, ...data } = event;
  return data;
}
