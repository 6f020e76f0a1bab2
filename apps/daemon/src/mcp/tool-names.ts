/** What providers accept as a function name (OpenAI, Anthropic, Gemini agree on this much). */
export const MODEL_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** One entry of an agent's `tools:` that names an MCP server: `files.read_text_file` or `files.*`. */
export interface McpToolRef {
  server: string;
  /** `*` for all of the server's tools. */
  tool: string;
}

/** `files.read_text_file` -> `{ server: 'files', tool: 'read_text_file' }`; a built-in name -> undefined. */
export function parseMcpToolRef(name: string): McpToolRef | undefined {
  const dot = name.indexOf('.');
  if (dot <= 0 || dot === name.length - 1) return undefined;
  return { server: name.slice(0, dot), tool: name.slice(dot + 1) };
}

/**
 * The name the model sees for tool `tool` of server `server`: Mastra's own `<server>_<tool>`,
 * with characters providers refuse replaced by `_` and cut to 64 characters. Server names
 * carry no `_` (see mcp-settings.ts), so the server part stays unambiguous.
 */
export function modelToolName(server: string, tool: string): string {
  return `${server}_${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}
