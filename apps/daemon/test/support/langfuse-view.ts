import type { ReceivedRequest } from './otlp-receiver.js';

// What Langfuse makes of the OTLP JSON the exporter posted: a small, literal transcription of
// the rules in langfuse/langfuse packages/shared/src/server/otel/OtelIngestionProcessor.ts
// (function named beside each rule), ObservationTypeMapper.ts and attributes.ts. Only the rules
// kaged's spans reach are here; tests assert on this view, not on raw attributes.

export interface LangfuseObservation {
  id: string;
  parentObservationId: string | null;
  traceId: string;
  name: string;
  /** ObservationTypeMapperRegistry: `gen_ai.operation.name` chat → GENERATION, invoke_agent → AGENT, execute_tool → TOOL. */
  type: 'GENERATION' | 'AGENT' | 'TOOL' | 'SPAN';
  startTime: string;
  endTime: string;
  completionStartTime: string | null;
  level: 'ERROR' | 'DEFAULT' | string;
  statusMessage: string | null;
  version: string | null;
  input: unknown;
  output: unknown;
  usageDetails: Record<string, number>;
  attributes: Record<string, unknown>;
}

export interface LangfuseTrace {
  id: string;
  name: string | null;
  input: unknown;
  output: unknown;
  version: string | null;
  metadata: Record<string, unknown>;
  observations: LangfuseObservation[];
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number; message?: string };
  attributes?: { key: string; value: OtlpValue }[];
}

function valueOf(value: OtlpValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

const parse = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** Every trace in the received requests, as Langfuse would store it. */
export function langfuseTraces(requests: readonly ReceivedRequest[]): Map<string, LangfuseTrace> {
  const traces = new Map<string, LangfuseTrace>();
  for (const request of requests) {
    if (!request.body.startsWith('{')) continue;
    const body = JSON.parse(request.body) as {
      resourceSpans?: { resource?: { attributes?: { key: string; value: OtlpValue }[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
    };
    for (const rs of body.resourceSpans ?? []) {
      const resource = Object.fromEntries((rs.resource?.attributes ?? []).map((a) => [a.key, valueOf(a.value)]));
      for (const ss of rs.scopeSpans ?? []) {
        for (const span of ss.spans ?? []) {
          const attributes = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, valueOf(a.value)]));
          const trace = traces.get(span.traceId) ?? { id: span.traceId, name: null, input: null, output: null, version: null, metadata: {}, observations: [] };
          traces.set(span.traceId, trace);
          const observation = toObservation(span, attributes, resource);
          trace.observations.push(observation);
          if (!span.parentSpanId) {
            // createTraceEvent (root span).
            trace.name = (attributes['langfuse.trace.name'] as string) ?? span.name;
            trace.input = attributes['langfuse.trace.input'] ?? null;
            trace.output = attributes['langfuse.trace.output'] ?? null;
            trace.version = observation.version;
            trace.metadata = extractMetadata(attributes, 'langfuse.trace.metadata');
          }
        }
      }
    }
  }
  return traces;
}

function toObservation(span: OtlpSpan, attributes: Record<string, unknown>, resource: Record<string, unknown>): LangfuseObservation {
  const operation = attributes['gen_ai.operation.name'];
  // extractOpenTelemetryGenAiInputAndOutput: messages, else tool arguments/result; the
  // Langfuse attributes first (extractInputAndOutput checks `langfuse.observation.*` before).
  let input = attributes['langfuse.observation.input'] ?? null;
  let output = attributes['langfuse.observation.output'] ?? null;
  if (input === null && output === null) {
    input = attributes['gen_ai.input.messages'] ?? attributes['gen_ai.tool.call.arguments'] ?? null;
    output = attributes['gen_ai.output.messages'] ?? attributes['gen_ai.tool.call.result'] ?? null;
    // prependSystemInstructions: only when the messages have no system message.
    if (attributes['gen_ai.input.messages'] && attributes['gen_ai.system_instructions']) {
      const messages = parse(input) as { role?: string }[];
      if (Array.isArray(messages) && !messages.some((m) => m?.role === 'system')) {
        input = JSON.stringify([{ role: 'system', content: String(attributes['gen_ai.system_instructions']) }, ...messages]);
      }
    }
  }
  const startTime = nanosToIso(span.startTimeUnixNano);
  return {
    id: span.spanId,
    parentObservationId: span.parentSpanId || null,
    traceId: span.traceId,
    name: span.name,
    type: operation === 'chat' ? 'GENERATION' : operation === 'invoke_agent' ? 'AGENT' : operation === 'execute_tool' ? 'TOOL' : 'SPAN',
    startTime,
    endTime: nanosToIso(span.endTimeUnixNano),
    // extractCompletionStartTime.
    completionStartTime: (attributes['langfuse.observation.completion_start_time'] as string) ?? null,
    // createObservationEvent: `langfuse.observation.level`, else ERROR for status code 2.
    level: (attributes['langfuse.observation.level'] as string) ?? (span.status?.code === 2 ? 'ERROR' : 'DEFAULT'),
    statusMessage: (attributes['langfuse.observation.status_message'] as string) ?? span.status?.message ?? null,
    // createObservationEvent: `langfuse.version`, else resource `service.version`.
    version: (attributes['langfuse.version'] as string) ?? (resource['service.version'] as string) ?? null,
    input: parse(input),
    output: parse(output),
    usageDetails: extractUsageDetails(attributes),
    attributes,
  };
}

/** extractUsageDetails → `langfuse.observation.usage_details`, else extractGenericGenAiUsageDetails. */
function extractUsageDetails(attributes: Record<string, unknown>): Record<string, number> {
  const provided = attributes['langfuse.observation.usage_details'];
  if (provided !== undefined) return parse(provided) as Record<string, number>;
  const raw: Record<string, number> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('gen_ai.usage.') && key !== 'gen_ai.usage.cost' && !Number.isNaN(Number(value))) raw[key.slice('gen_ai.usage.'.length)] = Number(value);
  }
  if (Object.keys(raw).length === 0) return {};
  const known = new Set(['input_tokens', 'output_tokens', 'cache_read.input_tokens', 'cache_creation.input_tokens', 'reasoning.output_tokens']);
  const details: Record<string, number> = {};
  for (const [key, value] of Object.entries(raw)) if (!known.has(key)) details[key] = value;
  const cacheRead = raw['cache_read.input_tokens'];
  const cacheWrite = raw['cache_creation.input_tokens'];
  const reasoning = raw['reasoning.output_tokens'];
  if (raw.input_tokens !== undefined) details.input = Math.max(raw.input_tokens - (cacheRead ?? 0) - (cacheWrite ?? 0), 0);
  if (raw.output_tokens !== undefined) details.output = Math.max(raw.output_tokens - (reasoning ?? 0), 0);
  if (cacheRead !== undefined) details.input_cached_tokens = cacheRead;
  if (cacheWrite !== undefined) details.input_cache_creation = cacheWrite;
  if (reasoning !== undefined) details.output_reasoning_tokens = reasoning;
  return details;
}

/** extractMetadata: the whole-object attribute JSON-parsed, then prefixed keys as they are. */
function extractMetadata(attributes: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const whole = parse(attributes[prefix]);
  const metadata: Record<string, unknown> = whole && typeof whole === 'object' ? { ...(whole as object) } : {};
  for (const [key, value] of Object.entries(attributes)) if (key.startsWith(`${prefix}.`)) metadata[key.slice(prefix.length + 1)] = value;
  return metadata;
}

function nanosToIso(nanos: string): string {
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}

/** The tool definitions Langfuse extracts (extractToolsBackend: objects with a name only). */
export function toolDefinitions(observation: LangfuseObservation): { name: string; description?: string }[] | null {
  const value = parse(observation.attributes['gen_ai.tool.definitions']);
  if (!Array.isArray(value) || !value.every((t) => t && typeof t === 'object' && typeof (t.function ?? t).name === 'string')) return null;
  return value.map((t) => t.function ?? t);
}
