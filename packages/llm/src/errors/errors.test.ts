import { KagedError } from '@kaged/core';
import { describe, expect, it } from 'vitest';
import { InvalidModelIdError } from './invalid-model-id-error.js';
import { InvalidPriceError } from './invalid-price-error.js';
import { InvalidProviderError } from './invalid-provider-error.js';
import { KagedLlmError } from './kaged-llm-error.js';
import { MissingApiKeyError } from './missing-api-key-error.js';
import { ModelCallError } from './model-call-error.js';
import { ModelTimeoutError } from './model-timeout-error.js';
import { NoSuchModelError } from './no-such-model-error.js';
import { NoSuchProviderError } from './no-such-provider-error.js';
import { ScriptExhaustedError } from './script-exhausted-error.js';

// One instance of every class this package throws, with the class that must recognise it.
const samples = [
  [InvalidModelIdError, new InvalidModelIdError('nope')],
  [InvalidPriceError, new InvalidPriceError('openai/*', 'input must be a number')],
  [InvalidProviderError, new InvalidProviderError('work', 'unknown type')],
  [MissingApiKeyError, new MissingApiKeyError('openai', 'OPENAI_API_KEY')],
  [ModelCallError, new ModelCallError('timeout', 'slow', { modelId: 'a/b', providerName: 'a' })],
  [ModelTimeoutError, new ModelTimeoutError('http://127.0.0.1/v1', 10)],
  [NoSuchModelError, new NoSuchModelError('a/b', 'no such model')],
  [NoSuchProviderError, new NoSuchProviderError('a', [])],
  [ScriptExhaustedError, new ScriptExhaustedError('demo/a', 1, 1)],
] as const;

describe('llm errors', () => {
  it('tell siblings apart: each class recognises only its own instances', () => {
    expect(NoSuchModelError.isInstance(new MissingApiKeyError('openai', 'OPENAI_API_KEY'))).toBe(false);
    for (const [type] of samples) {
      for (const [other, otherError] of samples)
        expect((type as typeof KagedLlmError).isInstance(otherError), `${type.name}.isInstance(${other.name})`).toBe(type === other);
    }
  });

  it('are all recognised by the package base and by KagedError, and keep name and code', () => {
    for (const [type, error] of samples) {
      expect(KagedLlmError.isInstance(error)).toBe(true);
      expect(KagedError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(KagedLlmError);
      expect(error.name).toBe(type.name);
      expect(typeof error.code).toBe('string');
    }
  });

  it('have distinct markers under kaged.llm', () => {
    const markers = [KagedLlmError, ...samples.map(([type]) => type)].map((type) => type.marker);
    expect(new Set(markers).size).toBe(markers.length);
    expect(KagedLlmError.marker).toBe('kaged.llm.error');
    for (const [type] of samples) expect(type.marker).toBe(`kaged.llm.${type.name}`);
  });

  it('are not recognised from look-alikes: a plain object with the code, another package’s error', () => {
    expect(KagedLlmError.isInstance({ code: 'missing_api_key', name: 'MissingApiKeyError' })).toBe(false);
    expect(MissingApiKeyError.isInstance(new KagedError('missing_api_key', 'same code, other class'))).toBe(false);
    expect(KagedLlmError.isInstance(new KagedError('x', 'a kaged error of another package'))).toBe(false);
  });
});
