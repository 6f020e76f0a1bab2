import type { AgentDefinition } from '../agent-definition.js';

/** What `turn.error` says about a failure: a stable snake_case code and an actionable message. */
export interface DescribedError {
  code: string;
  message: string;
}

/**
 * Explains an error a turn failed with, given the agent whose model call raised it: turns a
 * provider's HTTP 401 into `auth_failed` naming the key's variable, a refused connection into
 * `connection_failed` naming the URL, and so on. Return `undefined` for errors it does not know;
 * the harness then uses the error's own `code` and message. `@kaged/llm`'s model registry
 * (`describeError`) and `classifyModelError` fit this shape. Messages must not contain secrets.
 */
export type ErrorDescriber = (error: unknown, agent: AgentDefinition) => DescribedError | undefined;

/** The default: no explanations; errors speak for themselves. */
export const noErrorDescriber: ErrorDescriber = () => undefined;
