import { describe, expect, it } from 'vitest';
import { InvalidModelIdError } from './errors/invalid-model-id-error.js';
import { KagedLlmError } from './errors/kaged-llm-error.js';
import { parseModelId } from './model-id.js';

describe('parseModelId', () => {
  it('splits a plain id into provider and model', () => {
    expect(parseModelId('ollama/llama3.2')).toEqual({ provider: 'ollama', model: 'llama3.2' });
  });

  it('splits at the first slash only: model names may contain slashes', () => {
    expect(parseModelId('openrouter/meta-llama/llama-3.1-8b')).toEqual({ provider: 'openrouter', model: 'meta-llama/llama-3.1-8b' });
  });

  it('keeps the characters after the first slash verbatim, including a leading slash', () => {
    expect(parseModelId('a//b')).toEqual({ provider: 'a', model: '/b' });
  });

  it.each(['', 'nomodel', '/x', 'x/', '/'])('rejects %j with InvalidModelIdError', (id) => {
    let caught: unknown;
    try {
      parseModelId(id);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidModelIdError);
    expect(KagedLlmError.isInstance(caught)).toBe(true);
    const error = caught as InvalidModelIdError;
    expect(error.code).toBe('invalid_model_id');
    expect(error.name).toBe('InvalidModelIdError');
    expect(error.modelId).toBe(id);
    expect(error.message).toBe(`invalid model id "${id}": expected "<provider>/<model>", for example "ollama/llama3.2"`);
  });
});

describe('KagedLlmError.isInstance', () => {
  it('is false for plain errors and non-objects', () => {
    expect(KagedLlmError.isInstance(new Error('x'))).toBe(false);
    expect(KagedLlmError.isInstance(null)).toBe(false);
    expect(KagedLlmError.isInstance('invalid_model_id')).toBe(false);
    expect(KagedLlmError.isInstance({ code: 'invalid_model_id' })).toBe(false);
  });

  it('recognises an error from another copy of the package by its registered symbol', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('kaged.llm.error')]: true, code: 'invalid_model_id' });
    expect(KagedLlmError.isInstance(foreign)).toBe(true);
  });

  it('does not claim errors of other kaged packages', () => {
    const harnessError = Object.assign(new Error('x'), { [Symbol.for('kaged.error')]: true, [Symbol.for('kaged.harness.error')]: true, code: 'unknown_agent' });
    expect(KagedLlmError.isInstance(harnessError)).toBe(false);
    expect(Symbol.for('kaged.error') in new InvalidModelIdError('x')).toBe(true);
  });
});
