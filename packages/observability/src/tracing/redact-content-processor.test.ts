import type { AnySpan } from '@mastra/core/observability';
import { describe, expect, it } from 'vitest';
import { RedactContentProcessor } from './redact-content-processor.js';

const span = () =>
  ({
    input: [{ role: 'user', content: 'hello' }],
    output: { text: 'hi' },
    attributes: { instructions: 'You are…', usage: { inputTokens: 3 } },
  }) as unknown as AnySpan;

describe('RedactContentProcessor', () => {
  it('drops inputs (and the system prompt) and keeps everything else, on the same span instance', () => {
    const input = span();
    const result = new RedactContentProcessor({ inputs: true }).process(input);
    expect(result).toBe(input);
    expect(result).toMatchObject({ input: undefined, output: { text: 'hi' }, attributes: { usage: { inputTokens: 3 } } });
    expect(result!.attributes).not.toHaveProperty('instructions');
  });

  it('drops outputs only when asked', () => {
    const result = new RedactContentProcessor({ outputs: true }).process(span());
    expect(result).toMatchObject({ input: [{ content: 'hello' }], output: undefined, attributes: { instructions: 'You are…' } });
  });
});
