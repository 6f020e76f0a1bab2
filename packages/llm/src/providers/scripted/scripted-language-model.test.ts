import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LanguageModelV4Prompt, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { generateText, isStepCount, streamText, tool, type ModelMessage } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { KagedLlmError } from '../../errors/kaged-llm-error.js';
import { ScriptExhaustedError } from '../../errors/script-exhausted-error.js';
import { scriptSchema, type ScriptInput } from './script.js';
import { ScriptedLanguageModel } from './scripted-language-model.js';

type RulesInput = ScriptInput['models'][string];

/** A scripted model whose rules went through the real schema (so defaults apply). */
function scripted(rules: RulesInput, modelId = 'm'): ScriptedLanguageModel {
  const script = scriptSchema.parse({ models: { [modelId]: rules } });
  return new ScriptedLanguageModel({ provider: 'demo', modelId, rules: script.models[modelId]! });
}

function userText(text: string): LanguageModelV4Prompt[number] {
  return { role: 'user', content: [{ type: 'text', text }] };
}

async function readAll(stream: ReadableStream<LanguageModelV4StreamPart>): Promise<LanguageModelV4StreamPart[]> {
  const parts: LanguageModelV4StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return parts;
    parts.push(value);
  }
}

const clockInput = z.object({ q: z.string().optional() });

describe('ScriptedLanguageModel: identity', () => {
  it('is a v4 language model with the given provider and model id', () => {
    const model = scripted([{ steps: [{ text: 'x' }] }], 'assistant');
    expect(model.specificationVersion).toBe('v4');
    expect(model.provider).toBe('demo');
    expect(model.modelId).toBe('assistant');
    expect(model.supportedUrls).toEqual({});
  });
});

describe('ScriptedLanguageModel: rule selection', () => {
  const model = scripted([
    { when: '^time', steps: [{ text: 'time rule' }] },
    { when: 'weather', steps: [{ text: 'weather rule' }] },
    { steps: [{ text: 'fallback rule' }] },
    { steps: [{ text: 'never reached' }] },
  ]);

  it.each([
    ['time please', 'time rule'],
    ['TIME please', 'time rule'],
    ['What is the WeAtHeR like?', 'weather rule'],
    ['time and weather', 'time rule'],
    ['what time is it', 'fallback rule'],
    ['hello', 'fallback rule'],
    ['', 'fallback rule'],
  ])('%j selects %j (case-insensitive regex, first match wins, rule without when is the fallback)', async (message, expected) => {
    const result = await generateText({ model, prompt: message });
    expect(result.text).toBe(expected);
  });

  it('matches against the last user message only, not earlier ones nor the system prompt', async () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: 'weather rule' },
      { role: 'user', content: 'hello again' },
    ];
    const result = await generateText({ model, instructions: 'time weather', messages });
    expect(result.text).toBe('fallback rule');
  });

  it('joins the text parts of a multi-part user message before matching', async () => {
    const result = await generateText({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'wea' },
            { type: 'text', text: 'ther' },
          ],
        },
      ],
    });
    expect(result.text).toBe('weather rule');
  });

  it('answers with an explanatory text when only `when` rules exist and none matches', async () => {
    const strict = scripted([{ when: 'only this', steps: [{ text: 'matched' }] }], 'picky');
    expect((await generateText({ model: strict, prompt: 'something else' })).text).toBe('(scripted model "picky" has no rule matching this message)');
    expect((await generateText({ model: strict, prompt: 'ONLY THIS please' })).text).toBe('matched');
  });
});

describe('ScriptedLanguageModel: steps within a turn', () => {
  const model = scripted([
    {
      when: 'time',
      steps: [{ tools: [{ name: 'clock', input: { q: 'now for {{message}}' } }] }, { text: 'The time is {{toolResult}}' }],
    },
    { steps: [{ text: 'plain' }] },
  ]);

  it('plays a tool call then text across two model calls of one generateText loop', async () => {
    const seen: unknown[] = [];
    const result = await generateText({
      model,
      prompt: 'what time is it?',
      tools: {
        clock: tool({
          inputSchema: clockInput,
          execute: async (input) => {
            seen.push(input);
            return '12:00';
          },
        }),
      },
      stopWhen: isStepCount(3),
    });
    expect(result.steps).toHaveLength(2);
    const [first, second] = result.steps;
    expect(first!.finishReason).toBe('tool-calls');
    expect(first!.rawFinishReason).toBe('tool_calls');
    expect(first!.text).toBe('');
    expect(first!.toolCalls).toHaveLength(1);
    expect(first!.toolCalls[0]).toMatchObject({ toolName: 'clock', input: { q: 'now for what time is it?' } });
    expect(first!.toolCalls[0]!.toolCallId).toMatch(/^call_[0-9a-f]{8}_0$/);
    expect(first!.toolResults[0]).toMatchObject({ toolName: 'clock', output: '12:00' });
    expect(seen).toEqual([{ q: 'now for what time is it?' }]);
    expect(second!.finishReason).toBe('stop');
    expect(second!.text).toBe('The time is 12:00');
    expect(result.text).toBe('The time is 12:00');
  });

  it('derives the step from the prompt alone: assistant messages after the last user message', async () => {
    // A hand-written history in which the tool step already happened: the model is stateless,
    // so it must go straight to step 2 without any tool being called.
    const afterToolCall: ModelMessage[] = [
      { role: 'user', content: 'time?' },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'clock', input: {} }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'clock', output: { type: 'text', value: '09:30' } }] },
    ];
    const result = await generateText({ model, messages: afterToolCall });
    expect(result.steps).toHaveLength(1);
    expect(result.toolCalls).toEqual([]);
    expect(result.text).toBe('The time is 09:30');
  });

  it('starts over at step 1 after a new user message', async () => {
    const messages: ModelMessage[] = [
      { role: 'user', content: 'plain first' },
      { role: 'assistant', content: 'plain' },
      { role: 'user', content: 'time now' },
    ];
    const result = await generateText({ model, messages, tools: { clock: tool({ inputSchema: clockInput }) } });
    // The tool has no execute function, so the loop stops after the model's tool call.
    expect(result.steps).toHaveLength(1);
    expect(result.toolCalls.map((c) => [c.toolName, c.input])).toEqual([['clock', { q: 'now for time now' }]]);
  });

  it('emits several tool calls of one step with distinct ids, and text alongside tools', async () => {
    const both = scripted([
      {
        steps: [
          {
            text: 'calling two',
            tools: [
              { name: 'clock', input: { q: 'a' } },
              { name: 'clock', input: { q: 'b' } },
            ],
          },
        ],
      },
    ]);
    const result = await generateText({ model: both, prompt: 'go', tools: { clock: tool({ inputSchema: clockInput }) } });
    expect(result.text).toBe('calling two');
    expect(result.finishReason).toBe('tool-calls');
    expect(result.toolCalls.map((c) => c.input)).toEqual([{ q: 'a' }, { q: 'b' }]);
    const [a, b] = result.toolCalls.map((c) => c.toolCallId);
    expect(a).toMatch(/^call_[0-9a-f]{8}_0$/);
    expect(b).toMatch(/^call_[0-9a-f]{8}_1$/);
  });
});

describe('ScriptedLanguageModel: placeholders', () => {
  it('renders {{message}}, {{userMessages}} and {{system}} in text', async () => {
    const model = scripted([{ steps: [{ text: 'msg=[{{message}}] users={{userMessages}} system=[{{ system }}]' }] }]);
    const result = await generateText({
      model,
      instructions: 'You are terse.',
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'second' },
      ],
    });
    expect(result.text).toBe('msg=[second] users=2 system=[You are terse.]');
  });

  it('renders {{system}} as empty without a system prompt, and leaves unknown placeholders verbatim', async () => {
    const model = scripted([{ steps: [{ text: 'system=[{{system}}] tool=[{{toolResult}}] {{unknown}} {{ message }}' }] }]);
    const result = await generateText({ model, prompt: 'hi' });
    expect(result.text).toBe('system=[] tool=[] {{unknown}} hi');
  });

  it('renders in a single pass: placeholders inside the user message stay literal', async () => {
    const model = scripted([{ steps: [{ text: 'echo: {{message}}' }] }]);
    const result = await generateText({ model, instructions: 'SECRET SYSTEM', prompt: 'show {{system}}' });
    expect(result.text).toBe('echo: show {{system}}');
  });

  it('renders {{toolResult}} as JSON for a structured tool result', async () => {
    const model = scripted([{ steps: [{ tools: [{ name: 'lookup' }] }, { text: 'got {{toolResult}}' }] }]);
    const result = await generateText({
      model,
      prompt: 'look it up',
      tools: { lookup: tool({ inputSchema: z.object({}), execute: async () => ({ city: 'Oslo', temp: -3, tags: ['cold'] }) }) },
      stopWhen: isStepCount(3),
    });
    expect(result.text).toBe('got {"city":"Oslo","temp":-3,"tags":["cold"]}');
  });

  it('renders placeholders in every string of a tool input, deeply, and leaves other values alone', async () => {
    const model = scripted([
      {
        steps: [
          {
            tools: [
              {
                name: 'search',
                input: {
                  query: '{{message}}',
                  nested: { who: 'users={{userMessages}}', list: ['{{system}}', 3, true, null, { deep: '[{{message}}]' }] },
                  count: 5,
                  flag: false,
                },
              },
            ],
          },
          { text: 'searched with {{toolResult}}' },
        ],
      },
    ]);
    const received: unknown[] = [];
    const result = await generateText({
      model,
      instructions: 'SYS',
      prompt: 'cats',
      tools: {
        search: tool({
          inputSchema: z.unknown(),
          execute: async (input) => {
            received.push(input);
            return `ok`;
          },
        }),
      },
      stopWhen: isStepCount(3),
    });
    const expected = { query: 'cats', nested: { who: 'users=1', list: ['SYS', 3, true, null, { deep: '[cats]' }] }, count: 5, flag: false };
    expect(received).toEqual([expected]);
    expect(result.steps[0]!.toolCalls[0]!.input).toEqual(expected);
    expect(result.text).toBe('searched with ok');
  });

  it('renders {{toolResult}} inside a tool input of a later step', async () => {
    const model = scripted([
      {
        steps: [{ tools: [{ name: 'first' }] }, { tools: [{ name: 'second', input: { previous: 'was {{toolResult}}' } }] }, { text: 'done: {{toolResult}}' }],
      },
    ]);
    const calls: unknown[] = [];
    const result = await generateText({
      model,
      prompt: 'chain',
      tools: {
        first: tool({ inputSchema: z.object({}), execute: async () => 'one' }),
        second: tool({
          inputSchema: z.object({ previous: z.string() }),
          execute: async (input) => {
            calls.push(input);
            return 'two';
          },
        }),
      },
      stopWhen: isStepCount(5),
    });
    expect(calls).toEqual([{ previous: 'was one' }]);
    expect(result.text).toBe('done: two');
    expect(result.steps).toHaveLength(3);
  });
});

describe('ScriptedLanguageModel: usage', () => {
  it('reports a step’s explicit usage as the AI SDK surfaces it', async () => {
    const model = scripted([{ steps: [{ text: 'counted', usage: { input: 100, output: 10, cacheRead: 40, cacheWrite: 5, reasoning: 3 } }] }]);
    const result = streamText({ model, prompt: 'x' });
    expect(await result.text).toBe('counted');
    expect(await result.usage).toEqual({
      inputTokens: 100,
      inputTokenDetails: { noCacheTokens: 55, cacheReadTokens: 40, cacheWriteTokens: 5 },
      outputTokens: 10,
      outputTokenDetails: { textTokens: 7, reasoningTokens: 3 },
      totalTokens: 110,
    });
  });

  it('fills omitted usage fields with 0 and sums usage over the steps of a loop', async () => {
    const model = scripted([
      {
        steps: [
          { tools: [{ name: 'clock' }], usage: { input: 100, output: 10, cacheRead: 40 } },
          { text: 'done', usage: { input: 150, output: 20, reasoning: 5 } },
        ],
      },
    ]);
    const result = await generateText({
      model,
      prompt: 'x',
      tools: { clock: tool({ inputSchema: clockInput, execute: async () => 'now' }) },
      stopWhen: isStepCount(3),
    });
    expect(result.steps[0]!.usage).toEqual({
      inputTokens: 100,
      inputTokenDetails: { noCacheTokens: 60, cacheReadTokens: 40, cacheWriteTokens: 0 },
      outputTokens: 10,
      outputTokenDetails: { textTokens: 10, reasoningTokens: 0 },
      totalTokens: 110,
    });
    expect(result.totalUsage).toEqual({
      inputTokens: 250,
      inputTokenDetails: { noCacheTokens: 210, cacheReadTokens: 40, cacheWriteTokens: 0 },
      outputTokens: 30,
      outputTokenDetails: { textTokens: 25, reasoningTokens: 5 },
      totalTokens: 280,
    });
  });

  it('estimates usage at 4 characters per token when the step has none (doGenerate)', async () => {
    const model = scripted([{ steps: [{ text: 'hello world' }] }, { steps: [{ text: 'unused' }] }]);
    // JSON.stringify(prompt) is 89 characters: ceil(89 / 4) = 23 input tokens.
    const prompt: LanguageModelV4Prompt = [{ role: 'system', content: 'S' }, userText('hi')];
    const result = await model.doGenerate({ prompt });
    expect(result.content).toEqual([{ type: 'text', text: 'hello world' }]);
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(result.warnings).toEqual([]);
    // Output: 'hello world' (11) + '[]' (2) = 13 characters -> 4 tokens.
    expect(result.usage).toEqual({
      inputTokens: { total: 23, noCache: 23, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 4, text: 4, reasoning: 0 },
    });
  });

  it('counts tool calls in the estimated output (doStream)', async () => {
    const model = scripted([{ steps: [{ tools: [{ name: 't' }] }] }]);
    const prompt: LanguageModelV4Prompt = [{ role: 'system', content: 'S' }, userText('hi')];
    const { stream } = await model.doStream({ prompt });
    const parts = await readAll(stream);
    const finish = parts.at(-1);
    // '[{"name":"t","input":{}}]' is 25 characters -> 7 tokens.
    expect(finish).toEqual({
      type: 'finish',
      finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
      usage: { inputTokens: { total: 23, noCache: 23, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 7, text: 7, reasoning: 0 } },
    });
  });
});

describe('ScriptedLanguageModel: streaming', () => {
  it('streams the text as several word-sized deltas whose concatenation is the text', async () => {
    const text = '  The quick  brown\tfox\njumps. ';
    const model = scripted([{ steps: [{ text }] }]);
    const result = streamText({ model, prompt: 'go' });
    const chunks: string[] = [];
    for await (const chunk of result.textStream) chunks.push(chunk);
    expect(chunks).toEqual(['  ', 'The ', 'quick  ', 'brown\t', 'fox\n', 'jumps. ']);
    expect(chunks.join('')).toBe(text);
    expect(await result.text).toBe(text);
  });

  it('emits the stream parts in protocol order through streamText', async () => {
    const model = scripted([{ steps: [{ text: 'a b c' }] }]);
    const result = streamText({ model, prompt: 'go' });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(types).toEqual(['start', 'start-step', 'text-start', 'text-delta', 'text-delta', 'text-delta', 'text-end', 'finish-step', 'finish']);
    expect(await result.finishReason).toBe('stop');
  });

  it('emits raw v4 parts: stream-start, text block, tool calls, finish', async () => {
    const model = scripted([{ steps: [{ text: 'hi there', tools: [{ name: 'x', input: { a: '{{message}}' } }], usage: { input: 1, output: 2 } }] }]);
    const { stream } = await model.doStream({ prompt: [userText('yo')] });
    const parts = await readAll(stream);
    expect(parts.map((p) => p.type)).toEqual(['stream-start', 'text-start', 'text-delta', 'text-delta', 'text-end', 'tool-call', 'finish']);
    expect(parts.filter((p) => p.type === 'text-delta')).toEqual([
      { type: 'text-delta', id: 'text-0', delta: 'hi ' },
      { type: 'text-delta', id: 'text-0', delta: 'there' },
    ]);
    const call = parts.find((p) => p.type === 'tool-call');
    expect(call).toMatchObject({ type: 'tool-call', toolName: 'x', input: '{"a":"yo"}' });
  });

  it('sends no text block for a tool-only step', async () => {
    const model = scripted([{ steps: [{ tools: [{ name: 'x' }] }] }]);
    const { stream } = await model.doStream({ prompt: [userText('yo')] });
    expect((await readAll(stream)).map((p) => p.type)).toEqual(['stream-start', 'tool-call', 'finish']);
  });
});

describe('ScriptedLanguageModel: delayMs', () => {
  it('waits delayMs before each part after stream-start', async () => {
    // text-start, 2 deltas, text-end, finish = 5 delayed parts.
    const model = scripted([{ steps: [{ text: 'a b', delayMs: 30 }] }]);
    const started = performance.now();
    const result = streamText({ model, prompt: 'go' });
    expect(await result.text).toBe('a b');
    expect(performance.now() - started).toBeGreaterThanOrEqual(5 * 30 - 5);
  });

  it('errors the raw stream with the abort reason as soon as the signal aborts', async () => {
    // 6 delayed parts of 2 s each: 12 s if the signal were ignored.
    const model = scripted([{ steps: [{ text: 'one two three four', delayMs: 2_000 }] }]);
    const controller = new AbortController();
    const { stream } = await model.doStream({ prompt: [userText('go')], abortSignal: controller.signal });
    const reader = stream.getReader();
    expect((await reader.read()).value).toEqual({ type: 'stream-start', warnings: [] });
    const reason = new Error('user pressed stop');
    const started = performance.now();
    setTimeout(() => controller.abort(reason), 50);
    await expect(reader.read()).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('errors at once when the signal is already aborted', async () => {
    const model = scripted([{ steps: [{ text: 'one two', delayMs: 5_000 }] }]);
    const controller = new AbortController();
    const reason = new Error('already gone');
    controller.abort(reason);
    const { stream } = await model.doStream({ prompt: [userText('go')], abortSignal: controller.signal });
    const reader = stream.getReader();
    await reader.read(); // stream-start is never delayed
    const started = performance.now();
    await expect(reader.read()).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(500);
  });

  // BUG: the ReadableStream built in doStream has no cancel() handler, so cancelling it while
  // a delayed chunk is pending leaves that sleep running: its timer (up to delayMs, at most
  // 10 min) keeps the event loop alive and its listener stays on the caller's abort signal.
  // The listener is the deterministic witness: sleep() adds and removes it together with the timer.
  it('releases the pending delay when the consumer cancels the stream', async () => {
    const model = scripted([{ steps: [{ text: 'one two', delayMs: 60_000 }] }]);
    const controller = new AbortController();
    const { stream } = await model.doStream({ prompt: [userText('go')], abortSignal: controller.signal });
    const reader = stream.getReader();
    await reader.read(); // stream-start
    const pending = reader.read(); // now waiting 60 s for text-start
    await sleep(20);
    await reader.cancel('consumer went away');
    expect(await pending).toEqual({ done: true, value: undefined });
    await sleep(20);
    try {
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    } finally {
      controller.abort(); // clears the leaked timer either way
    }
  });

  it('stops a streamText mid-stream promptly when aborted', async () => {
    const model = scripted([{ steps: [{ text: 'one two three four five six', delayMs: 2_000 }] }]);
    const controller = new AbortController();
    let aborted = false;
    const started = performance.now();
    const result = streamText({
      model,
      prompt: 'go',
      abortSignal: controller.signal,
      onAbort: () => {
        aborted = true;
      },
    });
    setTimeout(() => controller.abort(), 100);
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(types.at(-1)).toBe('abort');
    expect(types).not.toContain('text-delta');
    expect(types).not.toContain('finish');
    expect(aborted).toBe(true);
  });
});

describe('ScriptedLanguageModel: exhausted script', () => {
  const model = scripted([{ when: 'loop', steps: [{ tools: [{ name: 'clock' }] }] }]);
  const tools = { clock: tool({ inputSchema: clockInput, execute: async () => 'tick' }) };
  const message =
    'scripted model "m" was asked for step 2 but its matching rule has 1 step(s): ' +
    'add a step, or end the rule with a text-only step so the agent stops calling tools';

  it('rejects generateText with ScriptExhaustedError when the rule runs out of steps', async () => {
    const error = await generateText({ model, prompt: 'loop forever', tools, stopWhen: isStepCount(3) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScriptExhaustedError);
    expect(KagedLlmError.isInstance(error)).toBe(true);
    expect((error as ScriptExhaustedError).code).toBe('script_exhausted');
    expect((error as ScriptExhaustedError).message).toBe(message);
  });

  it('surfaces ScriptExhaustedError as an error part of streamText after the first step', async () => {
    const errors: unknown[] = [];
    const result = streamText({ model, prompt: 'loop', tools, stopWhen: isStepCount(3), onError: ({ error }) => void errors.push(error) });
    const types: string[] = [];
    let streamed: unknown;
    for await (const part of result.fullStream) {
      types.push(part.type);
      if (part.type === 'error') streamed = part.error;
    }
    expect(types).toEqual(['start', 'start-step', 'tool-call', 'tool-result', 'finish-step', 'error']);
    expect(streamed).toBeInstanceOf(ScriptExhaustedError);
    expect((streamed as ScriptExhaustedError).code).toBe('script_exhausted');
    expect(errors).toEqual([streamed]);
  });

  it('throws from doGenerate and doStream when the prompt is past the last step', async () => {
    const prompt: LanguageModelV4Prompt = [
      userText('loop'),
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'clock', input: {} }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', toolName: 'clock', output: { type: 'text', value: 'tick' } }] },
      { role: 'assistant', content: [{ type: 'text', text: 'extra' }] },
    ];
    const third = 'scripted model "m" was asked for step 3 but its matching rule has 1 step(s)';
    await expect(model.doGenerate({ prompt })).rejects.toThrow(third);
    await expect(model.doStream({ prompt })).rejects.toSatisfy((e: unknown) => e instanceof ScriptExhaustedError && e.message.startsWith(third));
  });
});
