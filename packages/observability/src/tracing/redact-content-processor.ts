import type { AnySpan, SpanOutputProcessor } from '@mastra/core/observability';

export interface RedactContentOptions {
  /** Drop what went into each span: messages, prompts, tool arguments. */
  inputs?: boolean;
  /** Drop what came out: answers, tool results. */
  outputs?: boolean;
}

/**
 * A span output processor that drops span content before any exporter sees it, for operators
 * who may keep timings, tokens and ids but not what was said. Mastra runs output processors on
 * the live span and expects the same instance back, so it clears fields in place.
 */
export class RedactContentProcessor implements SpanOutputProcessor {
  readonly name = 'kaged-redact-content';
  readonly #inputs: boolean;
  readonly #outputs: boolean;

  constructor(options: RedactContentOptions) {
    this.#inputs = options.inputs === true;
    this.#outputs = options.outputs === true;
  }

  process(span?: AnySpan): AnySpan | undefined {
    if (!span) return span;
    if (this.#inputs) {
      span.input = undefined;
      // The system prompt travels as an attribute of the agent run (`gen_ai.system_instructions`).
      const attributes = span.attributes as Record<string, unknown> | undefined;
      if (attributes && 'instructions' in attributes) delete attributes.instructions;
    }
    if (this.#outputs) span.output = undefined;
    return span;
  }

  async shutdown(): Promise<void> {}
}
