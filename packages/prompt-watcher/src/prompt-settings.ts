import { z } from 'zod';
import { DEFAULT_PROMPT_MAX_BYTES } from './text-file.js';

/** The most `prompts.maxFileBytes` may be: a bigger prompt does not fit a model's context anyway. */
const MAX_PROMPT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * `prompts:` in kaged.yaml: rules for prompt files. A prompt file must be a regular file
 * (symlinks followed) of UTF-8 text, at most `maxFileBytes` long.
 */
export const promptSettingsSchema = z.strictObject({
  maxFileBytes: z
    .number()
    .int()
    .min(1, 'maxFileBytes must be at least 1')
    .max(MAX_PROMPT_FILE_BYTES, `maxFileBytes must be at most ${MAX_PROMPT_FILE_BYTES} (16 MiB)`)
    .default(DEFAULT_PROMPT_MAX_BYTES),
});

export type PromptSettings = z.output<typeof promptSettingsSchema>;
