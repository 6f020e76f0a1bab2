export { createPromptStore } from './prompt-store.js';
export type { PromptStore, PromptStoreOptions } from './prompt-store.js';
export { createPromptSnapshot } from './prompt-snapshot.js';
export type { PromptSnapshot } from './prompt-snapshot.js';
export { contentVersion } from './prompt.js';
export type { Prompt, PromptDefinition } from './prompt.js';
export { PromptLoadError } from './errors/prompt-load-error.js';
