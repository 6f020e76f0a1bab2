/** Token counts of a turn, summed over every model call in it (subagents included). */
export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export interface TurnStartEvent {
  type: 'turn.start';
  turnId: string;
  sessionId: string;
  agentId: string;
  /** The prompt versions this turn uses: its agent's and every subagent's it may call. */
  prompts: { id: string; version: string }[];
  /** The turn's trace id; `null` when tracing is off or the turn was not sampled. */
  traceId: string | null;
}

export interface TextDeltaEvent {
  type: 'text.delta';
  text: string;
}

export interface ToolCallEvent {
  type: 'tool.call';
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResultEvent {
  type: 'tool.result';
  id: string;
  name: string;
  output: unknown;
  isError: boolean;
}

export interface TurnEndEvent {
  type: 'turn.end';
  turnId: string;
  sessionId: string;
  text: string;
  finishReason: string;
  usage: TurnUsage;
  /**
   * What the turn's model calls cost in USD, each model's usage at its price, summed over the
   * agent and its subagents; `null` when any model's price is unknown.
   */
  costUsd: number | null;
  durationMs: number;
  /** The turn's trace id, as in `turn.start`. */
  traceId: string | null;
}

export interface TurnErrorEvent {
  type: 'turn.error';
  turnId: string;
  sessionId: string;
  code: string;
  message: string;
}

/** What a turn emits, in order: `turn.start`, deltas and tool events, then exactly one of `turn.end` / `turn.error`. */
export type TurnEvent = TurnStartEvent | TextDeltaEvent | ToolCallEvent | ToolResultEvent | TurnEndEvent | TurnErrorEvent;
