export { createPromptStore } from './prompt-store.js';
export type { PromptChange, PromptStatus, PromptStore, PromptStoreOptions, RefreshOptions, RefreshResult } from './prompt-store.js';
export { createPromptWatcher } from './prompt-watcher.js';
export type { PromptFailure, PromptWatcher, PromptWatcherOptions, WatcherLogger } from './prompt-watcher.js';
export { createPromptSnapshot } from './prompt-snapshot.js';
export type { PromptSnapshot } from './prompt-snapshot.js';
export { contentVersion } from './prompt.js';
export type { Prompt, PromptDefinition } from './prompt.js';
export { PromptLoadError } from './errors/prompt-load-error.js';
