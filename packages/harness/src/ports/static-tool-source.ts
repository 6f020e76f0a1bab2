import type { ToolsInput } from '@mastra/core/agent';
import { AgentDefinitionError } from '../errors/agent-definition-error.js';
import type { SelectedTool, ToolSnapshot, ToolSource } from './tool-source.js';

/** A tool source over a fixed set of tools, listed by their own names: the harness's default. */
export function staticToolSource(tools: ToolsInput): ToolSource {
  const snapshot: ToolSnapshot = {
    version: 'static',
    select(names) {
      const selected = new Map<string, SelectedTool>();
      for (const name of names) {
        const tool = tools[name];
        if (!tool) throw new AgentDefinitionError(`unknown tool "${name}" (tools: ${Object.keys(tools).join(', ')})`);
        selected.set(name, { tool, promptName: name });
      }
      return selected;
    },
  };
  return { snapshot: () => snapshot };
}
