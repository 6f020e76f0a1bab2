import { z } from 'zod';
import { ANTHROPIC_BASE_URL } from './anthropic.js';
import { OLLAMA_BASE_URL, providerTypes } from './builtin-providers.js';
import { MAX_RETRIES_LIMIT, MAX_TIMEOUT_MS } from './http-settings.js';
import { OPENAI_BASE_URL } from './openai.js';

// The settings of providers as a settings file (kaged.yaml, JSON) writes them: the one source of
// their bounds and messages. The factories check the same bounds again for plain JavaScript
// callers (see http-settings.ts), with the constants exported beside them.

const baseURL = (example: string) => z.url({ protocol: /^https?$/, error: `baseURL must be an http(s) URL such as ${example}` });

/** Settings of every provider that calls a model server (`HttpProviderSettings` without `fetch`). */
export const httpSettingsShape = {
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** How long the server may stay silent (before answering, between streamed chunks). */
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional(),
  /** Retries of a failed call (429, 5xx, connection errors, timeouts). */
  maxRetries: z.number().int().min(0).max(MAX_RETRIES_LIMIT).optional(),
};

export const openAICompatibleSettingsSchema = z.strictObject({
  type: z.literal('openai-compatible'),
  baseURL: baseURL(OLLAMA_BASE_URL),
  ...httpSettingsShape,
});

export const openAISettingsSchema = z.strictObject({
  type: z.literal('openai'),
  baseURL: baseURL(OPENAI_BASE_URL).optional(),
  ...httpSettingsShape,
});

export const anthropicSettingsSchema = z.strictObject({
  type: z.literal('anthropic'),
  baseURL: baseURL(ANTHROPIC_BASE_URL).optional(),
  ...httpSettingsShape,
});

/**
 * A scripted provider in a settings file: the script lives in its own file, read and checked
 * with `scriptSchema` by whoever loads the settings (its errors then point into that file).
 */
export const scriptedSettingsSchema = z.strictObject({
  type: z.literal('scripted'),
  script: z.strictObject({ file: z.string().min(1, 'file must not be empty') }),
});

const typeList = providerTypes.map((type) => `"${type}"`);

/** One provider's settings, told apart by `type`. */
export const providerSettingsSchema = z.discriminatedUnion(
  'type',
  [openAICompatibleSettingsSchema, openAISettingsSchema, anthropicSettingsSchema, scriptedSettingsSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? `unknown provider type: expected ${typeList.slice(0, -1).join(', ')} or ${typeList.at(-1)}` : undefined,
  },
);

/** A provider's settings as a settings file writes them (`ProviderSettings` once its script is loaded). */
export type ProviderFileSettings = z.output<typeof providerSettingsSchema>;
