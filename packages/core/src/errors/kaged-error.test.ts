import { describe, expect, it } from 'vitest';
import { hasMarker, KagedError } from './kaged-error.js';

class PackageError extends KagedError {
  static override readonly marker: string = 'kaged.test.error';
}
class FirstError extends PackageError {
  static override readonly marker: string = 'kaged.test.FirstError';
  constructor() {
    super('first', 'the first thing failed');
  }
}
class SecondError extends PackageError {
  static override readonly marker: string = 'kaged.test.SecondError';
  constructor() {
    super('second', 'the second thing failed');
  }
}
class ForgetfulError extends PackageError {}

describe('KagedError', () => {
  it('tells sibling classes apart', () => {
    expect(FirstError.isInstance(new FirstError())).toBe(true);
    expect(FirstError.isInstance(new SecondError())).toBe(false);
    expect(SecondError.isInstance(new FirstError())).toBe(false);
  });

  it('answers for subclasses through every ancestor', () => {
    const error = new FirstError();
    expect(PackageError.isInstance(error)).toBe(true);
    expect(KagedError.isInstance(error)).toBe(true);
    expect(PackageError.isInstance(new KagedError('x', 'y'))).toBe(false);
  });

  it('keeps code, name, message and cause', () => {
    const cause = new Error('root');
    const error = new KagedError('some_code', 'what to do next', { cause });
    expect(error).toMatchObject({ code: 'some_code', name: 'KagedError', message: 'what to do next', cause });
    expect(new FirstError().name).toBe('FirstError');
  });

  it('rejects what is not an error', () => {
    for (const value of [undefined, null, 'kaged.error', 42, {}, { [Symbol.for('kaged.error')]: 'yes' }]) {
      expect(KagedError.isInstance(value)).toBe(false);
    }
  });

  it('recognises a plain object branded by another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('kaged.test.FirstError')]: true });
    expect(FirstError.isInstance(foreign)).toBe(true);
    expect(hasMarker(foreign, 'kaged.test.SecondError')).toBe(false);
  });

  it('refuses to answer for a class that forgot its own marker', () => {
    expect(() => ForgetfulError.isInstance(new FirstError())).toThrow(/ForgetfulError must declare its own static marker/);
  });
});
