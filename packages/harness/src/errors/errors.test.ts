import { KagedError } from '@kaged/core';
import { describe, expect, it } from 'vitest';
import { AgentDefinitionError } from './agent-definition-error.js';
import { KagedHarnessError } from './kaged-harness-error.js';
import { UnknownAgentError } from './unknown-agent-error.js';

describe('harness errors', () => {
  it('tell siblings apart by their own markers', () => {
    expect(UnknownAgentError.isInstance(new AgentDefinitionError('x'))).toBe(false);
    expect(AgentDefinitionError.isInstance(new UnknownAgentError('a', []))).toBe(false);
    expect(AgentDefinitionError.isInstance(new AgentDefinitionError('x'))).toBe(true);
    expect(UnknownAgentError.isInstance(new UnknownAgentError('a', ['b']))).toBe(true);
  });

  it('are harness errors and kaged errors, with a code and their class name', () => {
    const error = new UnknownAgentError('nobody', ['assistant']);
    expect(KagedHarnessError.isInstance(error)).toBe(true);
    expect(KagedError.isInstance(error)).toBe(true);
    expect(KagedHarnessError.isInstance(new KagedError('other', 'another package'))).toBe(false);
    expect(KagedHarnessError.isInstance(new Error('plain'))).toBe(false);
    expect(error).toMatchObject({ name: 'UnknownAgentError', code: 'unknown_agent', agentId: 'nobody', message: 'unknown agent "nobody" (agents: assistant)' });
    expect(new AgentDefinitionError('bad')).toMatchObject({ name: 'AgentDefinitionError', code: 'invalid_agent' });
  });

  it('are recognised from a plain object carrying the marker (another installed copy)', () => {
    const fromOtherCopy = Object.defineProperty(new Error('x'), Symbol.for('kaged.harness.AgentDefinitionError'), { value: true });
    expect(AgentDefinitionError.isInstance(fromOtherCopy)).toBe(true);
    expect(UnknownAgentError.isInstance(fromOtherCopy)).toBe(false);
  });
});
