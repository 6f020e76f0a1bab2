import type { MastraDBMessage, MastraMemory, StorageThreadType } from '@mastra/core/memory';
import { subagentIdOf } from './chunk-events.js';

/**
 * The thread metadata the harness writes on every session it runs a turn in (turn-runner.ts):
 * `kaged` marks the thread as a kaged session (Mastra also keeps one thread per subagent call,
 * which is not a session), `kagedAgentId` names the agent of its latest turn. Mastra merges it
 * into the thread's metadata, so a session from before this existed gets it on its next turn.
 */
export function sessionThreadMetadata(agentId: string): { kaged: 'session'; kagedAgentId: string } {
  return { kaged: 'session', kagedAgentId: agentId };
}

/** One session in a list, newest first. */
export interface SessionSummary {
  id: string;
  /** The agent of the session's latest turn; `null` for a session no turn has marked yet (see `sessionThreadMetadata`). */
  agentId: string | null;
  /** The turns' `userId`; `null` when they gave none. */
  userId: string | null;
  title: string | null;
  createdAt: string;
  updatedAt: string;
  /** Messages stored in the session. */
  messageCount: number;
  /** User messages, one per turn; absent when the session holds more than `SUMMARY_WINDOW` messages. */
  turns?: number;
  /** The newest message's text, cut to `PREVIEW_LENGTH` characters; absent in an empty session. */
  lastMessage?: string;
  lastMessageRole?: SessionMessage['role'];
}

export interface SessionPage {
  sessions: SessionSummary[];
  /** Pass as `cursor` for the next page; `null` on the last. */
  nextCursor: string | null;
}

export interface SessionToolCall {
  id: string;
  name: string;
  args: unknown;
  /** `null` while the call has no result (the turn stopped before it). */
  result: unknown;
  isError: boolean;
  /** Set when the tool is a subagent call (`agent-<id>`). */
  subagent?: string;
}

export interface SessionMessage {
  id: string;
  /** Mastra stores tool results inside the assistant message that made the calls (`toolCalls`). */
  role: 'user' | 'assistant' | 'tool';
  text: string;
  createdAt: string;
  toolCalls?: SessionToolCall[];
  /** The trace of the turn that wrote the message, when it was traced (a user message takes its answer's). */
  traceId?: string;
}

export interface SessionDetail {
  id: string;
  agentId: string | null;
  userId: string | null;
  title: string | null;
  createdAt: string;
  updatedAt: string;
  /** Oldest first: the newest `limit` messages. */
  messages: SessionMessage[];
  messageCount: number;
  /** True when older messages than those returned exist. */
  hasMoreMessages: boolean;
}

export interface SessionListQuery {
  /** Only the sessions whose latest turn ran this agent. */
  agentId?: string | undefined;
  /** 1-100, default 20. */
  limit?: number | undefined;
  /** `nextCursor` of the page before; invalid cursors throw (check with `isSessionCursor`). */
  cursor?: string | undefined;
}

/** Reads the sessions the harness keeps in Mastra memory. Without memory it reads nothing. */
export interface SessionReader {
  /** False when the harness has no memory: every session is then one turn long and none is kept. */
  readonly enabled: boolean;
  list(query?: SessionListQuery): Promise<SessionPage>;
  /** One session and its newest `limit` messages (default 500); `undefined` when there is no such session. */
  get(sessionId: string, options?: { limit?: number | undefined }): Promise<SessionDetail | undefined>;
}

/** A summary's message counts come from the newest this-many messages of the session. */
export const SUMMARY_WINDOW = 200;
const PREVIEW_LENGTH = 200;
const DEFAULT_LIMIT = 20;
const DEFAULT_MESSAGES = 500;

/**
 * Mastra's thread list is offset-paged, newest `updatedAt` first. The cursor keeps the offset and
 * the last session returned, so that a session moved up meanwhile (it had a turn) is not
 * listed twice: a page drops what sorts at or before the last one returned.
 */
interface SessionCursor {
  offset: number;
  updatedAt: number;
  id: string;
}

export function isSessionCursor(cursor: string): boolean {
  return decodeCursor(cursor) !== undefined;
}

export function createSessionReader(memory: MastraMemory | undefined): SessionReader {
  if (!memory) {
    return {
      enabled: false,
      list: async () => ({ sessions: [], nextCursor: null }),
      get: async () => undefined,
    };
  }
  return {
    enabled: true,
    async list(query = {}) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (query.cursor !== undefined && !after) throw new TypeError(`invalid session cursor: ${query.cursor}`);
      const offset = after?.offset ?? 0;
      // Mastra pages by page number: the rows from `offset` on are the end of one page of
      // `limit` and, unless the offset falls on a page boundary, the start of the next.
      const first = Math.floor(offset / limit);
      const skip = offset - first * limit;
      const pageOf = (page: number) =>
        memory.listThreads({
          page,
          perPage: limit,
          orderBy: { field: 'updatedAt', direction: 'DESC' },
          filter: { metadata: query.agentId ? sessionThreadMetadata(query.agentId) : { kaged: 'session' } },
        });
      const result = await pageOf(first);
      let rows = result.threads.slice(skip);
      let hasMore = result.hasMore;
      if (skip > 0 && result.hasMore) {
        const next = await pageOf(first + 1);
        rows = [...rows, ...next.threads.slice(0, skip)];
        hasMore = next.hasMore || next.threads.length > skip;
      }
      const threads = rows.filter((thread) => !after || sortsAfter(thread, after));
      const sessions = await Promise.all(threads.map((thread) => summaryOf(memory, thread)));
      const last = rows.at(-1);
      const nextCursor = hasMore && last ? encodeCursor({ offset: offset + rows.length, updatedAt: toDate(last.updatedAt).getTime(), id: last.id }) : null;
      return { sessions, nextCursor };
    },
    async get(sessionId, options = {}) {
      const thread = await memory.getThreadById({ threadId: sessionId });
      if (!thread) return undefined;
      const recalled = await memory.recall({ threadId: sessionId, perPage: options.limit ?? DEFAULT_MESSAGES });
      const messages = toSessionMessages(recalled.messages);
      return { ...threadFields(thread), messages, messageCount: recalled.total, hasMoreMessages: recalled.hasMore };
    },
  };
}

async function summaryOf(memory: MastraMemory, thread: StorageThreadType): Promise<SessionSummary> {
  // Newest first, reversed to oldest first by recall.
  const recalled = await memory.recall({ threadId: thread.id, perPage: SUMMARY_WINDOW });
  const messages = toSessionMessages(recalled.messages);
  const last = messages.at(-1);
  return {
    ...threadFields(thread),
    messageCount: recalled.total,
    ...(recalled.hasMore ? {} : { turns: messages.filter((m) => m.role === 'user').length }),
    ...(last ? { lastMessage: preview(last), lastMessageRole: last.role } : {}),
  };
}

function threadFields(thread: StorageThreadType): Pick<SessionSummary, 'id' | 'agentId' | 'userId' | 'title' | 'createdAt' | 'updatedAt'> {
  const agentId = thread.metadata?.kagedAgentId;
  return {
    id: thread.id,
    agentId: typeof agentId === 'string' ? agentId : null,
    // The harness stores turns without a userId under the resource `default` (turn-runner.ts).
    userId: thread.resourceId && thread.resourceId !== 'default' ? thread.resourceId : null,
    title: thread.title ? thread.title : null,
    createdAt: toDate(thread.createdAt).toISOString(),
    updatedAt: toDate(thread.updatedAt).toISOString(),
  };
}

function preview(message: SessionMessage): string {
  const text = message.text || message.toolCalls?.map((call) => call.name).join(', ') || '';
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH - 1)}…` : text;
}

/**
 * Mastra's stored messages in the API's words: text parts joined, tool invocations (their
 * results included) as `toolCalls`, system and signal messages left out. A user message takes
 * the trace id of the answer that follows it: they are one turn.
 */
export function toSessionMessages(stored: readonly MastraDBMessage[]): SessionMessage[] {
  const messages: SessionMessage[] = [];
  for (const message of stored) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const parts = message.content.parts ?? [];
    const text = parts
      .filter((part): part is Extract<typeof part, { type: 'text' }> => part.type === 'text')
      .map((part) => part.text)
      .join('');
    const toolCalls = parts.flatMap((part): SessionToolCall[] => {
      if (part.type !== 'tool-invocation') return [];
      const call = part.toolInvocation;
      const subagent = subagentIdOf(call.toolName);
      const hasResult = call.state === 'result' || call.state === 'output-error';
      return [
        {
          id: call.toolCallId,
          name: call.toolName,
          args: call.args ?? {},
          result: hasResult ? (call.result ?? (call.errorText ? { error: call.errorText } : null)) : null,
          isError: call.state === 'output-error' || call.isError === true,
          ...(subagent ? { subagent } : {}),
        },
      ];
    });
    const traceId = message.content.metadata?.traceId;
    messages.push({
      id: message.id,
      role: message.role,
      // Messages written before the parts format keep their text in `content`.
      text: text || (parts.length === 0 && typeof message.content.content === 'string' ? message.content.content : ''),
      createdAt: toDate(message.createdAt).toISOString(),
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(typeof traceId === 'string' ? { traceId } : {}),
    });
  }
  for (let i = 0; i < messages.length - 1; i++) {
    const message = messages[i]!;
    const answer = messages[i + 1]!;
    if (message.role === 'user' && message.traceId === undefined && answer.role === 'assistant' && answer.traceId) message.traceId = answer.traceId;
  }
  return messages;
}

function sortsAfter(thread: StorageThreadType, after: SessionCursor): boolean {
  const updatedAt = toDate(thread.updatedAt).getTime();
  return updatedAt < after.updatedAt || (updatedAt === after.updatedAt && thread.id !== after.id);
}

function encodeCursor(cursor: SessionCursor): string {
  return Buffer.from(JSON.stringify([cursor.offset, cursor.updatedAt, cursor.id])).toString('base64url');
}

function decodeCursor(cursor: string): SessionCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [offset, updatedAt, id] = value as unknown[];
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !Number.isFinite(updatedAt) || typeof id !== 'string') return undefined;
    return { offset: offset as number, updatedAt: updatedAt as number, id };
  } catch {
    return undefined;
  }
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
