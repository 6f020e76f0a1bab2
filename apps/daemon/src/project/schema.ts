import { z } from 'zod';

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, `${what} must start with a letter or digit and use only letters, digits, "_" and "-"`);

/** An inline prompt text, or `{ file }` relative to the project file's directory. */
export const promptRefSchema = z.union([z.string(), z.strictObject({ file: z.string().min(1, 'file must not be empty') })], {
  error: 'expected a prompt text or { file: <path> }',
});

const openAICompatibleSchema = z.strictObject({
  type: z.literal('openai-compatible'),
  baseURL: z.url({ protocol: /^https?$/, error: 'baseURL must be an http(s) URL such as http://127.0.0.1:11434/v1' }),
  apiKey: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

const scriptedSchema = z.strictObject({
  type: z.literal('scripted'),
  /** The script file (see docs/project-dsl.md); its own schema is checked when it is loaded. */
  script: z.strictObject({ file: z.string().min(1, 'file must not be empty') }),
});

export const providerSchema = z.discriminatedUnion('type', [openAICompatibleSchema, scriptedSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'unknown provider type: expected "openai-compatible" or "scripted"' : undefined,
});

export const agentSchema = z.strictObject({
  description: z.string().optional(),
  model: z.string().regex(/^[^/\s]+\/\S+$/, 'expected "<provider>/<model>", for example "demo/assistant"'),
  prompt: promptRefSchema,
  tools: z.array(z.string().min(1)).default([]),
  subagents: z.array(z.string().min(1)).default([]),
  maxSteps: z.number().int().min(1).max(100).default(10),
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

/** `kaged.yaml`, version 1: the single source of the project file's types, defaults and messages. */
export const projectSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }),
  name: name('name'),
  providers: z.record(name('provider name'), providerSchema).default({}),
  agents: z.record(name('agent id'), agentSchema).refine((agents) => Object.keys(agents).length > 0, 'define at least one agent'),
  /** Overrides for built-in tools: `tools: { current_time: { description: { file: … } } }`. */
  tools: z.record(z.string().min(1), toolOverrideSchema).default({}),
  server: serverSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
});

export type ProjectFile = z.output<typeof projectSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type AgentConfig = z.output<typeof agentSchema>;
