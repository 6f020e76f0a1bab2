import type { TurnHistoryMessage } from '@kaged/harness';
import { type ChatMessage, textOf } from './chat-request.js';

/** The header that names a kaged session; the same name answers it. */
export const SESSION_HEADER = 'X-Kaged-Session-Id';

const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What one chat completion request becomes: the turn's message, and where its history lives. */
export type TurnPlan =
  | { ok: true; mode: 'session'; sessionId: string; message: string; ignoredSystem: boolean }
  | { ok: true; mode: 'stateless'; history: TurnHistoryMessage[]; message: string; ignoredSystem: boolean }
  | { ok: false; param: string; message: string };

/**
 * The session rule. With `X-Kaged-Session-Id`, kaged's session memory holds the conversation:
 * only the last message (the user's new one) is the turn, whatever earlier messages the client
 * resends. Without it, the request's earlier messages are that turn's history, and nothing is
 * saved. Either way the agent's prompt file is its system prompt: client `system`/`developer`
 * messages are dropped, as are tool messages (kaged never ran the client's tools).
 */
export function planTurn(messages: readonly ChatMessage[], sessionHeader: string | undefined): TurnPlan {
  const lastIndex = messages.length - 1;
  const last = messages[lastIndex]!;
  if (last.role !== 'user') {
    return { ok: false, param: `messages[${lastIndex}].role`, message: `the last message must be the user's (got "${last.role}")` };
  }
  const message = textOf(last.content);
  if (message.trim() === '') return { ok: false, param: `messages[${lastIndex}].content`, message: 'the last user message is empty' };
  const ignoredSystem = messages.some((m) => m.role === 'system' || m.role === 'developer');

  if (sessionHeader !== undefined) {
    const sessionId = sessionHeader.trim();
    if (!SESSION_ID.test(sessionId)) {
      return { ok: false, param: SESSION_HEADER, message: 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"' };
    }
    return { ok: true, mode: 'session', sessionId, message, ignoredSystem };
  }
  const history: TurnHistoryMessage[] = [];
  for (const m of messages.slice(0, lastIndex)) {
    if (m.role !== 'user' && m.role !== 'assistant') continue;
    const content = textOf(m.content);
    // An assistant message with only tool calls has no text for the agent to read.
    if (content !== '') history.push({ role: m.role, content });
  }
  return { ok: true, mode: 'stateless', history, message, ignoredSystem };
}
