import { KagedHarnessError } from './kaged-harness-error.js';

/** `startTurn` for an agent id that is not among the definitions. */
export class UnknownAgentError extends KagedHarnessError {
  static override readonly marker: string = 'kaged.harness.UnknownAgentError';

  readonly agentId: string;

  constructor(agentId: string, known: readonly string[]) {
    super('unknown_agent', `unknown agent "${agentId}" (agents: ${known.join(', ') || 'none'})`);
    this.agentId = agentId;
  }
}
