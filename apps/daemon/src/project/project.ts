import type { AgentDefinition } from '@kaged/harness';
import type { ModelPrice, ProviderSettings } from '@kaged/llm';
import type { PromptDefinition } from '@kaged/prompt-watcher';
import type { StorageSettings } from '../storage/storage-schema.js';
import type { ProjectMcp } from '../mcp/project-mcp.js';
import type { ObservabilityConfig } from './schema.js';

/** A loaded, validated project: everything the daemon needs, with paths resolved. */
export interface Project {
  /** Absolute path of the project file. */
  file: string;
  /** Its directory: relative prompt and script paths resolve here. */
  dir: string;
  name: string;
  /** Every provider an agent uses, built-in ones included, API keys filled in from the environment. */
  providers: Record<string, ProviderSettings>;
  /** The project's prices by model id or glob; they win over the built-in list prices. */
  pricing: Record<string, ModelPrice>;
  agents: AgentDefinition[];
  /** Every prompt: agents' system prompts and tool description overrides. */
  prompts: PromptDefinition[];
  /** Files besides prompts whose edits change the project: the project file and scripts. */
  watchFiles: string[];
  server: { host: string; port: number; token?: string | undefined; allowedOrigins: string[]; allowedHosts: string[] };
  sessions: { lastMessages: number; turnTimeoutMs: number };
  /** `storage:`: LibSQL in the data directory (default) or PostgreSQL; the URL may hold a password. */
  storage: StorageSettings;
  /** Tracing settings, defaults applied; Langfuse keys may still come from the environment. */
  observability: ObservabilityConfig;
  /** MCP servers (`mcp.servers`) and where agents list their tools. */
  mcp: ProjectMcp;
}

export { toolDescriptionPromptId } from '@kaged/harness';

/** The id of an agent's system prompt: the config field that defines it. */
export function agentPromptId(agentId: string): string {
  return `agents.${agentId}.prompt`;
}

/** The agent whose system prompt `promptId` is (`agentPromptId`'s inverse); `undefined` for other prompts. */
export function agentOfPromptId(promptId: string): string | undefined {
  return /^agents\.(.+)\.prompt$/.exec(promptId)?.[1];
}
