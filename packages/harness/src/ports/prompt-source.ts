/** One prompt version as the harness needs it. `@kaged/prompt-watcher` satisfies this shape. */
export interface PromptVersion {
  readonly id: string;
  readonly text: string;
  readonly version: string;
  readonly path: string | null;
}

export interface PromptSnapshotView {
  /** Changes whenever any prompt changes; the harness caches built agents by it. */
  readonly version: string;
  get(id: string): PromptVersion | undefined;
}

/**
 * Where the harness gets prompts. It calls `snapshot()` once when a turn starts (the message
 * boundary) and uses that snapshot for the whole turn, subagent calls included.
 */
export interface PromptSource {
  snapshot(): PromptSnapshotView;
}
