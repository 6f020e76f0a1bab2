import { generateText } from 'ai';
import { describe, expect, it } from 'vitest';
import { KagedLlmError } from '../../errors/kaged-llm-error.js';
import { NoSuchModelError } from '../../errors/no-such-model-error.js';
import { ScriptedLanguageModel } from './scripted-language-model.js';
import { createScriptedProvider } from './scripted-provider.js';

describe('createScriptedProvider', () => {
  const provider = createScriptedProvider({
    name: 'demo',
    script: {
      models: {
        assistant: [{ steps: [{ text: 'I am the assistant' }] }],
        researcher: [{ steps: [{ text: 'I am the researcher' }] }],
      },
    },
  });

  it('creates a scripted model for a known model name', async () => {
    const model = provider('researcher');
    expect(model).toBeInstanceOf(ScriptedLanguageModel);
    expect(model.provider).toBe('demo');
    expect(model.modelId).toBe('researcher');
    expect((await generateText({ model, prompt: 'who are you?' })).text).toBe('I am the researcher');
  });

  it('throws NoSuchModelError naming the provider, the model and the known models for an unknown name', () => {
    let caught: unknown;
    try {
      provider('writer');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NoSuchModelError);
    expect(KagedLlmError.isInstance(caught)).toBe(true);
    const error = caught as NoSuchModelError;
    expect(error.code).toBe('unknown_model');
    expect(error.name).toBe('NoSuchModelError');
    expect(error.modelId).toBe('demo/writer');
    expect(error.message).toBe(
      'unknown model "demo/writer": the script of provider "demo" has no model "writer" (models: assistant, researcher; "*" matches any)',
    );
  });

  it('lets a "*" model catch any name, while an exact name still wins', async () => {
    const wildcard = createScriptedProvider({
      name: 'any',
      script: {
        models: {
          '*': [{ steps: [{ text: 'wildcard' }] }],
          special: [{ steps: [{ text: 'special' }] }],
        },
      },
    });
    const model = wildcard('whatever/with-slash');
    expect(model.provider).toBe('any');
    expect(model.modelId).toBe('whatever/with-slash');
    expect((await generateText({ model, prompt: 'x' })).text).toBe('wildcard');
    expect((await generateText({ model: wildcard('special'), prompt: 'x' })).text).toBe('special');
  });

  it('validates the script when the provider is created, not when a model is used', () => {
    expect(() => createScriptedProvider({ name: 'bad', script: { models: { m: [{ steps: [{}] }] } } })).toThrow(
      expect.objectContaining({
        code: 'invalid_provider',
        message: 'provider "bad": invalid script: models.m.0.steps.0: a step needs "text", "tools" or both',
      }),
    );
  });
});
