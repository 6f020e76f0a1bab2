import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scriptSchema } from './script.js';

function issuesOf(input: unknown): { path: PropertyKey[]; message: string; code: string }[] {
  const result = scriptSchema.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message, code: i.code }));
}

describe('scriptSchema', () => {
  it('applies defaults: tool input {} and zero usage counts', () => {
    const script = scriptSchema.parse({
      models: {
        m: [{ steps: [{ tools: [{ name: 'current_time' }], usage: { input: 7 } }] }],
      },
    });
    expect(script).toEqual({
      models: {
        m: [
          {
            steps: [
              {
                tools: [{ name: 'current_time', input: {} }],
                usage: { input: 7, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 },
              },
            ],
          },
        ],
      },
    });
  });

  it('accepts a full rule set unchanged', () => {
    const input = {
      models: {
        '*': [
          { when: '^time$', steps: [{ tools: [{ name: 't', input: { a: 1 } }] }, { text: 'done', delayMs: 5 }] },
          { steps: [{ text: 'x', tools: [{ name: 'y', input: {} }] }] },
        ],
      },
    };
    expect(scriptSchema.parse(input)).toEqual(input);
  });

  it('rejects a step with neither text nor tools', () => {
    expect(issuesOf({ models: { m: [{ steps: [{ delayMs: 5 }] }] } })).toEqual([
      { path: ['models', 'm', 0, 'steps', 0], message: 'a step needs "text", "tools" or both', code: 'custom' },
    ]);
  });

  it('rejects an invalid regular expression in when', () => {
    expect(issuesOf({ models: { m: [{ when: '(unclosed', steps: [{ text: 'x' }] }] } })).toEqual([
      { path: ['models', 'm', 0, 'when'], message: 'not a valid regular expression', code: 'custom' },
    ]);
  });

  it.each([
    ['at the top level', { models: { m: [{ steps: [{ text: 'x' }] }] }, extra: 1 }, []],
    ['in a rule', { models: { m: [{ steps: [{ text: 'x' }], match: 'x' }] } }, ['models', 'm', 0]],
    ['in a step', { models: { m: [{ steps: [{ text: 'x', delay: 5 }] }] } }, ['models', 'm', 0, 'steps', 0]],
    ['in a tool call', { models: { m: [{ steps: [{ tools: [{ name: 't', args: {} }] }] }] } }, ['models', 'm', 0, 'steps', 0, 'tools', 0]],
    ['in usage', { models: { m: [{ steps: [{ text: 'x', usage: { cached: 1 } }] }] } }, ['models', 'm', 0, 'steps', 0, 'usage']],
  ])('rejects unknown keys %s', (_where, input, path) => {
    const issues = issuesOf(input);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: 'unrecognized_keys', path });
  });

  it.each([
    ['no models key', {}],
    ['a model with no rules', { models: { m: [] } }],
    ['a rule with no steps', { models: { m: [{ steps: [] }] } }],
    ['an empty tool list', { models: { m: [{ steps: [{ tools: [] }] }] } }],
    ['a tool with an empty name', { models: { m: [{ steps: [{ tools: [{ name: '' }] }] }] } }],
    ['a negative usage count', { models: { m: [{ steps: [{ text: 'x', usage: { input: -1 } }] }] } }],
    ['a fractional usage count', { models: { m: [{ steps: [{ text: 'x', usage: { output: 1.5 } }] }] } }],
    ['a negative delay', { models: { m: [{ steps: [{ text: 'x', delayMs: -1 }] }] } }],
    ['a delay over ten minutes', { models: { m: [{ steps: [{ text: 'x', delayMs: 600_001 }] }] } }],
    ['an empty model name', { models: { '': [{ steps: [{ text: 'x' }] }] } }],
  ])('rejects %s', (_what, input) => {
    expect(scriptSchema.safeParse(input).success).toBe(false);
  });

  it('throws a ZodError from parse', () => {
    expect(() => scriptSchema.parse({ models: { m: [{ steps: [{}] }] } })).toThrow(z.ZodError);
  });
});
