import type { Logger } from '@kaged/observability';
import type { Mastra } from '@mastra/core/mastra';
import { Hono } from 'hono';
import type { TurnTraces } from '../../turn-observers/turn-trace-observer.js';
import { errorResponse } from '../error-body.js';

export interface FeedbackRoutesOptions {
  turns: TurnTraces;
  /** Scores go through Mastra's observability (to Langfuse and the local store). */
  mastra: Mastra;
  logger: Logger;
  /** Counts feedback: `kaged_feedback_total{agent,value}`. */
  counted?: ((agentId: string, value: 'up' | 'down' | 'score') => void) | undefined;
}

/** The name of the score on the trace, in Langfuse and in `GET /v1/traces/{id}`. */
export const FEEDBACK_SCORE_NAME = 'user feedback';
const MAX_COMMENT = 4_000;
const TURN_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * `POST /v1/turns/{turnId}/feedback` with `{ value: "up" | "down" | 0..1, comment? }`: a score
 * on the turn's trace (up is 1, down 0), through Mastra's `observability.addScore`, as guard
 * trips are. Answers 202 with the score; 404 for a turn the daemon does not remember, 409 for
 * a turn that was not traced (not sampled, or tracing off), 400 naming the bad field.
 */
export function feedbackRoutes({ turns, mastra, logger, counted }: FeedbackRoutesOptions): Hono {
  const app = new Hono();
  app.post('/v1/turns/:turnId/feedback', async (c) => {
    const turnId = c.req.param('turnId');
    if (!TURN_ID.test(turnId)) return errorResponse(c, 400, 'invalid_request', 'turnId: must be the turnId of turn.start', { field: 'turnId' });
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return errorResponse(c, 400, 'invalid_request', 'body: must be a JSON object such as {"value":"up"}', { field: 'body' });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return errorResponse(c, 400, 'invalid_request', 'body: must be a JSON object such as {"value":"up"}', { field: 'body' });
    }
    const { value, comment, ...rest } = body as { value?: unknown; comment?: unknown };
    const unknownField = Object.keys(rest)[0];
    if (unknownField) return errorResponse(c, 400, 'invalid_request', `${unknownField}: unknown field (value, comment)`, { field: unknownField });
    const score =
      value === 'up' ? 1 : value === 'down' ? 0 : typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
    if (score === undefined) return errorResponse(c, 400, 'invalid_request', 'value: must be "up", "down" or a number from 0 to 1', { field: 'value' });
    if (comment !== undefined && (typeof comment !== 'string' || comment.length > MAX_COMMENT)) {
      return errorResponse(c, 400, 'invalid_request', `comment: must be a string of at most ${MAX_COMMENT} characters`, { field: 'comment' });
    }
    const turn = turns.get(turnId);
    if (!turn) return errorResponse(c, 404, 'unknown_turn', `no recent turn ${turnId}: feedback needs the turnId of a turn this daemon ran since it started`);
    if (!turn.traceId || !mastra.observability?.addScore) {
      return errorResponse(
        c,
        409,
        'turn_not_traced',
        `turn ${turnId} has no trace (it was not sampled, see observability.sampleRate): there is nothing to attach feedback to`,
      );
    }
    const kind: 'up' | 'down' | 'score' = value === 'up' || value === 'down' ? value : 'score';
    await mastra.observability.addScore({
      traceId: turn.traceId,
      // Emits from what is known here (the trace may not be in storage yet), as guard scores do.
      correlationContext: { entityType: 'agent' as never, entityId: turn.agentId, entityName: turn.agentId },
      score: {
        scorerId: 'kaged.feedback',
        scorerName: FEEDBACK_SCORE_NAME,
        score,
        ...(comment ? { reason: comment } : {}),
        scoreSource: 'manual' as never,
        metadata: { turnId, sessionId: turn.sessionId, value: kind },
      },
    });
    counted?.(turn.agentId, kind);
    logger.info({ turnId, traceId: turn.traceId, agentId: turn.agentId, value: kind, score }, 'turn.feedback');
    return c.json({ turnId, traceId: turn.traceId, name: FEEDBACK_SCORE_NAME, value: score, ...(comment ? { comment } : {}) }, 202);
  });
  return app;
}
