import type { ErrorDescriber, ModelPricing } from '@kaged/harness';
import { apiKeyEnvOf, classifyModelError, createPricing, type Pricing } from '@kaged/llm';
import type { Logger } from '@kaged/observability';
import type { Project } from './project/project.js';

/**
 * The harness's model ports backed by `@kaged/llm`, for the project as it currently runs (it
 * follows reloads): turn errors explained (`auth_failed`, `timeout`…) and usage priced from the
 * project's `pricing:` and the built-in list prices.
 */
export function modelPorts(current: () => Project, logger: Logger): { describeError: ErrorDescriber; pricing: ModelPricing } {
  const log = logger.child({ component: 'models' });
  // Once per model for the daemon's lifetime, not once per reload.
  const warned = new Set<string>();
  const onUnknownModel = (modelId: string) => {
    if (warned.has(modelId)) return;
    warned.add(modelId);
    log.warn({ model: modelId }, `pricing.unknown_model: no price for ${modelId}, so turns that use it report costUsd null; add it under pricing: in the project file`);
  };
  const pricings = new WeakMap<Project, Pricing>();
  const pricingOf = (project: Project) => {
    let pricing = pricings.get(project);
    if (!pricing) {
      pricing = createPricing({ prices: project.pricing, providerType: (name) => project.providers[name]?.type, onUnknownModel });
      pricings.set(project, pricing);
    }
    return pricing;
  };

  return {
    describeError(error, agent) {
      const project = current();
      const provider = project.providers[agent.model.slice(0, agent.model.indexOf('/'))];
      const http = provider && provider.type !== 'scripted' ? provider : undefined;
      return classifyModelError(error, {
        modelId: agent.model,
        apiKeyEnv: provider ? apiKeyEnvOf(provider.type) : undefined,
        maxRetries: agent.maxRetries,
        baseURL: http?.baseURL,
        // Every key of the project, in case a server echoes another one.
        secrets: Object.values(project.providers).map((p) => (p.type === 'scripted' ? undefined : p.apiKey)),
      });
    },
    pricing: { costOf: (modelId, usage) => pricingOf(current()).costOf(modelId, usage) },
  };
}
