import { type AnyExportedSpan, SpanType } from '@mastra/core/observability';
import { SpanConverter } from '@mastra/otel-exporter';
import { describe, expect, it } from 'vitest';
import { mapToLangfuseAttributes, reshapeForLangfuse } from './langfuse-attributes.js';

// Mastra's own converter, then kaged's mapping: the attributes Langfuse ingests.
async function converted(span: Partial<AnyExportedSpan>): Promise<Record<string, unknown>> {
  const full = {
    id: 'a'.repeat(16),
    traceId: 'b'.repeat(32),
    name: 'inference: 0',
    startTime: new Date(0),
    endTime: new Date(10),
    isEvent: false,
    isRootSpan: false,
    ...span,
  } as AnyExportedSpan;
  const shaped = reshapeForLangfuse(full);
  const otel = (await new SpanConverter({ packageName: '@mastra/langfuse', format: 'GenAI_v1_38_0' }).convertSpan(shaped)) as unknown as {
    attributes: Record<string, unknown>;
  };
  mapToLangfuseAttributes(otel.attributes, shaped, { version: '9.9.9' });
  return otel.attributes;
}

describe('mapToLangfuseAttributes', () => {
  it('sends a cache-write split as usage_details in Langfuse names, each token counted once', async () => {
    const attributes = await converted({
      type: SpanType.MODEL_INFERENCE,
      attributes: {
        model: 'claude-sonnet-4-5',
        usage: {
          inputTokens: 1000,
          outputTokens: 50,
          inputDetails: { cacheRead: 300, cacheWrite: 400, cacheWrite5m: 100, cacheWrite1h: 250 },
          outputDetails: { reasoning: 20 },
        },
      } as never,
      output: { text: 'hi', toolCalls: [] } as never,
    });
    // OtelIngestionProcessor.extractUsageDetails reads `langfuse.observation.usage_details` first;
    // the split keys are the ones Langfuse's Anthropic prices use (input_cache_creation_5m/_1h).
    expect(JSON.parse(attributes['langfuse.observation.usage_details'] as string)).toEqual({
      input: 300,
      output: 30,
      input_cached_tokens: 300,
      input_cache_creation: 50,
      input_cache_creation_5m: 100,
      input_cache_creation_1h: 250,
      output_reasoning_tokens: 20,
    });
    expect(Object.keys(attributes).filter((k) => /5m|1h|reasoning_tokens/.test(k) && k.startsWith('gen_ai.'))).toEqual([]);
    expect(attributes['gen_ai.usage.reasoning.output_tokens']).toBe(20);
    expect(attributes['langfuse.version']).toBe('9.9.9');
  });

  it('keeps GenAI keys without a split (no usage_details)', async () => {
    const attributes = await converted({
      type: SpanType.MODEL_INFERENCE,
      attributes: { model: 'm', usage: { inputTokens: 10, outputTokens: 5, outputDetails: { reasoning: 2 } } } as never,
    });
    expect(attributes['langfuse.observation.usage_details']).toBeUndefined();
    expect(attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.reasoning.output_tokens': 2 });
  });
});
