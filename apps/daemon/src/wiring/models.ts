import type { ErrorDescriber, ModelPricing, ModelResolver } from '@kaged/harness';
import type { Logger } from '@kaged/observability';
import type { TraceCostFn } from '@kaged/observability/tracing';
import { modelPorts } from '../model-ports.js';
import type { LiveProject } from '../project/live-project.js';

/** The harness's model ports, following the project's providers and prices across reloads. */
export interface DaemonModels {
  /** Resolves `provider/model` ids with the providers of the project as it currently runs. */
  readonly models: ModelResolver;
  /** turn.error codes for provider failures (`auth_failed`, `timeout`…). */
  readonly describeError: ErrorDescriber;
  /** turn.end's `costUsd`, at the project's prices, else the built-in list prices. */
  readonly pricing: ModelPricing;
  /** A local trace's model generations, priced like turn.end: by the agent's model. */
  readonly traceCost: TraceCostFn;
}

export function projectModels(live: LiveProject, logger: Logger): DaemonModels {
  const { describeError, pricing } = modelPorts(() => live.current(), logger);
  return {
    models: live.models,
    describeError,
    pricing,
    traceCost: ({ agentId, usage }) => {
      const agent = live.current().agents.find((a) => a.id === agentId);
      return agent ? pricing.costOf(agent.model, usage) : null;
    },
  };
}
