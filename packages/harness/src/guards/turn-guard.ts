import type { TurnUsage } from '../turn-events.js';
import type { GuardConfig, GuardName } from './guard-config.js';
import { uniqueWordRatio, wordsOf } from './output-checks.js';
import type { TokenBaselines } from './token-baseline.js';

/** One guard tripping in one turn. `stop` ends the turn with an error; `flag` only reports. */
export interface GuardTrip {
  guard: GuardName;
  action: 'stop' | 'flag';
  message: string;
  details: Record<string, unknown>;
}

/** The turn.error code of each guard that stops turns. */
export const guardErrorCodes: Partial<Record<GuardName, string>> = {
  step_loop: 'max_steps_reached',
  repeated_tool_call: 'repeated_tool_call',
};

/** Watches one turn of one agent. */
export class TurnGuard {
  readonly #agentId: string;
  readonly #config: GuardConfig;
  readonly #message: string;
  readonly #maxSteps: number;
  readonly #baselines: TokenBaselines;
  readonly #calls = new Map<string, number>();
  readonly #toolsCalled = new Set<string>();

  constructor(options: { agentId: string; config: GuardConfig; message: string; maxSteps: number; baselines: TokenBaselines }) {
    this.#agentId = options.agentId;
    this.#config = options.config;
    this.#message = options.message;
    this.#maxSteps = options.maxSteps;
    this.#baselines = options.baselines;
  }

  /** Called for each of the agent's tool calls; a trip here stops the turn. */
  onToolCall(name: string, input: unknown): GuardTrip | undefined {
    this.#toolsCalled.add(name);
    const limit = this.#config.repeatedToolCall;
    if (limit <= 0) return undefined;
    const key = `${name}\u0000${stableJson(input)}`;
    const count = (this.#calls.get(key) ?? 0) + 1;
    this.#calls.set(key, count);
    if (count < limit) return undefined;
    return {
      guard: 'repeated_tool_call',
      action: 'stop',
      message: `agent "${this.#agentId}" called ${name} with the same input ${count} times in one turn: the turn was stopped. Check the prompt and the tool's result, or raise guards.repeatedToolCall`,
      details: { tool: name, count, limit },
    };
  }

  /** Called once the model finished; returns what trips (a `stop` first, if any). */
  onFinish(result: { text: string; finishReason: string; usage: TurnUsage }): GuardTrip[] {
    const trips: GuardTrip[] = [];
    if (this.#config.maxSteps && result.finishReason === 'tool-calls') {
      trips.push({
        guard: 'step_loop',
        action: 'stop',
        message: `agent "${this.#agentId}" used all ${this.#maxSteps} steps and still wanted to call tools: the turn was stopped. Raise agents.${this.#agentId}.maxSteps if the task needs more, or check the prompt for a loop`,
        details: { maxSteps: this.#maxSteps },
      });
    }

    const spike = this.#config.tokenSpike;
    if (spike) {
      const tokens = result.usage.inputTokens + result.usage.outputTokens;
      const judged = this.#baselines.judge(this.#agentId, tokens, spike);
      if (judged.spike) {
        trips.push({
          guard: 'token_spike',
          action: 'flag',
          message: `turn used ${tokens} tokens, ${judged.zScore.toFixed(1)} standard deviations above agent "${this.#agentId}"'s recent mean of ${Math.round(judged.mean)}`,
          details: { tokens, mean: Math.round(judged.mean), std: Math.round(judged.std), zScore: Number(judged.zScore.toFixed(2)), samples: judged.samples },
        });
      }
    }

    for (const expected of this.#config.expectTools) {
      if (expected.when !== undefined && !new RegExp(expected.when, 'i').test(this.#message)) continue;
      const missing = expected.tools.filter((tool) => !this.#toolsCalled.has(tool));
      if (missing.length > 0) {
        trips.push({
          guard: 'expected_tools',
          action: 'flag',
          message: `agent "${this.#agentId}" finished without calling ${missing.join(', ')}${expected.when ? ` (expected for messages matching /${expected.when}/i)` : ''}`,
          details: { missing, called: [...this.#toolsCalled] },
        });
      }
    }

    const degenerate = this.#config.degenerateOutput;
    if (degenerate) {
      const words = wordsOf(result.text);
      const ratio = uniqueWordRatio(words);
      if (words.length === 0 && wordsOf(this.#message).length > 0 && result.finishReason !== 'tool-calls') {
        trips.push({
          guard: 'degenerate_output',
          action: 'flag',
          message: `agent "${this.#agentId}" gave an empty answer to a non-empty message`,
          details: { words: 0 },
        });
      } else if (words.length >= degenerate.minWords && ratio < degenerate.minUniqueWordRatio) {
        trips.push({
          guard: 'degenerate_output',
          action: 'flag',
          message: `agent "${this.#agentId}"'s answer is repetitive: ${Math.round(ratio * 100)}% of its ${words.length} words are distinct`,
          details: { words: words.length, uniqueWordRatio: Number(ratio.toFixed(3)) },
        });
      }
    }
    return trips;
  }
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` are the same input. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
