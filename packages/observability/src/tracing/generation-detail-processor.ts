import { type AnySpan, SpanType, type SpanOutputProcessor } from '@mastra/core/observability';

/** How much of a turn leaves for the exporters. */
export type TraceDetailLevel = 'compact' | 'full';

/**
 * Span types an operator does not read: left out in `compact` detail. Mastra's
 * `excludeSpanTypes` drops them before any processor and re-parents their children onto the
 * nearest exported ancestor (`getParentSpanId` skips excluded parents). Chunks are not in this
 * list: the processor below needs to see them to time each model call, then drops them itself
 * (they are leaves, nothing to re-parent).
 */
export const COMPACT_EXCLUDED_SPAN_TYPES: readonly SpanType[] = [SpanType.PROCESSOR_RUN, SpanType.MEMORY_OPERATION, SpanType.MAPPING];

/** `errorInfo.id` of a model call that ended with finish reason `error` (Mastra gave it no error). */
export const MODEL_CALL_FAILED = 'MODEL_CALL_FAILED';

/** Chunks the model produced (a `tool-result` chunk comes from kaged's tool, after the call). */
const MODEL_OUTPUT_CHUNKS = new Set(['text', 'reasoning', 'tool-call', 'object']);

export interface GenerationDetailOptions {
  detail?: TraceDetailLevel | undefined;
  /** Removes secrets from error messages (the provider's message can echo a key). */
  scrub?: ((text: string) => string) | undefined;
}

/**
 * Makes each model call (`model_inference`, exported as a `chat` span) complete for every
 * exporter, working around what @mastra/observability 1.17 leaves out:
 *
 * - its input: Mastra opens the inference span without the messages; they are on its
 *   parent step, which is exactly what was sent to the model (system prompt included);
 * - its time to first token: Mastra captures one `completionStartTime` per generation and
 *   copies it onto every call, so from the second call on it lies before the call started.
 *   Here it is the start of the call's first model-output chunk;
 * - its failure: a call the provider refused ends with finish reason `error` but no error, so
 *   it would look like a successful empty answer. It gets an error (the message is the
 *   provider's, when the exporter knows it: see `KagedLangfuseExporter`);
 * - secrets in error messages (Mastra's `SensitiveDataFilter` matches key names only).
 *
 * In `compact` detail, chunk spans are dropped after they have been timed.
 */
export class GenerationDetailProcessor implements SpanOutputProcessor {
  readonly name = 'kaged-generation-detail';
  readonly #compact: boolean;
  readonly #scrub: (text: string) => string;
  /** First model-output chunk start per inference span id; an entry lives for one model call. */
  readonly #firstChunk = new Map<string, Date>();

  constructor(options: GenerationDetailOptions = {}) {
    this.#compact = (options.detail ?? 'compact') === 'compact';
    this.#scrub = options.scrub ?? ((text) => text);
  }

  process(span?: AnySpan): AnySpan | undefined {
    if (!span) return span;
    if (span.errorInfo?.message) span.errorInfo.message = this.#scrub(span.errorInfo.message);
    if (span.type === SpanType.MODEL_CHUNK) return this.#chunk(span);
    if (span.type === SpanType.MODEL_INFERENCE) this.#inference(span);
    return span;
  }

  #chunk(span: AnySpan): AnySpan | undefined {
    const parent = span.parent;
    const chunkType = (span.attributes as { chunkType?: string } | undefined)?.chunkType;
    if (parent?.type === SpanType.MODEL_INFERENCE && !parent.endTime && chunkType && MODEL_OUTPUT_CHUNKS.has(chunkType)) {
      const seen = this.#firstChunk.get(parent.id);
      if (!seen || span.startTime < seen) this.#firstChunk.set(parent.id, span.startTime);
    }
    return this.#compact ? undefined : span;
  }

  #inference(span: AnySpan): void {
    if (span.input === undefined && span.parent?.type === SpanType.MODEL_STEP && span.parent.input !== undefined) {
      span.input = span.parent.input as never;
    }
    // The tools offered to this call: the agent run's (Mastra leaves the call's own list empty).
    const callAttributes = span.attributes as { availableTools?: unknown } | undefined;
    if (callAttributes && callAttributes.availableTools === undefined) {
      let ancestor = span.parent;
      while (ancestor && ancestor.type !== SpanType.AGENT_RUN) ancestor = ancestor.parent;
      const tools = (ancestor?.attributes as { availableTools?: unknown } | undefined)?.availableTools;
      if (Array.isArray(tools) && tools.length > 0) callAttributes.availableTools = tools;
    }
    if (!span.endTime) return;
    const attributes = (span.attributes ?? {}) as { completionStartTime?: Date; finishReason?: string; usage?: unknown };
    const first = this.#firstChunk.get(span.id);
    this.#firstChunk.delete(span.id);
    if (first) attributes.completionStartTime = first;
    else if (attributes.completionStartTime && attributes.completionStartTime < span.startTime) delete attributes.completionStartTime;
    if (attributes.finishReason === 'error' && !span.errorInfo) {
      span.errorInfo = { message: 'the model call failed', id: MODEL_CALL_FAILED, category: 'THIRD_PARTY' } as never;
      // Nothing was counted: no usage to show (Langfuse would otherwise estimate one).
      delete attributes.usage;
    }
  }

  async shutdown(): Promise<void> {
    this.#firstChunk.clear();
  }
}
