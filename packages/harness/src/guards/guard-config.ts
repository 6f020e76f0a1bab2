// zod/v4: the same classes as zod 4's root, and present in zod 3.25, so both peer ranges work.
import { z } from 'zod/v4';

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

const regexSchema = z.string().refine((source) => {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

/**
 * An agent's `guards:` as a project file writes them: the one source of the guards' defaults,
 * bounds and messages. Every field may be left out and takes its default; `expectTools` may
 * list plain tool names, which `guardConfigOf` turns into one expectation. Parse, then hand the
 * output to `guardConfigOf`.
 */
export const guardsSchema = z.strictObject({
  /** Stop a turn that used all its steps and still wanted tools (`max_steps_reached`). */
  maxSteps: z.boolean().default(true),
  /** Stop a turn that calls one tool with the same input this often; 0 turns it off. */
  repeatedToolCall: z.number().int().min(0).max(100).default(3),
  /** Flag turns whose tokens are an outlier for the agent; `false` turns it off. */
  tokenSpike: z
    .union([
      z.literal(false),
      z.strictObject({
        zScore: z.number().positive().default(3),
        minTurns: z.number().int().min(2).max(10_000).default(10),
        window: z.number().int().min(2).max(10_000).default(50),
      }),
    ])
    .prefault({}),
  /** Tools a turn must call: names, or `{ tools, when }` to expect them only for matching messages. */
  expectTools: z
    .array(z.union([z.string().min(1), z.strictObject({ tools: z.array(z.string().min(1)).min(1), when: regexSchema.optional() })]))
    .default(() => []),
  /** Flag repetitive or empty answers; `false` turns it off. */
  degenerateOutput: z
    .union([
      z.literal(false),
      z.strictObject({
        minUniqueWordRatio: z.number().min(0).max(1).default(0.3),
        minWords: z.number().int().min(1).max(100_000).default(20),
      }),
    ])
    .prefault({}),
});

/** `guards:` as written, defaults filled in (`z.output` of `guardsSchema`). */
export type WrittenGuards = z.output<typeof guardsSchema>;

/** Written guards as the harness takes them: plain tool names become one expectation, listed first. */
export function guardConfigOf(written: WrittenGuards): GuardConfig {
  const { expectTools, ...rest } = written;
  const names = expectTools.filter((entry): entry is string => typeof entry === 'string');
  const conditional = expectTools.filter((entry): entry is ExpectedTools => typeof entry !== 'string');
  return { ...rest, expectTools: [...(names.length > 0 ? [{ tools: names }] : []), ...conditional] };
}

/** Every guard's default: what `guardsSchema` makes of an empty `guards:`. */
export const defaultGuards: GuardConfig = guardConfigOf(guardsSchema.parse({}));

/** What a project may write: any subset, merged over the defaults. */
export type GuardSettings = Partial<GuardConfig>;

export function resolveGuards(settings: GuardSettings | undefined): GuardConfig {
  return { ...defaultGuards, ...settings };
}
