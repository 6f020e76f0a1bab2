import { builtinTools } from '@kaged/harness';
import type { ToolsInput } from '@mastra/core/agent';

/**
 * The tools a project's agents may list by name: kaged's built-in ones today. The project's
 * MCP servers' tools join them here.
 */
export function projectTools(): ToolsInput {
  return { ...builtinTools };
}
