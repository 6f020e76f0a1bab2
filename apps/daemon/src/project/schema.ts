import { guardsSchema, turnTimeoutMsSchema } from '@kaged/harness';
import { priceSchema, providerSettingsSchema, type ProviderFileSettings } from '@kaged/llm';
import { tracingSchema, type TracingSettings } from '@kaged/observability/tracing';
import { promptSettingsSchema } from '@kaged/prompt-watcher';
import { z } from 'zod';
import { mcpSchema } from '../mcp/mcp-settings.js';
import { serverSecuritySettings } from '../server/server-security-settings.js';
import { storageSchema } from '../storage/storage-schema.js';

const name = (what: string) =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, `${what} must start with a letter or digit and use only letters, digits, "_" and "-"`);

/** An inline prompt text, or `{ file }` relative to the project file's directory. */
export const promptRefSchema = z.union([z.string(), z.strictObject({ file: z.string().min(1, 'file must not be empty') })], {
  error: 'expected a prompt text or { file: <path> }',
});

export const agentSchema = z.strictObject({
  description: z.string().optional(),
  model: z.string().regex(/^[^/\s]+\/\S+$/, 'expected "<provider>/<model>", for example "demo/assistant"'),
  prompt: promptRefSchema,
  tools: z.array(z.string().min(1)).default([]),
  subagents: z.array(z.string().min(1)).default([]),
  maxSteps: z.number().int().min(1).max(100).default(10),
  /** Silent-failure guards (docs/operations.md#guards): @kaged/harness's schema, defaults applied to what is not set. */
  guards: guardsSchema.optional(),
});

export const toolOverrideSchema = z.strictObject({
  /** What the model reads about the tool: replaces the built-in description. */
  description: promptRefSchema.optional(),
});

export const serverSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7420),
  /** token, allowedOrigins, allowedHosts: server/server-security-settings.ts. */
  ...serverSecuritySettings,
});

export const sessionsSchema = z.strictObject({
  /** How many earlier messages of a session the agent sees. */
  lastMessages: z.number().int().min(0).max(1000).default(40),
  /** The bound on a turn's total time (ms): @kaged/harness's schema, default 10 minutes. */
  turnTimeoutMs: turnTimeoutMsSchema,
});

/**
 * `kaged.yaml`, version 1: the single source of the project file's types, defaults and messages.
 * Each library owns the schema of its own settings and this one composes them: providers and
 * prices from @kaged/llm, guards from @kaged/harness, tracing from @kaged/observability.
 */
export const projectSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }),
  name: name('name'),
  providers: z.record(name('provider name'), providerSettingsSchema).default({}),
  agents: z.record(name('agent id'), agentSchema).refine((agents) => Object.keys(agents).length > 0, 'define at least one agent'),
  /** Overrides for built-in tools: `tools: { current_time: { description: { file: … } } }`. */
  tools: z.record(z.string().min(1), toolOverrideSchema).default({}),
  /** Prices by model id or glob (`ollama/*`); they win over kaged's built-in list prices. */
  pricing: z.record(z.string().min(1), priceSchema).default({}),
  /** Rules for prompt files (docs/project-dsl.md#prompts): `maxFileBytes`, from @kaged/prompt-watcher. */
  prompts: promptSettingsSchema.prefault({}),
  server: serverSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
  /** Where sessions and local traces live (docs/scaling.md): the data directory's LibSQL file, or PostgreSQL. */
  storage: storageSchema.prefault({ type: 'libsql' }),
  /** Tracing (docs/observability.md): local traces by default, Langfuse when keys are given. */
  observability: tracingSchema.prefault({}),
  /** MCP servers whose tools agents list as `<server>.<tool>` / `<server>.*` (docs/tools.md). */
  mcp: mcpSchema.prefault({}),
});

export type ProjectFile = z.output<typeof projectSchema>;
export type ProviderConfig = ProviderFileSettings;
export type AgentConfig = z.output<typeof agentSchema>;
export type ObservabilityConfig = TracingSettings;
