import type { LanguageModelV4 } from '@ai-sdk/provider';
import { InvalidProviderError } from '../../errors/invalid-provider-error.js';
import { NoSuchModelError } from '../../errors/no-such-model-error.js';
import { scriptSchema, type ScriptInput } from './script.js';
import { ScriptedLanguageModel } from './scripted-language-model.js';

/**
 * A demo and test provider: its models replay a script of texts and tool calls. It lets the
 * example project and the test suite run with no LLM.
 */
export function createScriptedProvider(options: { name: string; script: ScriptInput }): (modelId: string) => LanguageModelV4 {
  const parsed = scriptSchema.safeParse(options.script);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(script)'}: ${issue.message}`).join('; ');
    throw new InvalidProviderError(options.name, `invalid script: ${problems}`, { cause: parsed.error });
  }
  const script = parsed.data;
  return (modelId) => {
    const rules = script.models[modelId] ?? script.models['*'];
    if (!rules) {
      const known = Object.keys(script.models).join(', ');
      throw new NoSuchModelError(
        `${options.name}/${modelId}`,
        `the script of provider "${options.name}" has no model "${modelId}" (models: ${known}; "*" matches any)`,
      );
    }
    return new ScriptedLanguageModel({ provider: options.name, modelId, rules });
  };
}
