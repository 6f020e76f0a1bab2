import type { AgentDefinition } from '@kaged/harness';
import type { ProviderSettings } from '@kaged/llm';
import type { PromptDefinition } from '@kaged/prompt-watcher';

/** A loaded, validated project: everything the daemon needs, with paths resolved. */
export interface Project {
  /** Absolute path of the project file. */
  file: string;
  /** Its directory: relative prompt and script paths resolve here. */
  dir: string;
  name: string;
  providers: Record<string, ProviderSettings>;
  agents: AgentDefinition[];
  prompts: PromptDefinition[];
  server: { host: string; port: number; token?: string | undefined };
  sessions: { lastMessages: number };
}

/** The id of an agent's system prompt: the config field that defines it. */
export function agentPromptId(agentId: string): string {
  return `agents.${agentId}.prompt`;
}
