import { KagedError } from '@kaged/core';
import { describe, expect, it } from 'vitest';
import { PromptLoadError } from './prompt-load-error.js';

describe('PromptLoadError', () => {
  const error = new PromptLoadError('agents.a.prompt', '/p/a.md', Object.assign(new Error('no'), { code: 'ENOENT' }));

  it('keeps its code, name and message', () => {
    expect(error).toMatchObject({ code: 'prompt_unreadable', name: 'PromptLoadError', promptId: 'agents.a.prompt', path: '/p/a.md' });
    expect(error.message).toBe('agents.a.prompt: cannot read prompt file /p/a.md: file not found');
  });

  it('is recognised by its marker, and is a kaged error', () => {
    expect(PromptLoadError.isInstance(error)).toBe(true);
    expect(KagedError.isInstance(error)).toBe(true);
    expect(PromptLoadError.isInstance(new KagedError('prompt_unreadable', 'same code, other class'))).toBe(false);
    expect(PromptLoadError.isInstance({ code: 'prompt_unreadable' })).toBe(false);
  });
});
