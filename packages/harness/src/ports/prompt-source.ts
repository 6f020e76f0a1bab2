/** One prompt version as the harness needs it. `@kaged/prompt-watcher` satisfies this shape. */
export interface PromptVersion {
  readonly id: string;
  readonly text: string;
  readonly version: string;
  readonly path: string | null;
}

export interface PromptSnapshotView {
  /**
   * Changes whenever any prompt changes. Return the same snapshot object until then: the harness
   * keeps what it derives from a snapshot (tools with operator descriptions) per object.
   */
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
