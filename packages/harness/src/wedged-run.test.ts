import { describe, expect, it } from 'vitest';
import { releaseWedgedRun, type RunOutput } from './wedged-run.js';

/** Stands in for Mastra's output with just its state API (the real one is in storage-failure.scenario.test.ts). */
function output(status: string, { throws = false } = {}): RunOutput & { state: { status: string; text: string } } {
  const holder = {
    state: { status, text: 'partial' },
    get status() {
      return holder.state.status;
    },
    serializeState() {
      if (throws) throw new Error('unknown shape');
      return { ...holder.state };
    },
    deserializeState(next: unknown) {
      holder.state = next as { status: string; text: string };
    },
  };
  return holder;
}

describe('releaseWedgedRun', () => {
  it('marks a still-running output failed and keeps the rest of its state', () => {
    const wedged = output('running');
    expect(releaseWedgedRun(wedged)).toBe(true);
    expect(wedged.state).toEqual({ status: 'failed', text: 'partial' });
  });

  it.each(['success', 'failed', 'suspended', 'canceled'])('leaves a %s output to Mastra', (status) => {
    const done = output(status);
    expect(releaseWedgedRun(done)).toBe(false);
    expect(done.state.status).toBe(status);
  });

  it('gives up quietly on a state it cannot read, and on no output at all', () => {
    expect(releaseWedgedRun(output('running', { throws: true }))).toBe(false);
    expect(releaseWedgedRun(undefined)).toBe(false);
  });
});
