import type { ToolsInput } from '@mastra/core/agent';

/** One tool an agent gets for a turn, by the name the model sees. */
export interface SelectedTool {
  readonly tool: ToolsInput[string];
  /**
   * The name its description prompt goes by (`tools.<promptName>.description`): the name the
   * operator wrote (`files.read_text_file`), which may differ from the model's (`files_read_text_file`).
   */
  readonly promptName: string;
}

/** The tools as they are at one message boundary. */
export interface ToolSnapshot {
  /**
   * Changes whenever the tools change. Return the same snapshot object until then: the harness
   * keeps what it derives from a snapshot (tools with operator descriptions) per object.
   */
  readonly version: string;
  /**
   * The tools an agent that lists `names` (its `tools:` entries) gets now, keyed by the name
   * the model sees. A name with no tool right now (a server that never answered) is left out;
   * a name that can never have one throws `AgentDefinitionError`.
   */
  select(names: readonly string[]): ReadonlyMap<string, SelectedTool>;
}

/**
 * Where the harness gets tools (built-in and, in the daemon, MCP servers'). It calls `snapshot()`
 * once when a turn starts, beside the prompt snapshot, and the whole turn keeps those tools.
 */
export interface ToolSource {
  snapshot(): ToolSnapshot;
}
