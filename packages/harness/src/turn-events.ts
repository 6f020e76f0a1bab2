import type { TokenUsage } from '@kaged/core';
import type { GuardName } from './guards/guard-config.js';

/** Token counts of a turn, summed over every model call in it (subagents included): core's `TokenUsage`. */
export type TurnUsage = TokenUsage;

/** One model's share of a turn (see `TurnEndEvent.usageByModel`). */
export interface ModelUsage {
  /** `<provider>/<model>`, as the agent definitions name it. */
  model: string;
  usage: TurnUsage;
  /** USD for this model's usage at its price; `null` when its price is unknown. */
  costUsd: number | null;
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
  /**
   * `usage` and `costUsd` split by model, one entry per model the turn called (a subagent's
   * calls under its own model), in the order their first call finished. Optional for
   * producers other than the harness; the harness always sets it.
   */
  usageByModel?: ModelUsage[];
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

/** A guard tripped: `stop` precedes the turn's `turn.error`; `flag` only reports, before `turn.end`. */
export interface GuardFlagEvent {
  type: 'guard.flag';
  guard: GuardName;
  action: 'stop' | 'flag';
  message: string;
  details: Record<string, unknown>;
}

/** What a turn emits, in order: `turn.start`, deltas and tool events, then exactly one of `turn.end` / `turn.error`. */
export type TurnEvent = TurnStartEvent | TextDeltaEvent | ToolCallEvent | ToolResultEvent | GuardFlagEvent | TurnEndEvent | TurnErrorEvent;
