import { KagedLlmError } from './kaged-llm-error.js';

export class ScriptExhaustedError extends KagedLlmError {
  static override readonly marker: string = 'kaged.llm.ScriptExhaustedError';

  readonly modelId: string;
  /** Zero-based index of the step that was asked for. */
  readonly stepIndex: number;

  constructor(modelId: string, stepIndex: number, stepCount: number) {
    super(
      'script_exhausted',
      `scripted model "${modelId}" was asked for step ${stepIndex + 1} but its matching rule has ${stepCount} ` +
        `step(s): add a step, or end the rule with a text-only step so the agent stops calling tools`,
    );
    this.modelId = modelId;
    this.stepIndex = stepIndex;
  }
}
