import { z } from 'zod';

const toolCallSchema = z.strictObject({
  name: z.string().min(1).describe('tool name as the agent knows it; subagents are "agent-<id>"'),
  input: z.record(z.string(), z.unknown()).default({}),
});

const usageSchema = z.strictObject({
  input: z.number().int().nonnegative().default(0),
  output: z.number().int().nonnegative().default(0),
  cacheRead: z.number().int().nonnegative().default(0),
  cacheWrite: z.number().int().nonnegative().default(0),
  reasoning: z.number().int().nonnegative().default(0),
});

const stepSchema = z
  .strictObject({
    text: z.string().optional(),
    tools: z.array(toolCallSchema).min(1).optional(),
    usage: usageSchema.optional(),
    /** Pause before each streamed chunk: lets tests hold a turn open. */
    delayMs: z.number().int().nonnegative().max(600_000).optional(),
  })
  .refine((step) => step.text !== undefined || step.tools !== undefined, {
    message: 'a step needs "text", "tools" or both',
  });

const ruleSchema = z.strictObject({
  /** Case-insensitive regular expression tested against the last user message. */
  when: z.string().refine(isValidRegExp, { message: 'not a valid regular expression' }).optional(),
  steps: z.array(stepSchema).min(1),
});

/**
 * A scripted model's behaviour: for each model name, rules tried in order; the first whose
 * `when` matches the last user message (or that has no `when`) is replayed, one step per
 * model call within the turn.
 */
export const scriptSchema = z.strictObject({
  models: z.record(z.string().min(1), z.array(ruleSchema).min(1)),
});

export type Script = z.infer<typeof scriptSchema>;
export type ScriptRule = z.infer<typeof ruleSchema>;
export type ScriptStep = z.infer<typeof stepSchema>;
export type ScriptInput = z.input<typeof scriptSchema>;

function isValidRegExp(source: string): boolean {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}
