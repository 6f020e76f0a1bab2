import { Agent, type ToolsInput } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import type { Mastra } from '@mastra/core/mastra';
import type { MastraMemory } from '@mastra/core/memory';
import { RequestContext } from '@mastra/core/request-context';
import { createTool, Tool } from '@mastra/core/tools';
import type { AgentDefinition } from './agent-definition.js';
import { AgentDefinitionError } from './errors/agent-definition-error.js';
import type { ModelResolver } from './ports/model-resolver.js';
import type { PromptSnapshotView, PromptSource } from './ports/prompt-source.js';
import type { SelectedTool, ToolSnapshot, ToolSource } from './ports/tool-source.js';

/** Where a turn's prompt snapshot travels: in the request context of its `agent.stream()`. */
const SNAPSHOT_KEY = 'kaged.promptSnapshot';
/** And its tool snapshot, taken at the same boundary. */
const TOOLS_KEY = 'kaged.toolSnapshot';

export interface AgentTreeOptions {
  definitions: ReadonlyMap<string, AgentDefinition>;
  prompts: PromptSource;
  models: ModelResolver;
  tools: ToolSource;
  memory?: MastraMemory | undefined;
  mastra?: Mastra | undefined;
}

/**
 * The Mastra agents of one generation of agent definitions: one tree per agent a turn may
 * start with (its subagents below it), built on its first turn and kept until `setAgents`.
 *
 * Prompts are not baked in. Instructions and tools are functions of the request context, which
 * carries the turn's prompt snapshot (`requestContextFor`): Mastra resolves them once per
 * `agent.stream()` call, and hands a subagent a copy of its caller's request context, so every
 * step and subagent call of a turn reads the snapshot taken at its message boundary, whatever
 * the prompt files do meanwhile (see agent-tree.integration.test.ts). A prompt edit therefore
 * costs no rebuild.
 */
export class AgentTrees {
  readonly definitions: ReadonlyMap<string, AgentDefinition>;
  readonly #options: AgentTreeOptions;
  readonly #trees = new Map<string, Agent>();
  // An agent's tools, per tool snapshot, prompt snapshot and agent: built once per version of either.
  readonly #agentTools = new WeakMap<ToolSnapshot, WeakMap<PromptSnapshotView, Map<string, ToolsInput>>>();

  constructor(options: AgentTreeOptions) {
    this.#options = options;
    this.definitions = options.definitions;
  }

  /**
   * The agent a turn of `agentId` runs, with its subagents. Throws `AgentDefinitionError` when
   * the tree cannot be built or `snapshot` lacks one of its prompts, and whatever the
   * `ModelResolver` throws for an unknown model.
   */
  agentFor(agentId: string, snapshot: PromptSnapshotView): Agent {
    let tree = this.#trees.get(agentId);
    if (!tree) {
      tree = this.#build(agentId, true, []);
      this.#trees.set(agentId, tree);
    }
    this.#checkPrompts(agentId, snapshot);
    return tree;
  }

  /** The tools as they are now: a turn takes them at its message boundary, with its prompts. */
  toolSnapshot(): ToolSnapshot {
    return this.#options.tools.snapshot();
  }

  /** The request context that gives a turn's agents `snapshot` and `tools`. */
  requestContextFor(snapshot: PromptSnapshotView, tools: ToolSnapshot = this.toolSnapshot()): RequestContext {
    return new RequestContext<unknown>([
      [SNAPSHOT_KEY, snapshot],
      [TOOLS_KEY, tools],
    ]);
  }

  /** The prompt versions a turn of `agentId` uses: its agent's, its tools' and every subagent's it may call. */
  promptsOf(agentId: string, snapshot: PromptSnapshotView, tools: ToolSnapshot = this.toolSnapshot()): { id: string; version: string }[] {
    const seen = new Set<string>();
    const result: { id: string; version: string }[] = [];
    const visit = (id: string) => {
      const definition = this.definitions.get(id);
      if (!definition || seen.has(id)) return;
      seen.add(id);
      if (!result.some((p) => p.id === definition.promptId)) {
        result.push({ id: definition.promptId, version: snapshot.get(definition.promptId)?.version ?? 'missing' });
      }
      for (const { promptName } of selectTools(tools, definition.tools).values()) {
        const override = snapshot.get(toolDescriptionPromptId(promptName));
        if (override && !result.some((p) => p.id === override.id)) result.push({ id: override.id, version: override.version });
      }
      definition.subagents.forEach(visit);
    };
    visit(agentId);
    return result;
  }

  #checkPrompts(agentId: string, snapshot: PromptSnapshotView): void {
    const definition = this.definitions.get(agentId)!;
    if (!snapshot.get(definition.promptId)) {
      throw new AgentDefinitionError(`prompt "${definition.promptId}" of agent "${agentId}" is not loaded`);
    }
    for (const id of definition.subagents) this.#checkPrompts(id, snapshot);
  }

  #build(agentId: string, isPrimary: boolean, callers: string[]): Agent {
    const { definitions, tools, models, memory, mastra } = this.#options;
    const definition = definitions.get(agentId);
    if (!definition) {
      throw new AgentDefinitionError(`agent "${callers.at(-1)}" lists subagent "${agentId}", which is not defined`);
    }
    if (callers.includes(agentId)) {
      throw new AgentDefinitionError(`subagents form a cycle: ${[...callers, agentId].join(' -> ')}`);
    }
    try {
      tools.snapshot().select(definition.tools);
    } catch (error) {
      if (error instanceof AgentDefinitionError) throw new AgentDefinitionError(`agent "${agentId}" lists ${error.message}`);
      throw error;
    }
    const subagents = Object.fromEntries(definition.subagents.map((id) => [id, this.#build(id, false, [...callers, agentId])]));
    const agent = new Agent({
      id: agentId,
      name: agentId,
      description: definition.description ?? `The ${agentId} agent.`,
      instructions: ({ requestContext }) => {
        const snapshot = this.#snapshotIn(requestContext);
        const prompt = snapshot.get(definition.promptId);
        if (!prompt) throw new AgentDefinitionError(`prompt "${definition.promptId}" of agent "${agentId}" is not loaded`);
        return prompt.text;
      },
      tools: ({ requestContext }) => this.#toolsFor(definition, this.#toolSnapshotIn(requestContext), this.#snapshotIn(requestContext)),
      // See LanguageModelLike: the runtime contract is checked by Mastra, not the type copy.
      model: models.resolve(definition.model) as MastraModelConfig,
      agents: subagents,
      // Only the agent the operator talks to keeps session history; subagents get a task each call.
      ...(isPrimary && memory ? { memory } : {}),
      defaultOptions: { maxSteps: definition.maxSteps },
      // Set, it wins over Mastra's per-call setting; unset, Mastra does not retry (its default 0).
      ...(definition.maxRetries !== undefined ? { maxRetries: definition.maxRetries } : {}),
    });
    if (mastra) {
      // What Mastra's own `addAgent` does: the logger arrives as a primitive, not with the
      // instance; without it the agent's errors go to Mastra's console logger.
      agent.__registerPrimitives({ logger: mastra.getLogger() });
      agent.__registerMastra(mastra);
    }
    return agent;
  }

  /**
   * The snapshot of the turn that `requestContext` belongs to. Outside a turn (Mastra tooling
   * that lists an agent's instructions) there is none: the current snapshot is the honest answer.
   */
  #snapshotIn(requestContext: RequestContext | undefined): PromptSnapshotView {
    const snapshot = requestContext?.get(SNAPSHOT_KEY) as PromptSnapshotView | undefined;
    return snapshot ?? this.#options.prompts.snapshot();
  }

  #toolSnapshotIn(requestContext: RequestContext | undefined): ToolSnapshot {
    return (requestContext?.get(TOOLS_KEY) as ToolSnapshot | undefined) ?? this.toolSnapshot();
  }

  /** The agent's tools in `tools`, each description the operator overrides in `snapshot` replaced. */
  #toolsFor(definition: AgentDefinition, tools: ToolSnapshot, snapshot: PromptSnapshotView): ToolsInput {
    let perPrompts = this.#agentTools.get(tools);
    if (!perPrompts) this.#agentTools.set(tools, (perPrompts = new WeakMap()));
    let perAgent = perPrompts.get(snapshot);
    if (!perAgent) perPrompts.set(snapshot, (perAgent = new Map()));
    let result = perAgent.get(definition.id);
    if (!result) {
      const selected = [...selectTools(tools, definition.tools)];
      result = Object.fromEntries(
        selected.map(([name, { tool, promptName }]) => [name, withDescription(tool, snapshot.get(toolDescriptionPromptId(promptName))?.text)]),
      );
      perAgent.set(definition.id, result);
    }
    return result;
  }
}

/** `tools.select(names)`, or none when a name has gone (the build-time check already reported it). */
function selectTools(tools: ToolSnapshot, names: readonly string[]): ReadonlyMap<string, SelectedTool> {
  try {
    return tools.select(names);
  } catch {
    return new Map();
  }
}

/** The prompt id under which a tool's description can be overridden: `tools.<name>.description`. */
export function toolDescriptionPromptId(toolName: string): string {
  return `tools.${toolName}.description`;
}

/** The tool with its description replaced by the operator's prompt, when there is one. */
function withDescription(tool: ToolsInput[string], description: string | undefined): ToolsInput[string] {
  if (description === undefined || !(tool instanceof Tool)) return tool;
  return createTool({
    id: tool.id,
    description: description.trim(),
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    execute: tool.execute,
  } as Parameters<typeof createTool>[0]);
}
