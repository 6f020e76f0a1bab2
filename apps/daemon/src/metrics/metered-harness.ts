import type { Harness, Turn, TurnEvent } from '@kaged/harness';
import type { DaemonMetrics, TurnOutcome } from './daemon-metrics.js';

/**
 * The harness with every turn's events counted as they pass: the one place turn metrics are
 * recorded, without touching the harness or the turns route. Everything but `startTurn` is the
 * harness's own (delegated through the prototype, so members added to `Harness` later work too).
 */
export function meteredHarness(harness: Harness, metrics: DaemonMetrics): Harness {
  const metered = Object.create(harness) as Harness;
  metered.startTurn = (request) => meteredTurn(harness.startTurn(request), metrics);
  return metered;
}

function meteredTurn(turn: Turn, metrics: DaemonMetrics): Turn {
  return {
    turnId: turn.turnId,
    sessionId: turn.sessionId,
    agentId: turn.agentId,
    events: meteredEvents(turn.agentId, turn.events, metrics),
  };
}

async function* meteredEvents(agentId: string, events: AsyncIterable<TurnEvent>, metrics: DaemonMetrics): AsyncGenerator<TurnEvent> {
  const started = performance.now();
  let ended = false;
  const finish = (outcome: TurnOutcome) => {
    ended = true;
    safely(() => metrics.recordTurnFinished(agentId, outcome, (performance.now() - started) / 1000));
  };
  try {
    // Stopping early (a client went away) returns this generator, which returns the turn's:
    // the harness then aborts the model call as it would without metrics.
    for await (const event of events) {
      safely(() => metrics.recordTurnEvent(agentId, event));
      if (event.type === 'turn.end') finish({ ok: true });
      else if (event.type === 'turn.error') finish({ ok: false, code: event.code });
      yield event;
    }
  } finally {
    // No last event: the consumer stopped iterating, which aborts the turn.
    if (!ended) finish({ ok: false, code: 'aborted' });
  }
}

/** Counting must never break a turn. */
function safely(record: () => void): void {
  try {
    record();
  } catch {
    // A metric that cannot be recorded is lost; the turn goes on.
  }
}
