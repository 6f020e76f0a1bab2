import { describe, expect, it } from 'vitest';
import { defaultGuards, guardConfigOf, guardsSchema, resolveGuards } from './guard-config.js';

const issues = (value: unknown) => {
  const result = guardsSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
};

describe('guard settings', () => {
  it('default every guard, from the schema', () => {
    expect(defaultGuards).toEqual({
      maxSteps: true,
      repeatedToolCall: 3,
      tokenSpike: { zScore: 3, minTurns: 10, window: 50 },
      expectTools: [],
      degenerateOutput: { minUniqueWordRatio: 0.3, minWords: 20 },
    });
    expect(resolveGuards(undefined)).toEqual(defaultGuards);
    expect(resolveGuards({ repeatedToolCall: 0 })).toEqual({ ...defaultGuards, repeatedToolCall: 0 });
  });

  it('fill the defaults of what is left out, also inside a guard', () => {
    const config = guardConfigOf(guardsSchema.parse({ tokenSpike: { zScore: 4 }, degenerateOutput: false }));
    expect(config).toEqual({ ...defaultGuards, tokenSpike: { zScore: 4, minTurns: 10, window: 50 }, degenerateOutput: false });
    expect(guardConfigOf(guardsSchema.parse({}))).toEqual(defaultGuards);
    expect(guardsSchema.parse({}).expectTools).not.toBe(guardsSchema.parse({}).expectTools);
  });

  it('turn plain expected tool names into one expectation, listed first', () => {
    const config = guardConfigOf(guardsSchema.parse({ expectTools: [{ tools: ['b'], when: 'weather' }, 'a', 'c'] }));
    expect(config.expectTools).toEqual([{ tools: ['a', 'c'] }, { tools: ['b'], when: 'weather' }]);
  });

  it('reject what cannot work, with the field and a message', () => {
    expect(issues({ repeatedToolCall: -1 })).toEqual(['repeatedToolCall: Too small: expected number to be >=0']);
    expect(issues({ expectTools: [{ tools: ['a'], when: '(' }] })).toEqual(['expectTools.0.when: not a valid regular expression']);
    expect(issues({ tokenSpike: { window: 1 } })).toEqual(['tokenSpike.window: Too small: expected number to be >=2']);
    expect(issues({ colour: 'red' })).toEqual([': Unrecognized key: "colour"']);
  });
});
