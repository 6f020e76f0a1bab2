import { randomUUID } from 'node:crypto';
import { Agent, type ToolsInput } from '@mastra/core/agent';
import { createTool, Tool } from '@mastra/core/tools';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { Mastra } from '@mastra/core/mastra';
import type { MastraMemory } from '@mastra/core/memory';
import type { AgentDefinition } from './agent-definition.js';
import { AgentDefinitionError } from './errors/agent-definition-error.js';
import { UnknownAgentError } from './errors/unknown-agent-error.js';
import { errorCodeOf, errorMessageOf } from './error-code.js';
import { noErrorDescriber, type ErrorDescriber } from './ports/error-describer.js';
import { silentLogger, type HarnessLogger } from './ports/logger.js';
import { noPricing, type ModelPricing } from './ports/model-pricing.js';
import { noTurnObserver, type TurnObserver } from './ports/turn-observer.js';
import type { ModelResolver } from './ports/model-resolver.js';
import type { PromptSnapshotView, PromptSource } from './ports/prompt-source.js';
import { resolveGuards } from './guards/guard-config.js';
import { TokenBaselines } from './guards/token-baseline.js';
import { guardErrorCodes, TurnGuard, type GuardTrip } from './guards/turn-guard.js';
import { builtinTools } from './tools/builtin-tools.js';
import type { ModelUsage, TurnEvent, TurnUsage } from './turn-events.js';
import { addStepUsage, emptyTurnUsage } from './usage.js';

export interface HarnessOptions {
  agents: readonly AgentDefinition[];
  prompts: PromptSource;
  models: ModelResolver;
  /** Tools agents may list by name, in addition to (or replacing) the built-in ones. */
  tools?: ToolsInput;
  /** Session history. Without it every turn starts with no history. */
  memory?: MastraMemory;
  /** The Mastra instance whose observability, logger and storage the agents use. */
  mastra?: Mastra;
  logger?: HarnessLogger;
  /** Added to every turn's trace metadata (project name, kaged version…). */
  traceMetadata?: Record<string, unknown>;
  /** Added to every turn's trace tags, before the request's own (the project's default tags). */
  traceTags?: readonly string[];
  /** Told about each finished turn (tracing flushes its spans). Default: nobody. */
  observer?: TurnObserver;
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
}

const AGENT_CACHE_SIZE = 32;

/**
 * Runs kaged agents on Mastra. Each turn takes one prompt snapshot when it starts (the message
 * boundary): the Mastra agent tree for that snapshot is built once, cached, and used for every
 * step and subagent call of the turn, so prompt edits never reach a running turn.
 */
export function createHarness(options: HarnessOptions): Harness {
  const logger = (options.logger ?? silentLogger).child({ component: 'harness' });
  const tools: ToolsInput = { ...builtinTools, ...options.tools };
  const describeError = options.describeError ?? noErrorDescriber;
  const pricing = options.pricing ?? noPricing;
  const observer = options.observer ?? noTurnObserver;
  let definitions = indexDefinitions(options.agents);
  let generation = 0;
  const agentCache = new Map<string, Agent>();
  let active = 0;
  let drainWaiters: (() => void)[] = [];
  const running = new Set<AbortController>();
  // Tokens per turn per agent, for the token-spike guard: lives as long as the harness.
  const tokenBaselines = new TokenBaselines();

  function agentFor(agentId: string, snapshot: PromptSnapshotView): Agent {
    const key = `${generation}|${snapshot.version}|${agentId}`;
    const cached = agentCache.get(key);
    if (cached) return cached;
    const agent = buildAgent(agentId, snapshot, true, []);
    agentCache.set(key, agent);
    // Map order is insertion order: the first key is the oldest.
    if (agentCache.size > AGENT_CACHE_SIZE) agentCache.delete(agentCache.keys().next().value!);
    return agent;
  }

  function buildAgent(agentId: string, snapshot: PromptSnapshotView, isPrimary: boolean, callers: string[]): Agent {
    const definition = definitions.get(agentId);
    if (!definition) {
      throw new AgentDefinitionError(`agent "${callers.at(-1)}" lists subagent "${agentId}", which is not defined`);
    }
    if (callers.includes(agentId)) {
      throw new AgentDefinitionError(`subagents form a cycle: ${[...callers, agentId].join(' -> ')}`);
    }
    const prompt = snapshot.get(definition.promptId);
    if (!prompt) {
      throw new AgentDefinitionError(`prompt "${definition.promptId}" of agent "${agentId}" is not loaded`);
    }
    const agentTools: ToolsInput = {};
    for (const name of definition.tools) {
      const tool = tools[name];
      if (!tool) throw new AgentDefinitionError(`agent "${agentId}" lists unknown tool "${name}" (tools: ${Object.keys(tools).join(', ')})`);
      agentTools[name] = withDescription(tool, snapshot.get(toolDescriptionPromptId(name))?.text);
    }
    const subagents = Object.fromEntries(
      definition.subagents.map((id) => [id, buildAgent(id, snapshot, false, [...callers, agentId])]),
    );
    const agent = new Agent({
      id: agentId,
      name: agentId,
      description: definition.description ?? `The ${agentId} agent.`,
      instructions: prompt.text,
      // See LanguageModelLike: the runtime contract is checked by Mastra, not the type copy.
      model: options.models.resolve(definition.model) as MastraModelConfig,
      tools: agentTools,
      agents: subagents,
      // Only the agent the operator talks to keeps session history; subagents get a task each call.
      ...(isPrimary && options.memory ? { memory: options.memory } : {}),
      defaultOptions: { maxSteps: definition.maxSteps },
      // Set, it wins over Mastra's per-call setting; unset, Mastra does not retry (its default 0).
      ...(definition.maxRetries !== undefined ? { maxRetries: definition.maxRetries } : {}),
    });
    if (options.mastra) {
      // What Mastra's own `addAgent` does: the logger arrives as a primitive, not with the
      // instance; without it the agent's errors go to Mastra's console logger.
      agent.__registerPrimitives({ logger: options.mastra.getLogger() });
      agent.__registerMastra(options.mastra);
    }
    return agent;
  }

  function promptsOf(agentId: string, snapshot: PromptSnapshotView): { id: string; version: string }[] {
    const seen = new Set<string>();
    const result: { id: string; version: string }[] = [];
    const visit = (id: string) => {
      const definition = definitions.get(id);
      if (!definition || seen.has(id)) return;
      seen.add(id);
      if (!result.some((p) => p.id === definition.promptId)) {
        result.push({ id: definition.promptId, version: snapshot.get(definition.promptId)?.version ?? 'missing' });
      }
      for (const tool of definition.tools) {
        const override = snapshot.get(toolDescriptionPromptId(tool));
        if (override && !result.some((p) => p.id === override.id)) result.push({ id: override.id, version: override.version });
      }
      definition.subagents.forEach(visit);
    };
    visit(agentId);
    return result;
  }

  function finishTurn() {
    active--;
    if (active === 0) {
      const waiters = drainWaiters;
      drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async function* runTurn(request: TurnRequest, turnId: string, sessionId: string): AsyncGenerator<TurnEvent> {
    const started = performance.now();
    // The message boundary: everything this turn does uses this snapshot.
    const snapshot = options.prompts.snapshot();
    const prompts = promptsOf(request.agentId, snapshot);
    const log = logger.child({ turnId, sessionId, agentId: request.agentId });
    const abort = new AbortController();
    const onRequestAbort = () => abort.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onRequestAbort, { once: true });
    running.add(abort);
    let finished = false;

    // turn.start carries the trace id, which exists once agent.stream() has started the run.
    let traceId: string | null = null;
    let startSent = false;
    const start = (): TurnEvent => {
      startSent = true;
      log.info({ prompts, traceId }, 'turn.start');
      return { type: 'turn.start', turnId, sessionId, agentId: request.agentId, prompts, traceId };
    };
    let ok = false;

    const fail = (error: unknown): TurnEvent => {
      // The turn's own agent made the model call: a subagent's failure arrives as a tool error.
      const agent = definitions.get(request.agentId);
      const described = abort.signal.aborted || error === undefined || !agent ? undefined : describeError(error, agent);
      const code = abort.signal.aborted ? 'aborted' : (described?.code ?? errorCodeOf(error));
      const message = abort.signal.aborted ? 'the turn was aborted before it finished' : (described?.message ?? errorMessageOf(error));
      log.warn({ code, err: message, durationMs: Math.round(performance.now() - started) }, 'turn.error');
      return { type: 'turn.error', turnId, sessionId, code, message };
    };

    let guardStop: GuardTrip | undefined;
    /** A guard trip as the operator sees it: a warn line, an event, a score on the trace. */
    const reportTrip = (trip: GuardTrip): TurnEvent => {
      log.warn({ guard: trip.guard, action: trip.action, reason: trip.message, ...trip.details, traceId }, 'guard.flag');
      if (traceId && options.mastra) {
        // Shows next to the turn in Langfuse; never allowed to fail the turn.
        void Promise.resolve()
          .then(() =>
            options.mastra!.observability?.addScore?.({
              traceId: traceId!,
              // Emits straight from what is known here; without it Mastra drops scores whose
              // trace is not yet in observability storage (spans are exported in batches).
              correlationContext: { entityType: 'agent' as never, entityId: request.agentId, entityName: request.agentId },
              score: { scorerId: `kaged.guard.${trip.guard}`, scorerName: `guard: ${trip.guard}`, score: 1, reason: trip.message, scoreSource: 'automated', metadata: { action: trip.action, ...trip.details } },
            }),
          )
          .catch((error: unknown) => log.debug({ err: error }, 'guard.score_failed'));
      }
      return { type: 'guard.flag', guard: trip.guard, action: trip.action, message: trip.message, details: trip.details };
    };
    const guardError = (trip: GuardTrip): TurnEvent => {
      const code = guardErrorCodes[trip.guard] ?? trip.guard;
      log.warn({ code, err: trip.message, durationMs: Math.round(performance.now() - started) }, 'turn.error');
      return { type: 'turn.error', turnId, sessionId, code, message: trip.message };
    };

    try {
      const agent = agentFor(request.agentId, snapshot);
      const definition = definitions.get(request.agentId)!;
      const guard = new TurnGuard({
        agentId: request.agentId,
        config: resolveGuards(definition.guards),
        message: request.message,
        maxSteps: definition.maxSteps,
        baselines: tokenBaselines,
      });
      const output = await agent.stream(request.message, {
        runId: turnId,
        maxSteps: definition.maxSteps,
        abortSignal: abort.signal,
        ...(options.memory ? { memory: { thread: sessionId, resource: request.userId ?? 'default' } } : {}),
        tracingOptions: {
          metadata: {
            ...options.traceMetadata,
            ...request.metadata,
            sessionId,
            ...(request.userId ? { userId: request.userId } : {}),
            agentId: request.agentId,
            turnId,
            prompts: Object.fromEntries(prompts.map((p) => [p.id, p.version])),
          },
          ...(tagsOf(options.traceTags, request.tags) ?? {}),
        },
      });
      // Undefined when Mastra has no observability or did not sample this turn.
      traceId = output.traceId ?? null;
      yield start();

      let text = '';
      let finishReason = 'unknown';
      let streamError: unknown;
      const usage = emptyTurnUsage();
      // Per model, for the cost: the agent's steps are its model's, a subagent's steps its own.
      const agentDefinitions = definitions;
      const usageByModel = new Map<string, TurnUsage>();
      const addUsage = (model: string, stepUsage: Parameters<typeof addStepUsage>[1]) => {
        if (!stepUsage) return;
        let modelUsage = usageByModel.get(model);
        if (!modelUsage) usageByModel.set(model, (modelUsage = emptyTurnUsage()));
        addStepUsage(usage, stepUsage);
        addStepUsage(modelUsage, stepUsage);
      };
      for await (const chunk of output.fullStream as AsyncIterable<{ type: string; payload?: any }>) {
        const payload = chunk.payload;
        switch (chunk.type) {
          case 'text-delta':
            text += payload.text;
            yield { type: 'text.delta', text: payload.text };
            break;
          case 'tool-call': {
            yield { type: 'tool.call', id: payload.toolCallId, name: payload.toolName, input: payload.args ?? {} };
            const trip = guardStop ? undefined : guard.onToolCall(payload.toolName, payload.args ?? {});
            if (trip) {
              guardStop = trip;
              abort.abort(new Error(trip.message));
            }
            break;
          }
          case 'tool-result':
            yield {
              type: 'tool.result',
              id: payload.toolCallId,
              name: payload.toolName,
              output: payload.result ?? null,
              isError: payload.isError === true,
            };
            break;
          case 'tool-error': {
            // A failed subagent call carries its model's error: describe it like a turn error,
            // so what the parent model and the client see is actionable and holds no secrets.
            const subagent = typeof payload.toolName === 'string' && payload.toolName.startsWith('agent-') ? definitions.get(payload.toolName.slice(6)) : undefined;
            const described = subagent ? describeError(payload.error, subagent) : undefined;
            yield {
              type: 'tool.result',
              id: payload.toolCallId,
              name: payload.toolName,
              output: described ? { error: described.message, code: described.code } : { error: errorMessageOf(payload.error) },
              isError: true,
            };
            break;
          }
          case 'tool-output': {
            // A subagent's own stream, nested in its tool call `agent-<id>` (a subagent's
            // subagent nests once more): count its model usage against that subagent's model.
            let nested = payload;
            let subagentId: string | undefined;
            for (let depth = 0; nested && depth < 10; depth++) {
              if (typeof nested.toolName === 'string' && nested.toolName.startsWith('agent-')) subagentId = nested.toolName.slice('agent-'.length);
              if (nested.output?.type !== 'tool-output') break;
              nested = nested.output.payload;
            }
            if (nested?.output?.type === 'step-finish') {
              addUsage(agentDefinitions.get(subagentId ?? '')?.model ?? definition.model, nested.output.payload?.output?.usage);
            }
            break;
          }
          case 'step-finish':
            addUsage(definition.model, payload?.output?.usage);
            break;
          case 'finish':
            finishReason = payload?.stepResult?.reason ?? finishReason;
            break;
          case 'tripwire':
            streamError = Object.assign(new Error(payload?.reason ?? 'a processor stopped the turn'), { code: 'tripwire' });
            break;
          case 'error':
            streamError = payload?.error ?? new Error('the model stream failed');
            break;
          default:
            break;
        }
      }
      if (guardStop) {
        finished = true;
        yield reportTrip(guardStop);
        yield guardError(guardStop);
        return;
      }
      if (streamError !== undefined || abort.signal.aborted) {
        finished = true;
        yield fail(streamError);
        return;
      }
      const trips = guard.onFinish({ text, finishReason, usage });
      for (const trip of trips) yield reportTrip(trip);
      const stop = trips.find((trip) => trip.action === 'stop');
      if (stop) {
        finished = true;
        yield guardError(stop);
        return;
      }
      const byModel = modelUsageOf(pricing, usageByModel);
      const costUsd = costOfTurn(byModel);
      const durationMs = Math.round(performance.now() - started);
      log.info({ finishReason, usage, costUsd, durationMs, traceId }, 'turn.end');
      finished = true;
      ok = true;
      yield { type: 'turn.end', turnId, sessionId, text, finishReason, usage, costUsd, usageByModel: byModel.map((m) => ({ ...m, costUsd: roundCost(m.costUsd) })), durationMs, traceId };
    } catch (error) {
      finished = true;
      if (!startSent) yield start();
      if (guardStop) {
        // The guard's abort surfaced as a thrown error: report the guard, not the abort.
        yield reportTrip(guardStop);
        yield guardError(guardStop);
      } else {
        yield fail(error);
      }
    } finally {
      // Reached early when the consumer stops iterating (a client went away): stop the model.
      if (!finished) abort.abort(new Error('turn consumer stopped'));
      request.signal?.removeEventListener('abort', onRequestAbort);
      running.delete(abort);
      try {
        observer.turnFinished({ turnId, sessionId, agentId: request.agentId, traceId, ok });
      } catch {
        // An observer must not break a turn; see TurnObserver.
      }
    }
  }

  return {
    listAgents() {
      const snapshot = options.prompts.snapshot();
      return [...definitions.values()].map((d) => {
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
    hasAgent: (agentId) => definitions.has(agentId),
    setAgents(agents) {
      definitions = indexDefinitions(agents);
      generation++;
      agentCache.clear();
    },
    startTurn(request) {
      if (!definitions.has(request.agentId)) throw new UnknownAgentError(request.agentId, [...definitions.keys()]);
      const turnId = randomUUID();
      const sessionId = request.sessionId ?? randomUUID();
      const events = runTurn(request, turnId, sessionId);
      let started = false;
      return {
        turnId,
        sessionId,
        agentId: request.agentId,
        events: {
          [Symbol.asyncIterator]() {
            if (started) throw new Error('a turn can be iterated only once');
            started = true;
            active++;
            let done = false;
            const end = () => {
              if (!done) {
                done = true;
                finishTurn();
              }
            };
            return {
              async next() {
                const result = await events.next().catch((error: unknown) => {
                  end();
                  throw error;
                });
                if (result.done) end();
                return result;
              },
              async return(value?: unknown) {
                const result = await events.return(value as undefined);
                end();
                return result;
              },
            };
          },
        },
      };
    },
    get activeTurns() {
      return active;
    },
    drain() {
      if (active === 0) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.push(resolve));
    },
    abortAll(reason = 'aborted by the application') {
      for (const controller of running) controller.abort(new Error(reason));
    },
  };
}

/** The prompt id under which a tool's description can be overridden: `tools.<name>.description`. */
export function toolDescriptionPromptId(toolName: string): string {
  return `tools.${toolName}.description`;
}

/** The tool with its description replaced by the operator's prompt, when there is one. */
function withDescription(tool: ToolsInput[string], description: string | undefined): ToolsInput[string] {
  if (description === undefined || !(tool instanceof Tool)) return tool;
  return createTool({
    id: tool.id,
    description: description.trim(),
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    execute: tool.execute,
  } as Parameters<typeof createTool>[0]);
}

/** Each model's usage with its cost, unrounded. Every model is asked, so each unknown price is reported, not just the first. */
function modelUsageOf(pricing: ModelPricing, usageByModel: ReadonlyMap<string, TurnUsage>): ModelUsage[] {
  return [...usageByModel].map(([model, usage]) => ({ model, usage, costUsd: pricing.costOf(model, usage) }));
}

/** The sum of every model's cost; `null` when any model's price is unknown (never a made-up 0). */
function costOfTurn(byModel: readonly ModelUsage[]): number | null {
  let total: number | null = 0;
  for (const { costUsd } of byModel) total = costUsd === null || total === null ? null : total + costUsd;
  return roundCost(total);
}

/** Sub-nano-dollar float noise (0.1 + 0.2) is not worth showing. */
function roundCost(cost: number | null): number | null {
  return cost === null ? null : Math.round(cost * 1e12) / 1e12;
}

/** `{ tags }` for a turn's tracing options: the default tags, then the request's, without repeats. */
function tagsOf(defaults: readonly string[] | undefined, requested: readonly string[] | undefined): { tags: string[] } | undefined {
  if (!defaults?.length && !requested?.length) return undefined;
  return { tags: [...new Set([...(defaults ?? []), ...(requested ?? [])])] };
}

function indexDefinitions(agents: readonly AgentDefinition[]): Map<string, AgentDefinition> {
  return new Map(agents.map((a) => [a.id, { ...a, tools: [...a.tools], subagents: [...a.subagents] }]));
}
