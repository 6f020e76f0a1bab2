import { KagedHarnessError } from './kaged-harness-error.js';

export class UnknownAgentError extends KagedHarnessError {
  readonly agentId: string;

  constructor(agentId: string, known: readonly string[]) {
    super('unknown_agent', `unknown agent "${agentId}" (agents: ${known.join(', ') || 'none'})`);
    this.agentId = agentId;
  }
}
