import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4GenerateResult,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { ScriptExhaustedError } from '../../errors/script-exhausted-error.js';
import type { ScriptRule, ScriptStep } from './script.js';

/**
 * An AI SDK language model that replays a script instead of calling an LLM. It is stateless:
 * the step to play is derived from the prompt (assistant messages since the last user
 * message), so concurrent turns and sessions never interfere.
 *
 * Step text and string values in tool inputs may use `{{message}}` (last user message), `{{userMessages}}` (number of user
 * messages the model was shown), `{{system}}` (the system prompt), `{{toolResult}}` (the
 * most recent tool result: a string as is, anything else as JSON) and `{{tools}}` (the tools
 * offered to the model, as a JSON object of name to description).
 */
export class ScriptedLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls = {};
  readonly #rules: readonly ScriptRule[];

  constructor(options: { provider: string; modelId: string; rules: readonly ScriptRule[] }) {
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.#rules = options.rules;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const { step, vars } = this.#select(options);
    const content: LanguageModelV4Content[] = [];
    const text = step.text === undefined ? undefined : render(step.text, vars);
    if (text !== undefined) content.push({ type: 'text', text });
    for (const [index, call] of (step.tools ?? []).entries()) {
      content.push({ type: 'tool-call', toolCallId: toolCallId(index), toolName: call.name, input: JSON.stringify(renderDeep(call.input, vars)) });
    }
    return {
      content,
      finishReason: finishReasonOf(step),
      usage: usageOf(step, options.prompt, text ?? ''),
      warnings: [],
    };
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const { step, vars } = this.#select(options);
    const text = step.text === undefined ? undefined : render(step.text, vars);
    // Cancelling the stream must end a pending delay too, or its timer outlives the consumer.
    const cancelled = new AbortController();
    const signal = options.abortSignal ? AbortSignal.any([options.abortSignal, cancelled.signal]) : cancelled.signal;
    const parts = streamParts(step, text, vars, options.prompt);
    const delayMs = step.delayMs ?? 0;
    let index = 0;
    const stream = new ReadableStream<LanguageModelV4StreamPart>({
      cancel(reason) {
        cancelled.abort(reason);
      },
      async pull(controller) {
        if (index >= parts.length) {
          controller.close();
          return;
        }
        const part = parts[index++]!;
        if (delayMs > 0 && part.type !== 'stream-start') {
          try {
            await sleep(delayMs, signal);
          } catch (error) {
            controller.error(error);
            return;
          }
        }
        controller.enqueue(part);
      },
    });
    return { stream };
  }

  #select(options: LanguageModelV4CallOptions): { step: ScriptStep; vars: Record<string, string> } {
    const prompt = options.prompt;
    const message = lastUserText(prompt);
    const rule = this.#rules.find((r) => r.when === undefined || new RegExp(r.when, 'i').test(message));
    // The schema guarantees at least one rule, but a rule list may have only `when` rules.
    if (!rule) {
      return {
        step: { text: `(scripted model "${this.modelId}" has no rule matching this message)` },
        vars: {},
      };
    }
    const stepIndex = assistantMessagesSinceLastUser(prompt);
    const step = rule.steps[stepIndex];
    if (!step) throw new ScriptExhaustedError(this.modelId, stepIndex, rule.steps.length);
    return {
      step,
      vars: {
        message,
        userMessages: String(prompt.filter((m) => m.role === 'user').length),
        system: prompt
          .filter((m) => m.role === 'system')
          .map((m) => m.content)
          .join('\n'),
        toolResult: lastToolResult(prompt),
        tools: JSON.stringify(Object.fromEntries((options.tools ?? []).map((tool) => [tool.name, tool.type === 'function' ? (tool.description ?? '') : '']))),
      },
    };
  }
}

function streamParts(step: ScriptStep, text: string | undefined, vars: Record<string, string>, prompt: LanguageModelV4Prompt): LanguageModelV4StreamPart[] {
  const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  if (text !== undefined && text.length > 0) {
    parts.push({ type: 'text-start', id: 'text-0' });
    for (const chunk of chunksOf(text)) parts.push({ type: 'text-delta', id: 'text-0', delta: chunk });
    parts.push({ type: 'text-end', id: 'text-0' });
  }
  for (const [index, call] of (step.tools ?? []).entries()) {
    parts.push({ type: 'tool-call', toolCallId: toolCallId(index), toolName: call.name, input: JSON.stringify(renderDeep(call.input, vars)) });
  }
  parts.push({ type: 'finish', finishReason: finishReasonOf(step), usage: usageOf(step, prompt, text ?? '') });
  return parts;
}

/** Word-sized chunks, so consumers see a real stream of deltas. */
function chunksOf(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

function toolCallId(index: number): string {
  return `call_${crypto.randomUUID().slice(0, 8)}_${index}`;
}

function finishReasonOf(step: ScriptStep): LanguageModelV4FinishReason {
  return step.tools ? { unified: 'tool-calls', raw: 'tool_calls' } : { unified: 'stop', raw: 'stop' };
}

function usageOf(step: ScriptStep, prompt: LanguageModelV4Prompt, text: string): LanguageModelV4Usage {
  if (step.usage) {
    const { input, output, cacheRead, cacheWrite, reasoning } = step.usage;
    return {
      inputTokens: { total: input, noCache: Math.max(0, input - cacheRead - cacheWrite), cacheRead, cacheWrite },
      outputTokens: { total: output, text: Math.max(0, output - reasoning), reasoning },
    };
  }
  // A rough 4-characters-per-token estimate keeps usage plausible and deterministic.
  const input = Math.ceil(JSON.stringify(prompt).length / 4);
  const output = Math.ceil((text.length + JSON.stringify(step.tools ?? []).length) / 4);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

function lastUserIndex(prompt: LanguageModelV4Prompt): number {
  for (let i = prompt.length - 1; i >= 0; i--) if (prompt[i]!.role === 'user') return i;
  return -1;
}

function lastUserText(prompt: LanguageModelV4Prompt): string {
  const message = prompt[lastUserIndex(prompt)];
  if (message?.role !== 'user') return '';
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function assistantMessagesSinceLastUser(prompt: LanguageModelV4Prompt): number {
  return prompt.slice(lastUserIndex(prompt) + 1).filter((m) => m.role === 'assistant').length;
}

function lastToolResult(prompt: LanguageModelV4Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]!;
    if (message.role !== 'tool') continue;
    for (let j = message.content.length - 1; j >= 0; j--) {
      const part = message.content[j]!;
      if (part.type === 'tool-result') {
        const output = part.output as { type: string; value?: unknown };
        return typeof output.value === 'string' ? output.value : JSON.stringify(output.value ?? null);
      }
    }
  }
  return '';
}

function render(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** Renders placeholders in every string of a tool input. */
function renderDeep(value: unknown, vars: Record<string, string>): unknown {
  if (typeof value === 'string') return render(value, vars);
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, vars));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, vars)]));
  return value;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
