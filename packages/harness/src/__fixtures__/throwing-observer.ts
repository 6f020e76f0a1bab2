import type { TurnObserver } from '../ports/turn-observer.js';

/** An observer whose every call throws: what the harness must survive. */
export const throwingObserver: TurnObserver = {
  scope: () => {
    throw new Error('scope');
  },
  turnStarted: () => {
    throw new Error('started');
  },
  turnEvent: () => {
    throw new Error('event');
  },
  turnFinished: () => {
    throw new Error('finished');
  },
};
