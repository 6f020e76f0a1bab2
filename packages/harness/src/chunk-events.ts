import type { ChunkType, LanguageModelUsage } from '@mastra/core/stream';
import type { AgentDefinition } from './agent-definition.js';
import { errorMessageOf } from './error-code.js';
import type { ErrorDescriber } from './ports/error-describer.js';
import type { TurnEvent } from './turn-events.js';
import type { TurnUsageMeter } from './turn-usage.js';

/**
 * Mastra names the tool through which an agent calls its subagent `agent-<id>` (in
 * `Agent.listAgentTools`; it exports no constant for it), and models, scripts and operators'
 * `expectTools` see that name. The one place kaged spells the prefix.
 */
export const SUBAGENT_TOOL_PREFIX = 'agent-';

/** The tool name under which an agent calls subagent `agentId`: `agent-<id>`. */
export function subagentToolName(agentId: string): string {
  return `${SUBAGENT_TOOL_PREFIX}${agentId}`;
}

/** The subagent id a tool name calls, or `undefined` for an ordinary tool. */
export function subagentIdOf(toolName: string | undefined): string | undefined {
  return toolName?.startsWith(SUBAGENT_TOOL_PREFIX) ? toolName.slice(SUBAGENT_TOOL_PREFIX.length) : undefined;
}

/** How deep a subagent's subagent's… stream is unwrapped; deeper nesting is not followed. */
const MAX_NESTING = 10;

export interface ChunkReaderOptions {
  /** The definitions of the turn, to find a subagent's model and describe its errors. */
  definitions: ReadonlyMap<string, AgentDefinition>;
  /** The model of the turn's own agent: its steps count for it. */
  model: string;
  usage: TurnUsageMeter;
  describeError: ErrorDescriber;
}

/**
 * Reads a turn's Mastra stream (`agent.stream().fullStream`) one chunk at a time: returns the
 * turn event a chunk becomes, if any, and keeps what the turn's end needs (the text, the finish
 * reason, a stream error, the usage per model).
 */
export class ChunkReader {
  text = '';
  finishReason = 'unknown';
  /** Set by an `error` or `tripwire` chunk: the turn fails with it. */
  streamError: unknown;
  readonly #options: ChunkReaderOptions;

  constructor(options: ChunkReaderOptions) {
    this.#options = options;
  }

  read(chunk: ChunkType): TurnEvent | undefined {
    switch (chunk.type) {
      case 'text-delta':
        this.text += chunk.payload.text;
        return { type: 'text.delta', text: chunk.payload.text };
      case 'tool-call':
        return { type: 'tool.call', id: chunk.payload.toolCallId, name: chunk.payload.toolName, input: chunk.payload.args ?? {} };
      case 'tool-result':
        return {
          type: 'tool.result',
          id: chunk.payload.toolCallId,
          name: chunk.payload.toolName,
          output: chunk.payload.result ?? null,
          isError: chunk.payload.isError === true,
        };
      case 'tool-error': {
        // A failed subagent call carries its model's error: describe it like a turn error, so
        // what the parent model and the client see is actionable and holds no secrets.
        const subagent = this.#options.definitions.get(subagentIdOf(chunk.payload.toolName) ?? '');
        const described = subagent ? this.#options.describeError(chunk.payload.error, subagent) : undefined;
        return {
          type: 'tool.result',
          id: chunk.payload.toolCallId,
          name: chunk.payload.toolName,
          output: described ? { error: described.message, code: described.code } : { error: errorMessageOf(chunk.payload.error) },
          isError: true,
        };
      }
      case 'tool-output':
        this.#readSubagentOutput(chunk.payload);
        return undefined;
      case 'step-finish':
        this.#options.usage.add(this.#options.model, chunk.payload.output?.usage);
        return undefined;
      case 'finish':
        this.finishReason = chunk.payload.stepResult?.reason ?? this.finishReason;
        return undefined;
      case 'tripwire':
        this.streamError = Object.assign(new Error(chunk.payload.reason ?? 'a processor stopped the turn'), { code: 'tripwire' });
        return undefined;
      case 'error':
        this.streamError = chunk.payload.error ?? new Error('the model stream failed');
        return undefined;
      default:
        return undefined;
    }
  }

  /**
   * A subagent's own stream arrives nested in its tool call `agent-<id>` (a subagent's subagent
   * nests once more): its finished steps count against that subagent's model.
   */
  #readSubagentOutput(payload: ToolOutputLike): void {
    let nested: ToolOutputLike = payload;
    let subagentId: string | undefined;
    for (let depth = 0; depth < MAX_NESTING; depth++) {
      subagentId = subagentIdOf(nested.toolName) ?? subagentId;
      const inner = nested.output;
      if (!isChunkLike(inner)) return;
      if (inner.type === 'step-finish') {
        const model = this.#options.definitions.get(subagentId ?? '')?.model ?? this.#options.model;
        this.#options.usage.add(model, usageOfStepFinish(inner.payload));
        return;
      }
      if (inner.type !== 'tool-output' || !isToolOutputLike(inner.payload)) return;
      nested = inner.payload;
    }
  }
}

/**
 * The part of a `tool-output` payload read here. Mastra types its `output` as `any` (a tool's
 * streamed output): for a subagent it is a chunk of the subagent's stream, checked at run time.
 */
interface ToolOutputLike {
  toolName?: string | undefined;
  output: unknown;
}

interface ChunkLike {
  type: string;
  payload?: unknown;
}

function isChunkLike(value: unknown): value is ChunkLike {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

function isToolOutputLike(value: unknown): value is ToolOutputLike {
  return typeof value === 'object' && value !== null && 'output' in value;
}

/** The usage of a nested `step-finish` chunk (`payload.output.usage`), when it has one. */
function usageOfStepFinish(payload: unknown): LanguageModelUsage | undefined {
  const output = (payload as { output?: { usage?: unknown } } | undefined)?.output;
  const usage = output?.usage;
  return typeof usage === 'object' && usage !== null ? (usage as LanguageModelUsage) : undefined;
}
