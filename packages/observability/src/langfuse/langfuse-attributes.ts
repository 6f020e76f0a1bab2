import { type AnyExportedSpan, SpanType } from '@mastra/core/observability';

// What Langfuse's OTLP ingestion reads (langfuse/langfuse,
// packages/shared/src/server/otel/OtelIngestionProcessor.ts and attributes.ts). Each rule below
// names the function that reads it.

type Attributes = Record<string, unknown>;

export interface LangfuseMappingOptions {
  environment?: string | undefined;
  release?: string | undefined;
  /** kaged's version: `langfuse.version` of every observation and the trace. */
  version?: string | undefined;
  /** Tool descriptions seen so far (from tool calls), by tool name. */
  toolDescriptions?: ReadonlyMap<string, string> | undefined;
}

const METADATA_PREFIX = 'mastra.metadata.';
/** Metadata keys with a dedicated Langfuse field; not repeated as trace metadata (as @mastra/langfuse). */
const DEDICATED_METADATA_KEYS = new Set(['userId', 'sessionId', 'threadId', 'traceName', 'version', 'langfuse']);

/**
 * Mastra's span, reshaped before `SpanConverter` turns it into OpenTelemetry, where the
 * converter's own rules lose what Langfuse would show:
 *
 * - a model call's output `{ text, toolCalls }` becomes an assistant message with text and
 *   tool-call parts (the converter keeps only `text` of such an object: the tool calls vanished);
 * - its input (the step's messages, see `GenerationDetailProcessor`) is wrapped as
 *   `{ messages }`, the shape the converter turns into `gen_ai.input.messages` parts;
 * - the agent run's output `{ text, files }` becomes the answer text (trace output).
 */
export function reshapeForLangfuse(span: AnyExportedSpan): AnyExportedSpan {
  if (span.type === SpanType.MODEL_INFERENCE) {
    const input = Array.isArray(span.input) ? { messages: span.input } : span.input;
    const output = span.output as { text?: unknown; toolCalls?: { toolCallId?: string; toolName?: string; args?: unknown; input?: unknown }[] } | undefined;
    if (output && typeof output === 'object' && !span.errorInfo) {
      const parts: unknown[] = [];
      if (typeof output.text === 'string' && output.text !== '') parts.push({ type: 'text', text: output.text });
      for (const call of output.toolCalls ?? []) {
        parts.push({ type: 'tool-call', toolCallId: call.toolCallId ?? '', toolName: call.toolName ?? '', input: call.args ?? call.input ?? {} });
      }
      return { ...span, input, output: { messages: [{ role: 'assistant', content: parts }] } } as AnyExportedSpan;
    }
    // A failed call answered nothing: no made-up empty message.
    return { ...span, input, output: span.errorInfo ? undefined : span.output } as AnyExportedSpan;
  }
  if (span.type === SpanType.AGENT_RUN && span.output && typeof span.output === 'object' && typeof (span.output as { text?: unknown }).text === 'string') {
    return { ...span, output: (span.output as { text: string }).text } as AnyExportedSpan;
  }
  return span;
}

/**
 * Maps the converted span's attributes to what Langfuse reads, in place: @mastra/langfuse
 * 1.5.8's `mapMastraToLangfuseAttributes` (session, user, tags, trace name/input/output,
 * trace metadata, completion start time, input/output fallbacks), with kaged's corrections.
 */
export function mapToLangfuseAttributes(attributes: Attributes, span: AnyExportedSpan, options: LangfuseMappingOptions = {}): void {
  if (options.environment) attributes['langfuse.environment'] = options.environment;
  if (options.release) attributes['langfuse.release'] = options.release;
  // createObservationEvent / createTraceEvent: `version` is `langfuse.version`, else the
  // resource's `service.version` (which Mastra sets to its own version).
  if (options.version) attributes['langfuse.version'] = options.version;
  delete attributes['mastra.metadata.langfuse'];

  // extractCompletionStartTime reads `langfuse.observation.completion_start_time`.
  move(attributes, 'mastra.completion_start_time', 'langfuse.observation.completion_start_time');
  // extractUserId / extractSessionId.
  move(attributes, 'mastra.metadata.userId', 'user.id');
  const sessionId = attributes['mastra.metadata.sessionId'] ?? attributes['mastra.metadata.threadId'];
  if (sessionId) {
    attributes['session.id'] = sessionId;
    delete attributes['mastra.metadata.sessionId'];
    delete attributes['mastra.metadata.threadId'];
  }
  // extractTags reads a JSON array string.
  move(attributes, 'mastra.tags', 'langfuse.trace.tags');
  move(attributes, 'mastra.metadata.traceName', 'langfuse.trace.name');
  move(attributes, 'mastra.metadata.version', 'langfuse.trace.version');

  if (span.isRootSpan) mapTrace(attributes, span);
  for (const key of Object.keys(attributes)) if (key.startsWith(METADATA_PREFIX)) delete attributes[key];

  if (attributes['gen_ai.agent.id']) attributes['langfuse.observation.metadata.agentId'] = attributes['gen_ai.agent.id'];
  if (attributes['gen_ai.agent.name']) attributes['langfuse.observation.metadata.agentName'] = attributes['gen_ai.agent.name'];
  if (attributes['mastra.span.type']) attributes['langfuse.observation.metadata.spanType'] = attributes['mastra.span.type'];
  // Which MCP server a tool came from, where a Langfuse user filters observations.
  const mcpServer = attributes['mastra.mcp_tool_call.server_name'];
  if (mcpServer) attributes['langfuse.observation.metadata.mcpServer'] = mcpServer;

  if (attributes['gen_ai.operation.name'] === 'chat') mapGeneration(attributes, span, options);
  if (span.type === SpanType.AGENT_RUN || span.type === SpanType.MODEL_INFERENCE) mapToolDefinitions(attributes, span, options);

  // extractInputAndOutput falls back to `langfuse.observation.input/output` for spans without
  // GenAI messages or tool arguments (agent runs, steps, generations).
  if (!attributes['gen_ai.input.messages'] && !attributes['gen_ai.tool.call.arguments']) moveFirst(attributes, '.input', 'langfuse.observation.input');
  if (!attributes['gen_ai.output.messages'] && !attributes['gen_ai.tool.call.result']) moveFirst(attributes, '.output', 'langfuse.observation.output');
}

function mapTrace(attributes: Attributes, span: AnyExportedSpan): void {
  const input = serialize(span.input);
  if (input !== undefined) attributes['langfuse.trace.input'] = input;
  const output = serialize(span.output);
  if (output !== undefined) attributes['langfuse.trace.output'] = output;
  if (!attributes['langfuse.trace.name'] && (span.entityName || span.entityId)) attributes['langfuse.trace.name'] = span.entityName ?? span.entityId;
  // extractMetadata: prefixed keys (`langfuse.trace.metadata.<key>`) keep their value as it
  // comes, so an object sent that way is a JSON string in Langfuse; the whole-object attribute
  // `langfuse.trace.metadata` is JSON-parsed (parseMetadataAttribute). Plain values go prefixed,
  // objects (prompt versions by prompt id) in the whole object.
  const objects: Record<string, unknown> = {};
  const metadata = span.metadata ?? {};
  if (span.type === SpanType.AGENT_RUN) {
    if (span.entityId) attributes['langfuse.trace.metadata.agentId'] = span.entityId;
    if (span.entityName) attributes['langfuse.trace.metadata.agentName'] = span.entityName;
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (DEDICATED_METADATA_KEYS.has(key) || value === null || value === undefined) continue;
    if (typeof value === 'object') objects[key] = value;
    else if (attributes[`langfuse.trace.metadata.${key}`] === undefined) attributes[`langfuse.trace.metadata.${key}`] = String(value);
  }
  if (Object.keys(objects).length > 0) {
    const serialized = serialize(objects);
    if (serialized !== undefined) attributes['langfuse.trace.metadata'] = serialized;
  }
}

function mapGeneration(attributes: Attributes, span: AnyExportedSpan, options: LangfuseMappingOptions): void {
  void options;
  // A failed call: ERROR level comes from the span status (createObservationEvent); no usage
  // keys, so none is shown and, at level ERROR, none is estimated (IngestionService.getUsageUnits).
  if (span.errorInfo) {
    for (const key of Object.keys(attributes)) if (key.startsWith('gen_ai.usage.')) delete attributes[key];
    delete attributes['langfuse.observation.completion_start_time'];
    return;
  }
  // extractGenericGenAiUsageDetails: `reasoning.output_tokens` is the GenAI key it knows and
  // subtracts from output; `reasoning_tokens` (Mastra's) would stay an extra, unpriced key
  // counted on top of the output that already includes it.
  move(attributes, 'gen_ai.usage.reasoning_tokens', 'gen_ai.usage.reasoning.output_tokens');
  // The cache-write split has no GenAI key: Mastra's `cache_creation.5m_input_tokens` would be
  // kept raw and counted next to `cache_creation.input_tokens`, which already includes it.
  // With a split, the usage goes as `langfuse.observation.usage_details` (read before any
  // other key, extractUsageDetails) in Langfuse's own names, which its Anthropic prices use.
  const write5m = numberOr(attributes['gen_ai.usage.cache_creation.5m_input_tokens']);
  const write1h = numberOr(attributes['gen_ai.usage.cache_creation.1h_input_tokens']);
  delete attributes['gen_ai.usage.cache_creation.5m_input_tokens'];
  delete attributes['gen_ai.usage.cache_creation.1h_input_tokens'];
  if (write5m === undefined && write1h === undefined) return;
  const input = numberOr(attributes['gen_ai.usage.input_tokens']) ?? 0;
  const output = numberOr(attributes['gen_ai.usage.output_tokens']) ?? 0;
  const cacheRead = numberOr(attributes['gen_ai.usage.cache_read.input_tokens']) ?? 0;
  const cacheWrite = numberOr(attributes['gen_ai.usage.cache_creation.input_tokens']) ?? (write5m ?? 0) + (write1h ?? 0);
  const reasoning = numberOr(attributes['gen_ai.usage.reasoning.output_tokens']) ?? 0;
  const details: Record<string, number> = {
    input: Math.max(input - cacheRead - cacheWrite, 0),
    output: Math.max(output - reasoning, 0),
  };
  if (cacheRead) details.input_cached_tokens = cacheRead;
  const unsplit = Math.max(cacheWrite - (write5m ?? 0) - (write1h ?? 0), 0);
  if (unsplit) details.input_cache_creation = unsplit;
  if (write5m !== undefined) details.input_cache_creation_5m = write5m;
  if (write1h !== undefined) details.input_cache_creation_1h = write1h;
  if (reasoning) details.output_reasoning_tokens = reasoning;
  attributes['langfuse.observation.usage_details'] = JSON.stringify(details);
}

/**
 * extractToolsBackend (`gen_ai.tool.definitions`) takes an array of definitions, each with a
 * name (`{ type: 'function', name, description, parameters }`); an array of names is rejected
 * and left as a plain attribute.
 */
function mapToolDefinitions(attributes: Attributes, span: AnyExportedSpan, options: LangfuseMappingOptions): void {
  const tools = (span.attributes as { availableTools?: unknown } | undefined)?.availableTools;
  if (!Array.isArray(tools) || tools.length === 0) {
    delete attributes['gen_ai.tool.definitions'];
    return;
  }
  const definitions = tools.map((tool) => {
    if (tool && typeof tool === 'object') return tool;
    const name = String(tool);
    const description = options.toolDescriptions?.get(name);
    return { type: 'function', name, ...(description ? { description } : {}) };
  });
  attributes['gen_ai.tool.definitions'] = JSON.stringify(definitions);
}

function move(attributes: Attributes, from: string, to: string): void {
  if (attributes[from] === undefined || attributes[from] === null || attributes[from] === '') return;
  attributes[to] = attributes[from];
  delete attributes[from];
}

function moveFirst(attributes: Attributes, suffix: string, to: string): void {
  for (const key of Object.keys(attributes)) {
    if (key.startsWith('mastra.') && key.endsWith(suffix)) {
      attributes[to] = attributes[key];
      delete attributes[key];
      return;
    }
  }
}

function serialize(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
