import type { ErrorDescriber, ModelPricing } from '@kaged/harness';
import { createModelRegistry, createPricing, type ModelRegistry, type Pricing } from '@kaged/llm';
import type { Logger } from '@kaged/observability';
import type { Project } from './project/project.js';

/**
 * The harness's model ports backed by `@kaged/llm`, for the project as it currently runs (it
 * follows reloads): turn errors explained (`auth_failed`, `timeout`…) by the model registry,
 * and usage priced from the project's `pricing:` and the built-in list prices.
 */
export function modelPorts(current: () => Project, logger: Logger): { describeError: ErrorDescriber; pricing: ModelPricing } {
  const log = logger.child({ component: 'models' });
  // Once per model for the daemon's lifetime, not once per reload.
  const warned = new Set<string>();
  const onUnknownModel = (modelId: string) => {
    if (warned.has(modelId)) return;
    warned.add(modelId);
    log.warn(
      { model: modelId },
      `pricing.unknown_model: no price for ${modelId}, so turns that use it report costUsd null; add it under pricing: in the project file`,
    );
  };
  const pricingOf = perProject(
    (project): Pricing => createPricing({ prices: project.pricing, providerType: (name) => project.providers[name]?.type, onUnknownModel }),
  );
  // Only asked when a turn fails. The project's providers were checked when it loaded, so this
  // does not throw; the registry redacts every key of the project in its messages.
  const registryOf = perProject((project): ModelRegistry => createModelRegistry({ providers: project.providers }));

  return {
    describeError: (error, agent) => registryOf(current()).describeError(error, agent.model),
    pricing: { costOf: (modelId, usage) => pricingOf(current()).costOf(modelId, usage) },
  };
}

/** `create` once per project version: a reload brings a new `Project` object. */
function perProject<T>(create: (project: Project) => T): (project: Project) => T {
  const made = new WeakMap<Project, T>();
  return (project) => {
    let value = made.get(project);
    if (value === undefined) {
      value = create(project);
      made.set(project, value);
    }
    return value;
  };
}
