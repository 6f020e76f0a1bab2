import type { MastraModelConfig } from '@mastra/core/llm';

/**
 * Turns a `<provider>/<model>` id into a model Mastra can run (an AI SDK language model).
 * `@kaged/llm`'s model registry satisfies this shape. Throw a typed error for unknown ids.
 */
export interface ModelResolver {
  resolve(modelId: string): MastraModelConfig;
}
