import { KagedError } from '@kaged/core';
import { describe, expect, it } from 'vitest';
import { KagedDaemonError } from './kaged-daemon-error.js';
import { ProjectConfigError } from './project-config-error.js';

const issue = { file: 'kaged.yaml', line: 3, column: 5, path: 'agents.a.model', message: 'expected a string' };

/** Another package's error, built on the same base the way every kaged package does. */
class OtherPackageError extends KagedError {
  static override readonly marker: string = 'kaged.other.OtherPackageError';
}

describe('the daemon errors', () => {
  it('each answer isInstance for their own class and their ancestors only', () => {
    const config = new ProjectConfigError([issue]);
    const daemon = new KagedDaemonError('listen_failed', 'port in use');
    expect(ProjectConfigError.isInstance(config)).toBe(true);
    expect(KagedDaemonError.isInstance(config)).toBe(true);
    expect(ProjectConfigError.isInstance(daemon)).toBe(false);
    expect(KagedDaemonError.isInstance(new OtherPackageError('x', 'y'))).toBe(false);
    expect(ProjectConfigError.isInstance(new Error('plain'))).toBe(false);
  });

  it('are kaged errors like those of any other package', () => {
    expect(KagedError.isInstance(new ProjectConfigError([issue]))).toBe(true);
    expect(KagedError.isInstance(new KagedDaemonError('invalid_argument', '--port'))).toBe(true);
    expect(KagedError.isInstance(new OtherPackageError('x', 'y'))).toBe(true);
  });

  it('are told apart by marker, not by prototype (a second installed copy of the class)', () => {
    const copy = Object.assign(new Error('from another copy'), { code: 'invalid_project', issues: [issue] });
    for (const marker of ['kaged.error', 'kaged.daemon.KagedDaemonError', 'kaged.daemon.ProjectConfigError']) {
      Object.defineProperty(copy, Symbol.for(marker), { value: true });
    }
    expect(ProjectConfigError.isInstance(copy)).toBe(true);
    expect(copy instanceof ProjectConfigError).toBe(false);
  });

  it('keep their code, message and issues', () => {
    const error = new ProjectConfigError([issue, { ...issue, line: 4, path: '' }]);
    expect(error.code).toBe('invalid_project');
    expect(error.name).toBe('ProjectConfigError');
    expect(error.message).toBe('kaged.yaml:3:5 agents.a.model: expected a string\nkaged.yaml:4:5 expected a string');
    expect(error.issues).toHaveLength(2);
  });
});
