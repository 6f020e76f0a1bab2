/**
 * The part of an AI SDK language model the harness relies on. Kept structural on purpose:
 * Mastra bundles its own copy of the AI SDK provider types, whose minor version rarely equals
 * the one a provider package was built with, and the runtime contract (`specificationVersion`,
 * `doGenerate`, `doStream`) is what matters.
 */
export interface LanguageModelLike {
  readonly specificationVersion: string;
  readonly provider: string;
  readonly modelId: string;
}

/**
 * Turns a `<provider>/<model>` id into an AI SDK language model. `@kaged/llm`'s model
 * registry satisfies this shape. Throw a typed error for unknown ids.
 */
export interface ModelResolver {
  resolve(modelId: string): LanguageModelLike;
}
