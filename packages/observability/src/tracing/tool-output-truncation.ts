import { redactSecretFields } from '@kaged/core';
import { type AnySpan, SpanType, type SpanOutputProcessor } from '@mastra/core/observability';

/** Spans whose output is what a tool returned: kaged's tools, MCP servers' tools, a provider's own. */
const TOOL_SPAN_TYPES: ReadonlySet<string> = new Set([SpanType.TOOL_CALL, SpanType.MCP_TOOL_CALL, SpanType.PROVIDER_TOOL_CALL]);

export interface ToolOutputTruncationOptions {
  /** Longer outputs are cut to this many characters in spans. 0 keeps every output whole. */
  maxChars: number;
  /** Removes secret values from the text kept (a cut JSON text escapes Mastra's key-based filter). */
  scrub?: ((text: string) => string) | undefined;
}

/**
 * Cuts what a tool returned to `maxChars` characters in its span, with the count of what was left
 * out: `…[truncated 12345 chars]`. A file read or a web page is the bulk of a trace otherwise,
 * in the local store and in Langfuse alike. Only the span is cut: the model was given the whole
 * output (Mastra hands the tool's result to the model, not the span's copy), and the next model
 * call's input, which holds it as a message, is left as it is.
 *
 * An output that is not text is cut as JSON, after its secret-named fields are censored: Mastra's
 * `SensitiveDataFilter`, which runs after kaged's processors, cannot parse a cut JSON text.
 */
export class ToolOutputTruncationProcessor implements SpanOutputProcessor {
  readonly name = 'kaged-tool-output-truncation';
  readonly #maxChars: number;
  readonly #scrub: (text: string) => string;
  /** The text this processor put on a span: Mastra runs processors at every event of a span. */
  readonly #cut = new WeakMap<AnySpan, string>();

  constructor(options: ToolOutputTruncationOptions) {
    this.#maxChars = Math.max(0, Math.floor(options.maxChars));
    this.#scrub = options.scrub ?? ((text) => text);
  }

  process(span?: AnySpan): AnySpan | undefined {
    if (!span || this.#maxChars === 0 || !TOOL_SPAN_TYPES.has(span.type) || span.output === undefined || span.output === null) return span;
    if (this.#cut.get(span) === span.output) return span;
    const text = textOf(span.output);
    if (text === undefined || text.length <= this.#maxChars) return span;
    const cut = truncateText(this.#scrub(text), this.#maxChars);
    // A new value on the span: the object the tool returned (and the model read) is not touched.
    span.output = cut as never;
    this.#cut.set(span, cut);
    return span;
  }

  async shutdown(): Promise<void> {}
}

/** `text` cut to `maxChars` characters plus `…[truncated N chars]`; unchanged when it fits. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  // Not between the two halves of a surrogate pair: a lone half is not valid UTF-8.
  const end = maxChars > 0 && isHighSurrogate(text.charCodeAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${text.slice(0, end)}…[truncated ${text.length - end} chars]`;
}

/** The output as the exporters would write it: text as is, anything else as JSON with secret fields censored. */
function textOf(output: unknown): string | undefined {
  if (typeof output === 'string') {
    const parsed = parseJson(output);
    return parsed === undefined ? output : JSON.stringify(redactSecretFields(parsed));
  }
  try {
    return JSON.stringify(redactSecretFields(output));
  } catch {
    // A cycle or a BigInt: left to the exporters, which have their own way with it.
    return undefined;
  }
}

/** A JSON object or array in text (a tool that answers JSON as a string); otherwise undefined. */
function parseJson(text: string): object | undefined {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
