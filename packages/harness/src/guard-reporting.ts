import type { AgentDefinition } from './agent-definition.js';
import { resolveGuards } from './guards/guard-config.js';
import type { TokenBaselines } from './guards/token-baseline.js';
import { guardErrorCodes, TurnGuard, type GuardTrip } from './guards/turn-guard.js';
import type { HarnessLogger } from './ports/logger.js';
import type { TurnEvent, TurnUsage } from './turn-events.js';

/** The ids every line of a turn carries as fields (not as child-logger bindings). */
export interface TurnLogFields {
  turnId: string;
  sessionId: string;
  agentId: string;
}

/**
 * The guards of one turn, and how their trips reach the operator: a `guard.flag` warn line and
 * event for each trip, then, for a `stop`, the turn's `turn.error`. The trace score of a trip is
 * the daemon's business: it hears the `guard.flag` event through the turn observer.
 */
export class GuardReporting {
  readonly #guard: TurnGuard;
  readonly #log: HarnessLogger;
  readonly #fields: TurnLogFields;
  #stop: GuardTrip | undefined;

  constructor(options: { definition: AgentDefinition; message: string; baselines: TokenBaselines; log: HarnessLogger; fields: TurnLogFields }) {
    this.#guard = new TurnGuard({
      agentId: options.definition.id,
      config: resolveGuards(options.definition.guards),
      message: options.message,
      maxSteps: options.definition.maxSteps,
      baselines: options.baselines,
    });
    this.#log = options.log;
    this.#fields = options.fields;
  }

  /** The trip that stopped the turn during its stream, if one did. */
  get stopped(): GuardTrip | undefined {
    return this.#stop;
  }

  /** Judges a tool call; returns the trip when it stops the turn (only the first one counts). */
  onToolCall(name: string, input: unknown): GuardTrip | undefined {
    if (this.#stop) return undefined;
    this.#stop = this.#guard.onToolCall(name, input);
    return this.#stop;
  }

  /** Judges the finished turn: the events to emit (flags, then `turn.error` if one stops it), and whether it stopped. */
  onFinish(
    result: { text: string; finishReason: string; usage: TurnUsage },
    durationMs: () => number,
    traceId: string | null,
  ): { events: TurnEvent[]; stopped: boolean } {
    const trips = this.#guard.onFinish(result);
    const events = trips.map((trip) => this.flag(trip, traceId));
    const stop = trips.find((trip) => trip.action === 'stop');
    if (stop) events.push(this.error(stop, durationMs()));
    return { events, stopped: stop !== undefined };
  }

  /** A trip as the operator sees it: a warn line and a `guard.flag` event. */
  flag(trip: GuardTrip, traceId: string | null): TurnEvent {
    this.#log.warn({ ...this.#fields, guard: trip.guard, action: trip.action, reason: trip.message, ...trip.details, traceId }, 'guard.flag');
    return { type: 'guard.flag', guard: trip.guard, action: trip.action, message: trip.message, details: trip.details };
  }

  /** The `turn.error` that ends a turn a guard stopped. */
  error(trip: GuardTrip, durationMs: number): TurnEvent {
    const code = guardErrorCodes[trip.guard] ?? trip.guard;
    this.#log.warn({ ...this.#fields, code, err: trip.message, durationMs }, 'turn.error');
    return { type: 'turn.error', turnId: this.#fields.turnId, sessionId: this.#fields.sessionId, code, message: trip.message };
  }
}
