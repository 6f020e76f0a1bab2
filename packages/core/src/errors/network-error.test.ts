import { describe, expect, it } from 'vitest';
import { networkFailureOf } from './network-error.js';

describe('networkFailureOf', () => {
  it('knows Node and undici codes', () => {
    expect(networkFailureOf(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'connection_refused',
      reason: 'connection refused',
      code: 'ECONNREFUSED',
    });
    expect(networkFailureOf({ code: 'UND_ERR_HEADERS_TIMEOUT' })?.kind).toBe('timeout');
    expect(networkFailureOf('ENOTFOUND')?.kind).toBe('dns_failed');
  });

  it('reads an AggregateError through its first part and AbortSignal.timeout as a timeout', () => {
    const aggregate = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'refused');
    expect(networkFailureOf(aggregate)?.kind).toBe('connection_refused');
    expect(networkFailureOf(new DOMException('t', 'TimeoutError'))?.kind).toBe('timeout');
  });

  it('is undefined for what is not a network failure', () => {
    expect(networkFailureOf(new Error('bug'))).toBeUndefined();
    expect(networkFailureOf({ code: 'toString' })).toBeUndefined();
    expect(networkFailureOf(null)).toBeUndefined();
  });
});
