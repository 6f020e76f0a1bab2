// zod/v4: the same classes as zod 4's root, and present in zod 3.25, so both peer ranges work.
import { z } from 'zod/v4';

/** Tracing settings: the `observability:` section of a kaged project, every field optional. */
export interface TracingConfig {
  /** Share of turns traced, 0 to 1 (Mastra's ratio sampling). Default 1. */
  sampleRate?: number | undefined;
  /** Drop span content before export: `inputs` (messages, prompts, tool arguments), `outputs`. */
  redact?: { inputs?: boolean | undefined; outputs?: boolean | undefined } | undefined;
  /** Langfuse; each key falls back to `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY`, `LANGFUSE_BASE_URL`. */
  langfuse?: LangfuseConfig | undefined;
  /** Flush spans when a traced turn ends (in the background, bounded). Default false. */
  flushEachTurn?: boolean | undefined;
  /** Langfuse's `environment` (and the local traces' `environment`). */
  environment?: string | undefined;
  /** Langfuse's `release`. */
  release?: string | undefined;
  /**
   * How much of a turn is exported: `compact` (default) leaves out model chunks, processor runs,
   * memory operations and mappings, which operators do not read; `full` keeps every span.
   */
  detail?: 'compact' | 'full' | undefined;
  /** Traces kept in the application's Mastra store. */
  localTraces?: { enabled?: boolean | undefined; maxTraces?: number | undefined; maxAgeDays?: number | undefined } | undefined;
  /** Tool outputs longer than this are cut in spans (the model gets them whole); 0 keeps them whole. Default 2000. */
  toolOutputMaxChars?: number | undefined;
}

export interface LangfuseConfig {
  publicKey?: string | undefined;
  secretKey?: string | undefined;
  baseUrl?: string | undefined;
  /** One request per span instead of batches (about every 5 s). Default false. */
  realtime?: boolean | undefined;
}

export const LANGFUSE_CLOUD_URL = 'https://cloud.langfuse.com';
export const DEFAULT_MAX_TRACES = 1000;
export const DEFAULT_MAX_AGE_DAYS = 7;
export const DEFAULT_SAMPLE_RATE = 1;
/** Characters of a tool's output kept in its span (the Ambient Code platform keeps 500). */
export const DEFAULT_TOOL_OUTPUT_MAX_CHARS = 2000;

/**
 * The `observability:` section as a project file writes it: the one source of the tracing
 * settings' defaults, bounds and messages (local traces by default, Langfuse when keys are
 * given). Its output is a `TracingConfig` with every default filled in, plus `tags`.
 */
export const tracingSchema = z.strictObject({
  /** Share of turns traced, 0 to 1. */
  sampleRate: z.number().min(0, 'sampleRate must be between 0 and 1').max(1, 'sampleRate must be between 0 and 1').default(DEFAULT_SAMPLE_RATE),
  /** Drop span content before export; timings, tokens and ids stay. */
  redact: z.strictObject({ inputs: z.boolean().default(false), outputs: z.boolean().default(false) }).prefault({}),
  /** Each key falls back to LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL. */
  langfuse: z
    .strictObject({
      publicKey: z.string().optional(),
      secretKey: z.string().optional(),
      baseUrl: z.url({ protocol: /^https?$/, error: `baseUrl must be an http(s) URL such as ${LANGFUSE_CLOUD_URL}` }).optional(),
      realtime: z.boolean().default(false),
    })
    .optional(),
  /** Flush spans in the background when a traced turn ends. */
  flushEachTurn: z.boolean().default(false),
  /** Added to every turn's trace tags. */
  tags: z
    .array(z.string().min(1).max(100))
    .max(50)
    .default(() => []),
  /** `compact` leaves out the chunk, processor, memory and mapping spans; `full` keeps them. */
  detail: z.enum(['compact', 'full'], { error: 'detail must be compact or full' }).default('compact'),
  environment: z.string().min(1).max(100).optional(),
  release: z.string().min(1).max(200).optional(),
  /** Tool outputs longer than this are cut in spans, marked `…[truncated N chars]`; 0 keeps them whole. */
  toolOutputMaxChars: z
    .number()
    .int('toolOutputMaxChars must be a whole number of characters')
    .min(0, 'toolOutputMaxChars must be 0 (keep outputs whole) or more')
    .max(10_000_000, 'toolOutputMaxChars must be at most 10000000')
    .default(DEFAULT_TOOL_OUTPUT_MAX_CHARS),
  localTraces: z
    .strictObject({
      enabled: z.boolean().default(true),
      maxTraces: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_TRACES),
      maxAgeDays: z.number().positive().max(3650).default(DEFAULT_MAX_AGE_DAYS),
    })
    .prefault({}),
});

/** Tracing settings as parsed from a project file: every default applied. */
export type TracingSettings = z.output<typeof tracingSchema>;

export type ResolvedLangfuse =
  | { state: 'on'; publicKey: string; secretKey: string; baseUrl: string; realtime: boolean }
  /** One key given, the other missing: Langfuse stays off and the reason is logged. */
  | { state: 'incomplete'; missing: ('publicKey' | 'secretKey')[] }
  | { state: 'off' };

/** Langfuse settings from config, else the environment (config wins); `on` needs both keys. */
export function resolveLangfuse(config: LangfuseConfig | undefined, env: Record<string, string | undefined>): ResolvedLangfuse {
  const publicKey = config?.publicKey || env.LANGFUSE_PUBLIC_KEY || undefined;
  const secretKey = config?.secretKey || env.LANGFUSE_SECRET_KEY || undefined;
  if (!publicKey && !secretKey) return { state: 'off' };
  if (!publicKey || !secretKey) return { state: 'incomplete', missing: publicKey ? ['secretKey'] : ['publicKey'] };
  const baseUrl = (config?.baseUrl || env.LANGFUSE_BASE_URL || LANGFUSE_CLOUD_URL).replace(/\/+$/, '');
  return { state: 'on', publicKey, secretKey, baseUrl, realtime: config?.realtime ?? false };
}

/** A URL without credentials, query or fragment, for logs and status lines. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
