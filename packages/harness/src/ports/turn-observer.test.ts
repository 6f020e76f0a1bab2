import { describe, expect, it } from 'vitest';
import { throwingObserver } from '../__fixtures__/throwing-observer.js';
import type { TurnEvent } from '../turn-events.js';
import { combineTurnObservers, isolateTurnObserver, noTurnObserver, type FinishedTurn, type TurnInfo, type TurnObserver } from './turn-observer.js';

const turn: TurnInfo = { turnId: 't', sessionId: 's', agentId: 'a', userId: undefined, traceId: null };
const start: TurnEvent = { type: 'turn.start', turnId: 't', sessionId: 's', agentId: 'a', prompts: [], traceId: null };
const finished: FinishedTurn = Object.assign(turn, { ok: true, code: undefined, durationMs: 1 });

function recorder(name: string, log: string[]): TurnObserver {
  return {
    scope(_turn, work) {
      log.push(`${name}.scope>`);
      try {
        return work();
      } finally {
        log.push(`${name}.scope<`);
      }
    },
    turnStarted: () => log.push(`${name}.started`),
    turnEvent: (_turn, event) => log.push(`${name}.event:${event.type}`),
    turnFinished: () => log.push(`${name}.finished`),
  };
}

describe('noTurnObserver', () => {
  it('runs the work and hears nothing', () => {
    expect(noTurnObserver.scope(turn, () => 42)).toBe(42);
    expect(() => {
      noTurnObserver.turnStarted(turn);
      noTurnObserver.turnEvent(turn, start);
      noTurnObserver.turnFinished(finished);
    }).not.toThrow();
  });
});

describe('combineTurnObservers', () => {
  it('tells every observer in order, and nests their scopes, the first outermost', () => {
    const log: string[] = [];
    const both = combineTurnObservers(recorder('a', log), recorder('b', log));
    expect(both.scope(turn, () => (log.push('work'), 'result'))).toBe('result');
    both.turnStarted(turn);
    both.turnEvent(turn, start);
    both.turnFinished(finished);
    expect(log).toEqual([
      'a.scope>',
      'b.scope>',
      'work',
      'b.scope<',
      'a.scope<',
      'a.started',
      'b.started',
      'a.event:turn.start',
      'b.event:turn.start',
      'a.finished',
      'b.finished',
    ]);
  });

  it('keeps a throwing observer from breaking the turn or the others, and still runs the work once', () => {
    const log: string[] = [];
    const errors: string[] = [];
    const all = combineTurnObservers(
      throwingObserver,
      recorder('ok', log),
      isolateTurnObserver(throwingObserver, (error, call) => errors.push(`${call}:${(error as Error).message}`)),
    );
    let runs = 0;
    expect(all.scope(turn, () => ++runs)).toBe(1);
    expect(runs).toBe(1);
    all.turnStarted(turn);
    all.turnEvent(turn, start);
    all.turnFinished(finished);
    expect(log).toEqual(['ok.scope>', 'ok.scope<', 'ok.started', 'ok.event:turn.start', 'ok.finished']);
    expect(errors).toEqual(['scope:scope', 'turnStarted:started', 'turnEvent:event', 'turnFinished:finished']);
  });

  it('passes the work’s own error through unchanged, and runs it once when a scope forgets it or calls it twice', () => {
    const boom = new Error('work failed');
    expect(() =>
      combineTurnObservers(recorder('a', [])).scope(turn, () => {
        throw boom;
      }),
    ).toThrow(boom);
    const forgetful: TurnObserver = { ...noTurnObserver, scope: () => undefined as never };
    const greedy: TurnObserver = { ...noTurnObserver, scope: (_t, work) => (work(), work()) };
    let runs = 0;
    expect(isolateTurnObserver(forgetful).scope(turn, () => ++runs)).toBe(1);
    expect(isolateTurnObserver(greedy).scope(turn, () => ++runs)).toBe(2);
    expect(runs).toBe(2);
    // A scope that throws after the work ran: the work's result stands.
    const late: TurnObserver = {
      ...noTurnObserver,
      scope: (_t, work) => {
        work();
        throw new Error('late');
      },
    };
    expect(isolateTurnObserver(late).scope(turn, () => 'kept')).toBe('kept');
  });

  it('with no observers is a no-op', () => {
    const none = combineTurnObservers();
    expect(none.scope(turn, () => 'x')).toBe('x');
    expect(() => none.turnFinished(finished)).not.toThrow();
  });
});
