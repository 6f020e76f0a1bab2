import type { MastraMemory } from '@mastra/core/memory';
import type { AgentTrees } from './agent-tree.js';
import type { TurnRequest } from './harness.js';
import { ChunkReader } from './chunk-events.js';
import { errorCodeOf, errorMessageOf } from './error-code.js';
import { GuardReporting, type TurnLogFields } from './guard-reporting.js';
import type { TokenBaselines } from './guards/token-baseline.js';
import type { ErrorDescriber } from './ports/error-describer.js';
import type { HarnessLogger } from './ports/logger.js';
import type { ModelPricing } from './ports/model-pricing.js';
import type { PromptSource } from './ports/prompt-source.js';
import type { TurnInfo } from './ports/turn-observer.js';
import type { TurnEvent } from './turn-events.js';
import { TurnUsageMeter } from './turn-usage.js';
import { isStorageFailure, StorageFailureError, TurnTimeoutError, TurnWatchdog } from './turn-watchdog.js';
import { releaseWedgedRun, type RunOutput } from './wedged-run.js';
import { sessionThreadMetadata } from './session-reader.js';

/** One earlier message of a conversation the client keeps itself (see `TurnRequest.history`). */
export interface TurnHistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** The part of a `TurnRequest` the runner reads: the harness has already settled the session id. */
export type TurnRunRequest = Omit<TurnRequest, 'sessionId'>;

/** What every turn of one harness shares. */
export interface TurnRunnerContext {
  prompts: PromptSource;
  memory: MastraMemory | undefined;
  logger: HarnessLogger;
  describeError: ErrorDescriber;
  pricing: ModelPricing;
  traceMetadata: Record<string, unknown> | undefined;
  traceTags: readonly string[] | undefined;
  /** Tokens per turn per agent, for the token-spike guard: lives as long as the harness. */
  baselines: TokenBaselines;
  /** Running turns' abort controllers, for `abortAll`. */
  running: Set<AbortController>;
  /** The bound on a turn's total time (turn-watchdog.ts). */
  turnTimeoutMs: number;
}

/**
 * One turn, from its message boundary to its last event: takes the prompt snapshot, runs the
 * agent's stream, turns its chunks into events, applies the guards, and ends with exactly one
 * `turn.end` or `turn.error` (the iteration itself does not throw). Stopping the iteration early
 * aborts the model call. Sets `turn.traceId` before it yields `turn.start`.
 */
export async function* runTurn(context: TurnRunnerContext, trees: AgentTrees, turn: TurnInfo, request: TurnRunRequest): AsyncGenerator<TurnEvent> {
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  const { turnId, sessionId, agentId } = turn;
  // The ids go into each line's fields rather than a child logger's bindings: a log context the
  // application binds (see TurnObserver.scope) then never meets them twice in one line.
  const ids: TurnLogFields = { turnId, sessionId, agentId };
  const log = context.logger;
  // The message boundary: everything this turn does uses this snapshot.
  const snapshot = context.prompts.snapshot();
  const tools = trees.toolSnapshot();
  const prompts = trees.promptsOf(agentId, snapshot, tools);
  const definition = trees.definitions.get(agentId)!;
  const abort = new AbortController();
  const onRequestAbort = () => abort.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onRequestAbort, { once: true });
  context.running.add(abort);
  // No await below may outlast the turn's bound, nor a Mastra stream that failed underneath.
  const watchdog = new TurnWatchdog({ timeoutMs: context.turnTimeoutMs, signal: abort.signal });
  let chunks: AsyncIterator<unknown> | undefined;
  let runOutput: RunOutput | undefined;
  let finished = false;
  let startSent = false;

  // turn.start carries the trace id, which exists once agent.stream() has started the run.
  const start = (): TurnEvent => {
    startSent = true;
    log.info({ ...ids, prompts, traceId: turn.traceId }, 'turn.start');
    return { type: 'turn.start', turnId, sessionId, agentId, prompts, traceId: turn.traceId };
  };
  const fail = (error: unknown): TurnEvent => {
    // The watchdog's own reasons win over the abort they cause; a store's failure keeps its
    // code whatever else is described (the application's describer may word it better).
    const storeError = StorageFailureError.isInstance(error) ? (error as Error).cause : isStorageFailure(error) ? error : undefined;
    if (TurnTimeoutError.isInstance(error) || storeError !== undefined) {
      const described = storeError === undefined ? undefined : context.describeError(storeError, definition);
      const own = storeError === undefined ? (error as TurnTimeoutError) : new StorageFailureError(storeError);
      const { code, message } = described?.code === own.code ? described : own;
      log.warn({ ...ids, code, err: message, durationMs: durationMs() }, 'turn.error');
      return { type: 'turn.error', turnId, sessionId, code, message };
    }
    // The turn's own agent made the model call: a subagent's failure arrives as a tool error.
    const aborted = abort.signal.aborted;
    const described = aborted || error === undefined ? undefined : context.describeError(error, definition);
    const code = aborted ? 'aborted' : (described?.code ?? errorCodeOf(error));
    const message = aborted ? 'the turn was aborted before it finished' : (described?.message ?? errorMessageOf(error));
    log.warn({ ...ids, code, err: message, durationMs: durationMs() }, 'turn.error');
    return { type: 'turn.error', turnId, sessionId, code, message };
  };
  let guards: GuardReporting | undefined;

  try {
    guards = new GuardReporting({ definition, message: request.message, baselines: context.baselines, log, fields: ids });
    const agent = trees.agentFor(agentId, snapshot);
    // A history from the client replaces the session's: passing no memory thread keeps Mastra
    // from loading or saving anything for this turn.
    const history = request.history;
    const input = history
      ? [...history.map(({ role, content }) => (role === 'user' ? { role, content } : { role, content })), { role: 'user' as const, content: request.message }]
      : request.message;
    const output = await watchdog.race(
      agent.stream(input, {
        runId: turnId,
        maxSteps: definition.maxSteps,
        abortSignal: abort.signal,
        requestContext: trees.requestContextFor(snapshot, tools),
        // The thread's metadata marks it as a session and names its agent (session-reader.ts).
        ...(context.memory && !history
          ? { memory: { thread: { id: sessionId, metadata: sessionThreadMetadata(agentId) }, resource: request.userId ?? 'default' } }
          : {}),
        tracingOptions: {
          // The request's own metadata first: kaged's keys (project, kagedVersion, the ids,
          // prompts) always win, so a client cannot pass a turn off as another project's or session's.
          metadata: {
            ...request.metadata,
            ...context.traceMetadata,
            sessionId,
            ...(request.userId ? { userId: request.userId } : {}),
            agentId,
            turnId,
            prompts: Object.fromEntries(prompts.map((p) => [p.id, p.version])),
          },
          ...(tagsOf(context.traceTags, request.tags) ?? {}),
        },
      }),
    );
    runOutput = output;
    // Undefined when Mastra has no observability or did not sample this turn.
    turn.traceId = output.traceId ?? null;
    yield start();

    const usage = new TurnUsageMeter();
    const reader = new ChunkReader({ definitions: trees.definitions, model: definition.model, usage, describeError: context.describeError });
    const stream = output.fullStream[Symbol.asyncIterator]();
    chunks = stream;
    // Same promise as Mastra's own consumption: tells us when its underlying stream failed.
    output.consumeStream({ onError: (error) => watchdog.streamFailed(error) }).catch((error: unknown) => watchdog.streamFailed(error));
    for (let next = await watchdog.race(stream.next()); !next.done; next = await watchdog.race(stream.next())) {
      const chunk = next.value;
      const event = reader.read(chunk);
      if (!event) continue;
      yield event;
      if (event.type === 'tool.call' && guards.onToolCall(event.name, event.input)) abort.abort(new Error(guards.stopped!.message));
    }
    finished = true;
    if (guards.stopped) {
      yield guards.flag(guards.stopped, turn.traceId);
      yield guards.error(guards.stopped, durationMs());
      return;
    }
    if (reader.streamError !== undefined || abort.signal.aborted) {
      yield fail(reader.streamError);
      return;
    }
    const judged = guards.onFinish({ text: reader.text, finishReason: reader.finishReason, usage: usage.total }, durationMs, turn.traceId);
    yield* judged.events;
    if (judged.stopped) return;
    const { byModel, costUsd } = usage.priced(context.pricing);
    const ms = durationMs();
    log.info({ ...ids, finishReason: reader.finishReason, usage: usage.total, costUsd, durationMs: ms, traceId: turn.traceId }, 'turn.end');
    yield {
      type: 'turn.end',
      turnId,
      sessionId,
      text: reader.text,
      finishReason: reader.finishReason,
      usage: usage.total,
      costUsd,
      usageByModel: byModel,
      durationMs: ms,
      traceId: turn.traceId,
    };
  } catch (error) {
    finished = true;
    if (!startSent) yield start();
    if (guards?.stopped) {
      // The guard's abort surfaced as a thrown error: report the guard, not the abort.
      yield guards.flag(guards.stopped, turn.traceId);
      yield guards.error(guards.stopped, durationMs());
    } else {
      const event = fail(error);
      // A watchdog stop leaves the model call running: stop it, after `fail` has read the cause.
      abort.abort(error);
      // A store failure wedges Mastra's stream without telling its thread runtime the run ended:
      // free the session for the next turn. (A timeout is not freed: the aborted run may still write.)
      if (StorageFailureError.isInstance(error) || isStorageFailure(error)) {
        if (releaseWedgedRun(runOutput)) log.warn({ ...ids }, 'turn.session_released');
      }
      yield event;
    }
  } finally {
    watchdog.dispose();
    // Never awaited: a wedged stream would hold the turn open again.
    chunks?.return?.().catch(() => {});
    // Reached early when the consumer stops iterating (a client went away): stop the model.
    if (!finished) abort.abort(new Error('turn consumer stopped'));
    request.signal?.removeEventListener('abort', onRequestAbort);
    context.running.delete(abort);
  }
}

/** `{ tags }` for a turn's tracing options: the default tags, then the request's, without repeats. */
function tagsOf(defaults: readonly string[] | undefined, requested: readonly string[] | undefined): { tags: string[] } | undefined {
  if (!defaults?.length && !requested?.length) return undefined;
  return { tags: [...new Set([...(defaults ?? []), ...(requested ?? [])])] };
}
