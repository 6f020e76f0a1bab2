import { type AnySpan, SpanType } from '@mastra/core/observability';
import { describe, expect, it } from 'vitest';
import { ToolOutputTruncationProcessor, truncateText } from './tool-output-truncation.js';
import { tracingSchema } from './tracing-config.js';

const span = (type: SpanType, output: unknown) => ({ type, output, input: { path: 'x' }, attributes: {} }) as unknown as AnySpan;

describe('ToolOutputTruncationProcessor', () => {
  it('cuts a long tool output in the span, marked with what was left out, without touching the returned object', () => {
    const result = { content: [{ type: 'text', text: 'a'.repeat(5000) }] };
    const tool = span(SpanType.MCP_TOOL_CALL, result);
    const processed = new ToolOutputTruncationProcessor({ maxChars: 500 }).process(tool);
    expect(processed).toBe(tool);
    const text = JSON.stringify(result);
    expect(processed!.output).toBe(`${text.slice(0, 500)}…[truncated ${text.length - 500} chars]`);
    // What the tool returned (and the model reads) is the same object, whole.
    expect(result.content[0]!.text).toHaveLength(5000);
  });

  it('cuts text outputs of plain and provider tools too, and leaves short ones and other spans alone', () => {
    const processor = new ToolOutputTruncationProcessor({ maxChars: 10 });
    expect(processor.process(span(SpanType.TOOL_CALL, 'x'.repeat(25)))!.output).toBe(`${'x'.repeat(10)}…[truncated 15 chars]`);
    expect(processor.process(span(SpanType.PROVIDER_TOOL_CALL, 'y'.repeat(11)))!.output).toBe(`${'y'.repeat(10)}…[truncated 1 chars]`);
    expect(processor.process(span(SpanType.TOOL_CALL, 'short'))!.output).toBe('short');
    expect(processor.process(span(SpanType.AGENT_RUN, 'z'.repeat(25)))!.output).toBe('z'.repeat(25));
    expect(processor.process(span(SpanType.TOOL_CALL, undefined))!.output).toBeUndefined();
  });

  it('cuts once, however often Mastra runs it on the same span', () => {
    const processor = new ToolOutputTruncationProcessor({ maxChars: 10 });
    const tool = span(SpanType.TOOL_CALL, 'x'.repeat(25));
    processor.process(tool);
    processor.process(tool);
    expect(tool.output).toBe(`${'x'.repeat(10)}…[truncated 15 chars]`);
  });

  it('censors secret-named fields and known values before cutting JSON, which the key filter could no longer parse', () => {
    const processor = new ToolOutputTruncationProcessor({ maxChars: 80, scrub: (text) => text.replaceAll('known-value-123', '[redacted]') });
    const output = { apiKey: 'sk-live-0123456789', note: 'known-value-123', body: 'b'.repeat(200) };
    const cut = processor.process(span(SpanType.TOOL_CALL, output))!.output as string;
    expect(cut).not.toContain('sk-live-0123456789');
    expect(cut).not.toContain('known-value-123');
    expect(cut).toContain('"apiKey":"[redacted]"');
    // A tool that answers JSON as text is treated the same way.
    const asText = processor.process(span(SpanType.TOOL_CALL, JSON.stringify(output)))!.output as string;
    expect(asText).not.toContain('sk-live-0123456789');
  });

  it('keeps every output whole with maxChars 0', () => {
    expect(new ToolOutputTruncationProcessor({ maxChars: 0 }).process(span(SpanType.TOOL_CALL, 'x'.repeat(25)))!.output).toBe('x'.repeat(25));
  });

  it('never cuts between the halves of a surrogate pair', () => {
    expect(truncateText(`${'a'.repeat(4)}😀tail`, 5)).toBe(`aaaa…[truncated 6 chars]`);
  });
});

describe('observability.toolOutputMaxChars', () => {
  it('defaults to 2000 and takes 0 (whole outputs) to ten million', () => {
    expect(tracingSchema.parse({}).toolOutputMaxChars).toBe(2000);
    expect(tracingSchema.parse({ toolOutputMaxChars: 500 }).toolOutputMaxChars).toBe(500);
    expect(tracingSchema.parse({ toolOutputMaxChars: 0 }).toolOutputMaxChars).toBe(0);
    const message = (value: unknown) => tracingSchema.safeParse({ toolOutputMaxChars: value }).error?.issues[0]?.message;
    expect(message(-1)).toBe('toolOutputMaxChars must be 0 (keep outputs whole) or more');
    expect(message(2.5)).toBe('toolOutputMaxChars must be a whole number of characters');
  });
});
