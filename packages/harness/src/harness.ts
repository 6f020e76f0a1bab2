import { randomUUID } from 'node:crypto';
import type { ToolsInput } from '@mastra/core/agent';
import type { Mastra } from '@mastra/core/mastra';
import type { MastraMemory } from '@mastra/core/memory';
import type { AgentDefinition } from './agent-definition.js';
import { AgentTrees } from './agent-tree.js';
import { UnknownAgentError } from './errors/unknown-agent-error.js';
import { TokenBaselines } from './guards/token-baseline.js';
import { noErrorDescriber, type ErrorDescriber } from './ports/error-describer.js';
import { silentLogger, type HarnessLogger } from './ports/logger.js';
import { noPricing, type ModelPricing } from './ports/model-pricing.js';
import type { ModelResolver } from './ports/model-resolver.js';
import type { PromptSource } from './ports/prompt-source.js';
import { staticToolSource } from './ports/static-tool-source.js';
import type { ToolSource } from './ports/tool-source.js';
import { isolateTurnObserver, noTurnObserver, type TurnInfo, type TurnObserver } from './ports/turn-observer.js';
import { builtinTools } from './tools/builtin-tools.js';
import type { TurnEvent } from './turn-events.js';
import { observedTurnEvents } from './turn-iterator.js';
import { createSessionReader, type SessionReader } from './session-reader.js';
import { runTurn, type TurnHistoryMessage, type TurnRunnerContext } from './turn-runner.js';
import { DEFAULT_TURN_TIMEOUT_MS } from './turn-watchdog.js';

export interface HarnessOptions {
  agents: readonly AgentDefinition[];
  prompts: PromptSource;
  models: ModelResolver;
  /** Tools agents may list by name, in addition to (or replacing) the built-in ones. */
  tools?: ToolsInput;
  /**
   * Where turns get their tools instead, when they change while the harness runs (MCP servers):
   * each turn takes one snapshot at its message boundary. It replaces `tools` and the built-ins.
   */
  toolSource?: ToolSource;
  /** Session history. Without it every turn starts with no history. */
  memory?: MastraMemory;
  /** The Mastra instance whose observability, logger and storage the agents use. */
  mastra?: Mastra;
  logger?: HarnessLogger;
  /** Added to every turn's trace metadata (project name, kaged version…). */
  traceMetadata?: Record<string, unknown>;
  /** Added to every turn's trace tags, before the request's own (the project's default tags). */
  traceTags?: readonly string[];
  /**
   * Hears about every turn: its scope, start, each event and its end (metrics, trace flush, log
   * correlation, guard scores). `combineTurnObservers` makes one of several. Default: nobody.
   */
  observer?: TurnObserver;
  /**
   * The bound on a turn's total time: past it the turn ends with `turn.error` `turn_timeout`,
   * whatever it waits on. Default 10 minutes (turn-watchdog.ts).
   */
  turnTimeoutMs?: number;
  /** Explains model-call failures for `turn.error` (`auth_failed`, `timeout`…). Default: none. */
  describeError?: ErrorDescriber;
  /** Prices model usage for `turn.end`'s `costUsd`. Default: none, so `costUsd` is `null`. */
  pricing?: ModelPricing;
}

export interface TurnRequest {
  agentId: string;
  message: string;
  /** Continue this session; a new id is created when absent. */
  sessionId?: string | undefined;
  /**
   * The conversation before `message`, kept by the client: the model sees it, and the turn
   * neither reads nor writes session memory (the session id still names the turn's trace).
   */
  history?: readonly TurnHistoryMessage[] | undefined;
  userId?: string | undefined;
  tags?: string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** Aborting ends the turn with `turn.error` code `aborted`. */
  signal?: AbortSignal | undefined;
}

export interface Turn {
  readonly turnId: string;
  readonly sessionId: string;
  readonly agentId: string;
  /** Iterate once. Stopping early (break/return) aborts the model call. */
  readonly events: AsyncIterable<TurnEvent>;
}

export interface AgentInfo {
  id: string;
  description: string | undefined;
  model: string;
  tools: string[];
  subagents: string[];
  maxSteps: number;
  prompt: { id: string; version: string | null; path: string | null };
}

export interface Harness {
  listAgents(): AgentInfo[];
  hasAgent(agentId: string): boolean;
  /** Replaces the agent definitions; turns already running keep the ones they started with. */
  setAgents(agents: readonly AgentDefinition[]): void;
  /** Starts a turn. Throws `UnknownAgentError` at once for an unknown agent. */
  startTurn(request: TurnRequest): Turn;
  /** Number of turns whose events have not finished. */
  readonly activeTurns: number;
  /** Resolves when no turn is running. */
  drain(): Promise<void>;
  /** Aborts every running turn; each ends with `turn.error` code `aborted`. */
  abortAll(reason?: string): void;
  /** The sessions kept in `memory`, with their messages (session-reader.ts); reads nothing without memory. */
  readonly sessions: SessionReader;
}

/**
 * Runs kaged agents on Mastra. Each turn takes one prompt snapshot when it starts (the message
 * boundary) and uses it for every step and subagent call, so prompt edits never reach a running
 * turn. The pieces: agent-tree.ts builds the Mastra agents, turn-runner.ts runs one turn,
 * chunk-events.ts reads Mastra's stream, turn-usage.ts counts and prices, guard-reporting.ts
 * applies the guards, turn-iterator.ts tells the observer.
 */
export function createHarness(options: HarnessOptions): Harness {
  const logger = (options.logger ?? silentLogger).child({ component: 'harness' });
  const tools = options.toolSource ?? staticToolSource({ ...builtinTools, ...options.tools });
  const observer = isolateTurnObserver(options.observer ?? noTurnObserver, (error, call) => logger.debug({ err: error, call }, 'observer.failed'));
  const treesOf = (agents: readonly AgentDefinition[]) =>
    new AgentTrees({
      definitions: indexDefinitions(agents),
      prompts: options.prompts,
      models: options.models,
      tools,
      memory: options.memory,
      mastra: options.mastra,
    });
  let trees = treesOf(options.agents);
  const context: TurnRunnerContext = {
    prompts: options.prompts,
    memory: options.memory,
    logger,
    describeError: options.describeError ?? noErrorDescriber,
    pricing: options.pricing ?? noPricing,
    traceMetadata: options.traceMetadata,
    traceTags: options.traceTags,
    baselines: new TokenBaselines(),
    running: new Set(),
    turnTimeoutMs: options.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS,
  };
  let active = 0;
  let drainWaiters: (() => void)[] = [];
  const hooks = {
    onBegin: () => {
      active++;
    },
    onEnd: () => {
      active--;
      if (active === 0) {
        const waiters = drainWaiters;
        drainWaiters = [];
        for (const resolve of waiters) resolve();
      }
    },
  };

  return {
    listAgents() {
      const snapshot = options.prompts.snapshot();
      return [...trees.definitions.values()].map((d) => {
        const prompt = snapshot.get(d.promptId);
        return {
          id: d.id,
          description: d.description,
          model: d.model,
          tools: [...d.tools],
          subagents: [...d.subagents],
          maxSteps: d.maxSteps,
          prompt: { id: d.promptId, version: prompt?.version ?? null, path: prompt?.path ?? null },
        };
      });
    },
    hasAgent: (agentId) => trees.definitions.has(agentId),
    setAgents(agents) {
      trees = treesOf(agents);
    },
    startTurn(request) {
      if (!trees.definitions.has(request.agentId)) throw new UnknownAgentError(request.agentId, [...trees.definitions.keys()]);
      const turn: TurnInfo = {
        turnId: randomUUID(),
        sessionId: request.sessionId ?? randomUUID(),
        agentId: request.agentId,
        userId: request.userId,
        traceId: null,
      };
      // The turn keeps the definitions current now, whatever setAgents does before it ends.
      const events = runTurn(context, trees, turn, request);
      return { turnId: turn.turnId, sessionId: turn.sessionId, agentId: turn.agentId, events: observedTurnEvents(events, turn, observer, hooks) };
    },
    get activeTurns() {
      return active;
    },
    drain() {
      if (active === 0) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    abortAll(reason = 'aborted by the application') {
      for (const controller of context.running) controller.abort(new Error(reason));
    },
    sessions: createSessionReader(options.memory),
  };
}

function indexDefinitions(agents: readonly AgentDefinition[]): Map<string, AgentDefinition> {
  return new Map(agents.map((a) => [a.id, { ...a, tools: [...a.tools], subagents: [...a.subagents] }]));
}
