import type { TurnEndEvent, TurnUsage } from '@kaged/harness';

/** Token usage as the Chat Completions API reports it. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** A turn's usage (every model call, subagents included) in OpenAI's words. */
export function usageOf(usage: TurnUsage): OpenAiUsage {
  return {
    // kaged's input counts cached tokens too, as OpenAI's prompt_tokens does.
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/**
 * OpenAI's finish reason for a turn's. The agent's tool calls ran inside kaged, so a turn never
 * hands tool calls to the client: `tool-calls` (the turn ran out of steps) is `stop` too.
 */
export function finishReasonOf(finishReason: string): 'stop' | 'length' | 'content_filter' {
  if (finishReason === 'length') return 'length';
  if (finishReason === 'content-filter') return 'content_filter';
  return 'stop';
}

/** What every completion and chunk of one turn shares. */
export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

export function completionOf(identity: CompletionIdentity, end: TurnEndEvent) {
  return {
    id: identity.id,
    object: 'chat.completion' as const,
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: end.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finishReasonOf(end.finishReason),
      },
    ],
    usage: usageOf(end.usage),
  };
}

/**
 * The `chat.completion.chunk`s of a streamed turn, as OpenAI sends them: the role first, then
 * the content, then the finish reason, then (with `include_usage`) one chunk with no choices
 * and the usage; every chunk before it carries `usage: null`.
 */
export class ChunkWriter {
  readonly #identity: CompletionIdentity;
  readonly #includeUsage: boolean;

  constructor(identity: CompletionIdentity, includeUsage: boolean) {
    this.#identity = identity;
    this.#includeUsage = includeUsage;
  }

  role() {
    return this.#chunk({ role: 'assistant', content: '', refusal: null }, null);
  }

  content(text: string) {
    return this.#chunk({ content: text }, null);
  }

  finish(end: TurnEndEvent) {
    return this.#chunk({}, finishReasonOf(end.finishReason));
  }

  /** The usage chunk, or `undefined` when the client did not ask for it. */
  usage(end: TurnEndEvent) {
    if (!this.#includeUsage) return undefined;
    return { ...this.#base(), choices: [], usage: usageOf(end.usage) };
  }

  #base() {
    return { id: this.#identity.id, object: 'chat.completion.chunk' as const, created: this.#identity.created, model: this.#identity.model };
  }

  #chunk(delta: Record<string, unknown>, finishReason: string | null) {
    return {
      ...this.#base(),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.#includeUsage ? { usage: null } : {}),
    };
  }
}
