import { describe, expect, it } from 'vitest';
import { interruptedBefore, interruptedGraceMs } from './interrupted-traces.js';

const processStartedAt = new Date('2026-11-23T18:00:00Z');
const now = new Date('2026-11-23T19:00:00Z');

describe('interruptedBefore', () => {
  it('with a store of its own: every trace that started before this process, at start only', () => {
    const rule = { processStartedAt, sharedStorage: false, turnTimeoutMs: 600_000 };
    expect(interruptedBefore(rule, now, { atStart: true })).toEqual(processStartedAt);
    expect(interruptedBefore(rule, now, { atStart: false })).toBeUndefined();
  });

  it('with a shared store: only traces older than twice the turn timeout plus a minute, at start and after', () => {
    const rule = { processStartedAt, sharedStorage: true, turnTimeoutMs: 600_000 };
    expect(interruptedGraceMs(600_000)).toBe(21 * 60_000);
    expect(interruptedBefore(rule, now, { atStart: true })).toEqual(new Date('2026-11-23T18:39:00Z'));
    expect(interruptedBefore(rule, now, { atStart: false })).toEqual(new Date('2026-11-23T18:39:00Z'));
    expect(interruptedBefore({ ...rule, turnTimeoutMs: 5_000 }, now, { atStart: true })).toEqual(new Date('2026-11-23T18:58:50Z'));
  });
});
