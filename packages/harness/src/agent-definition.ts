import type { GuardSettings } from './guards/guard-config.js';

/** An agent as the project defines it. */
export interface AgentDefinition {
  id: string;
  description?: string | undefined;
  /** `<provider>/<model>`, resolved through the `ModelResolver`. */
  model: string;
  /** Id of the system prompt in the `PromptSource`. */
  promptId: string;
  /** Names of tools from the harness's tool set. */
  tools: string[];
  /** Ids of agents this one may call as tools (Mastra's `agents`). */
  subagents: string[];
  /** Upper bound on model calls in one turn. */
  maxSteps: number;
  /**
   * How often a failed model call (429, 5xx, connection errors, timeouts) is retried, with
   * backoff. Unset: Mastra's default, no retries. The provider's setting, usually.
   */
  maxRetries?: number | undefined;
  /** Silent-failure guards; defaults apply to what is not set (see `defaultGuards`). */
  guards?: GuardSettings | undefined;
}
