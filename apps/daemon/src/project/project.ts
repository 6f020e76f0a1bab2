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
  /** Every prompt: agents' system prompts and tool description overrides. */
  prompts: PromptDefinition[];
  /** Files besides prompts whose edits change the project: the project file and scripts. */
  watchFiles: string[];
  server: { host: string; port: number; token?: string | undefined };
  sessions: { lastMessages: number };
}

export { toolDescriptionPromptId } from '@kaged/harness';

/** The id of an agent's system prompt: the config field that defines it. */
export function agentPromptId(agentId: string): string {
  return `agents.${agentId}.prompt`;
}
