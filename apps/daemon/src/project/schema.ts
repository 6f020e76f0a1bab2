import { z } from 'zod';

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, `${what} must start with a letter or digit and use only letters, digits, "_" and "-"`);

/** An inline prompt text, or `{ file }` relative to the project file's directory. */
export const promptRefSchema = z.union([z.string(), z.strictObject({ file: z.string().min(1, 'file must not be empty') })], {
  error: 'expected a prompt text or { file: <path> }',
});

const baseURL = (example: string) => z.url({ protocol: /^https?$/, error: `baseURL must be an http(s) URL such as ${example}` });

/** Settings of every provider that calls a model server (see @kaged/llm's HttpProviderSettings). */
const httpSettings = {
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** How long the server may stay silent (before answering, between streamed chunks). */
  timeoutMs: z.number().int().min(1).max(2_147_483_647).optional(),
  /** Retries of a failed call (429, 5xx, connection errors, timeouts). */
  maxRetries: z.number().int().min(0).max(10).optional(),
};

const openAICompatibleSchema = z.strictObject({
  type: z.literal('openai-compatible'),
  baseURL: baseURL('http://127.0.0.1:11434/v1'),
  ...httpSettings,
});

const openAISchema = z.strictObject({
  type: z.literal('openai'),
  baseURL: baseURL('https://api.openai.com/v1').optional(),
  ...httpSettings,
});

const anthropicSchema = z.strictObject({
  type: z.literal('anthropic'),
  baseURL: baseURL('https://api.anthropic.com/v1').optional(),
  ...httpSettings,
});

const scriptedSchema = z.strictObject({
  type: z.literal('scripted'),
  /** The script file (see docs/project-dsl.md); its own schema is checked when it is loaded. */
  script: z.strictObject({ file: z.string().min(1, 'file must not be empty') }),
});

export const providerSchema = z.discriminatedUnion('type', [openAICompatibleSchema, openAISchema, anthropicSchema, scriptedSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'unknown provider type: expected "openai-compatible", "openai", "anthropic" or "scripted"' : undefined,
});

/** USD per million tokens; `cacheRead`/`cacheWrite` default to `input`. */
export const priceSchema = z.strictObject({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheRead: z.number().min(0).optional(),
  cacheWrite: z.number().min(0).optional(),
});

export const agentSchema = z.strictObject({
  description: z.string().optional(),
  model: z.string().regex(/^[^/\s]+\/\S+$/, 'expected "<provider>/<model>", for example "demo/assistant"'),
  prompt: promptRefSchema,
  tools: z.array(z.string().min(1)).default([]),
  subagents: z.array(z.string().min(1)).default([]),
  maxSteps: z.number().int().min(1).max(100).default(10),
  /** Silent-failure guards (docs/operations.md#guards); defaults apply to what is not set. */
  guards: z.lazy(() => guardsSchema).optional(),
});

const regexSchema = z.string().refine((source) => {
  try {
    new RegExp(source, 'i');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

export const guardsSchema = z.strictObject({
  /** Stop a turn that used all its steps and still wanted tools (`max_steps_reached`). */
  maxSteps: z.boolean().optional(),
  /** Stop a turn that calls one tool with the same input this often; 0 turns it off. */
  repeatedToolCall: z.number().int().min(0).max(100).optional(),
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
    .optional(),
  /** Tools a turn must call: names, or `{ tools, when }` to expect them only for matching messages. */
  expectTools: z.array(z.union([z.string().min(1), z.strictObject({ tools: z.array(z.string().min(1)).min(1), when: regexSchema.optional() })])).optional(),
  /** Flag repetitive or empty answers; `false` turns it off. */
  degenerateOutput: z
    .union([
      z.literal(false),
      z.strictObject({
        minUniqueWordRatio: z.number().min(0).max(1).default(0.3),
        minWords: z.number().int().min(1).max(100_000).default(20),
      }),
    ])
    .optional(),
});

export const toolOverrideSchema = z.strictObject({
  /** What the model reads about the tool: replaces the built-in description. */
  description: promptRefSchema.optional(),
});

export const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7420),
  /** Bearer token for /v1 routes; required when binding a non-loopback address. */
  token: z.string().min(16, 'token must be at least 16 characters').optional(),
});

export const sessionsSchema = z.strictObject({
  /** How many earlier messages of a session the agent sees. */
  lastMessages: z.number().int().min(0).max(1000).default(40),
});

/** Tracing (docs/observability.md): local traces by default, Langfuse when keys are given. */
export const observabilitySchema = z.strictObject({
  /** Share of turns traced, 0 to 1. */
  sampleRate: z.number().min(0, 'sampleRate must be between 0 and 1').max(1, 'sampleRate must be between 0 and 1').default(1),
  /** Drop span content before export; timings, tokens and ids stay. */
  redact: z.strictObject({ inputs: z.boolean().default(false), outputs: z.boolean().default(false) }).prefault({}),
  /** Each key falls back to LANGFUSE_PUBLIC_KEY, LANGFUSE_SECRET_KEY, LANGFUSE_BASE_URL. */
  langfuse: z
    .strictObject({
      publicKey: z.string().optional(),
      secretKey: z.string().optional(),
      baseUrl: z.url({ protocol: /^https?$/, error: 'baseUrl must be an http(s) URL such as https://cloud.langfuse.com' }).optional(),
      realtime: z.boolean().default(false),
    })
    .optional(),
  /** Flush spans in the background when a traced turn ends. */
  flushEachTurn: z.boolean().default(false),
  /** Added to every turn's trace tags. */
  tags: z.array(z.string().min(1).max(100)).max(50).default([]),
  environment: z.string().min(1).max(100).optional(),
  release: z.string().min(1).max(200).optional(),
  localTraces: z
    .strictObject({
      enabled: z.boolean().default(true),
      maxTraces: z.number().int().min(1).max(1_000_000).default(1000),
      maxAgeDays: z.number().positive().max(3650).default(7),
    })
    .prefault({}),
});

/** `kaged.yaml`, version 1: the single source of the project file's types, defaults and messages. */
export const projectSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }),
  name: name('name'),
  providers: z.record(name('provider name'), providerSchema).default({}),
  agents: z.record(name('agent id'), agentSchema).refine((agents) => Object.keys(agents).length > 0, 'define at least one agent'),
  /** Overrides for built-in tools: `tools: { current_time: { description: { file: … } } }`. */
  tools: z.record(z.string().min(1), toolOverrideSchema).default({}),
  /** Prices by model id or glob (`ollama/*`); they win over kaged's built-in list prices. */
  pricing: z.record(z.string().min(1), priceSchema).default({}),
  server: serverSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
  observability: observabilitySchema.prefault({}),
});

export type ProjectFile = z.output<typeof projectSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
