/** The guards, by the name used in events, logs, metrics and trace scores. */
export type GuardName = 'step_loop' | 'repeated_tool_call' | 'token_spike' | 'expected_tools' | 'degenerate_output';

/** An expectation that the agent calls tools, optionally only for messages matching `when`. */
export interface ExpectedTools {
  tools: string[];
  /** Case-insensitive regular expression on the user's message. Default: every message. */
  when?: string | undefined;
}

/** How an agent's silent failures are caught. Every field has a default (see `defaultGuards`). */
export interface GuardConfig {
  /** Stop, with `max_steps_reached`, a turn that used all its steps and still wanted tools. */
  maxSteps: boolean;
  /** Stop, with `repeated_tool_call`, a turn that calls one tool with the same input this often; 0 turns it off. */
  repeatedToolCall: number;
  /** Flag a turn whose tokens are an outlier against the agent's recent turns; `false` turns it off. */
  tokenSpike: false | { zScore: number; minTurns: number; window: number };
  /** Flag a turn that finishes without calling the expected tools. */
  expectTools: ExpectedTools[];
  /** Flag a very repetitive answer, or an empty answer to a question; `false` turns it off. */
  degenerateOutput: false | { minUniqueWordRatio: number; minWords: number };
}

export const defaultGuards: GuardConfig = {
  maxSteps: true,
  repeatedToolCall: 3,
  tokenSpike: { zScore: 3, minTurns: 10, window: 50 },
  expectTools: [],
  degenerateOutput: { minUniqueWordRatio: 0.3, minWords: 20 },
};

/** What a project may write: any subset, merged over the defaults. */
export type GuardSettings = Partial<GuardConfig>;

export function resolveGuards(settings: GuardSettings | undefined): GuardConfig {
  return { ...defaultGuards, ...settings };
}
