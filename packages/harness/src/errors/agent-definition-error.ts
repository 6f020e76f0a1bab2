import { KagedHarnessError } from './kaged-harness-error.js';

/** An agent definition the harness cannot build: a missing prompt, tool or subagent, or a cycle. */
export class AgentDefinitionError extends KagedHarnessError {
  static override readonly marker: string = 'kaged.harness.AgentDefinitionError';

  constructor(message: string) {
    super('invalid_agent', message);
  }
}
