import type { Logger } from '@kaged/observability';
import { McpServerRunner, type McpServerStatus } from './mcp-server-runner.js';
import type { McpServerSettings } from './mcp-settings.js';

/** Where an agent lists a tool of an MCP server, for the warning when the server lacks it. */
export interface McpToolReference {
  server: string;
  tool: string;
  agentId: string;
  /** `kaged.yaml:12:15 agents.assistant.tools[1]`. */
  at: string;
}

/** How one MCP tool call ended, for metrics and logs. */
export type McpCallOutcome = 'ok' | 'error' | 'timeout' | 'unavailable';

export interface McpToolCall {
  server: string;
  tool: string;
  outcome: McpCallOutcome;
  seconds: number;
}

export interface McpSupervisorOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  probeIntervalMs?: number | undefined;
  retryBaseMs?: number | undefined;
}

/**
 * The project's MCP servers: one runner per enabled entry of `mcp.servers`, kept in step with
 * the project (`apply` after each valid edit: new servers start, removed ones stop, changed ones
 * restart), stopped together on shutdown.
 */
export class McpSupervisor {
  readonly #options: McpSupervisorOptions;
  readonly #log: Logger;
  readonly #runners = new Map<string, McpServerRunner>();
  readonly #listeners = new Set<() => void>();
  readonly #callListeners = new Set<(call: McpToolCall) => void>();
  #references: readonly McpToolReference[] = [];
  #warned = new Set<string>();
  #version = 0;
  #closed = false;

  constructor(options: McpSupervisorOptions) {
    this.#options = options;
    this.#log = options.logger.child({ component: 'mcp' });
  }

  /** Changes whenever a server's state or tool list changes. */
  get version(): number {
    return this.#version;
  }

  /** The runner currently serving `name`, if the project defines it. */
  runner(name: string): McpServerRunner | undefined {
    return this.#runners.get(name);
  }

  /** Every server as the project defines it, disabled ones included. */
  status(): McpServerStatus[] {
    return [...this.#runners.values()].map((runner) => runner.status());
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Told about every MCP tool call (metrics). */
  onToolCall(listener: (call: McpToolCall) => void): () => void {
    this.#callListeners.add(listener);
    return () => this.#callListeners.delete(listener);
  }

  /** Makes the running servers those of `servers`; resolves once removed and changed ones have stopped. */
  async apply(servers: Readonly<Record<string, McpServerSettings>>, references: readonly McpToolReference[] = []): Promise<void> {
    if (this.#closed) return;
    this.#references = references;
    this.#warned = new Set([...this.#warned].filter((key) => references.some((r) => referenceKey(r) === key)));
    const stopping: Promise<void>[] = [];
    for (const [name, runner] of this.#runners) {
      const next = servers[name];
      if (next && JSON.stringify(next) === JSON.stringify(runner.settings)) continue;
      this.#runners.delete(name);
      this.#log.info({ server: name, reason: next ? 'changed' : 'removed' }, 'mcp.server_stopping');
      stopping.push(runner.stop());
    }
    for (const [name, settings] of Object.entries(servers)) {
      if (this.#runners.has(name)) continue;
      const runner = new McpServerRunner({
        name,
        settings,
        projectDir: this.#options.projectDir,
        env: this.#options.env,
        logger: this.#options.logger,
        probeIntervalMs: this.#options.probeIntervalMs,
        retryBaseMs: this.#options.retryBaseMs,
        onChange: () => this.#changed(runner),
      });
      this.#runners.set(name, runner);
      runner.start();
    }
    this.#changed(undefined);
    await Promise.all(stopping);
  }

  /** How a call went, for whoever listens (metrics). */
  recordCall(server: string, tool: string, outcome: McpCallOutcome, seconds: number): void {
    for (const listener of this.#callListeners) {
      try {
        listener({ server, tool, outcome, seconds });
      } catch {
        // Metrics must never fail a call.
      }
    }
  }

  /** Stops every server (each local server's child process with it). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const runners = [...this.#runners.values()];
    this.#runners.clear();
    await Promise.all(runners.map((runner) => runner.stop()));
  }

  #changed(runner: McpServerRunner | undefined): void {
    this.#version++;
    if (runner?.state === 'up') this.#warnMissingTools(runner);
    for (const listener of this.#listeners) listener();
  }

  /** A tool an agent lists that the server, once it answered, does not offer: warned once, the agent runs with the rest. */
  #warnMissingTools(runner: McpServerRunner): void {
    for (const reference of this.#references) {
      if (reference.server !== runner.name || reference.tool === '*' || reference.tool in runner.tools) continue;
      const key = referenceKey(reference);
      if (this.#warned.has(key)) continue;
      this.#warned.add(key);
      this.#log.warn(
        {
          server: runner.name,
          tool: reference.tool,
          agent: reference.agentId,
          at: reference.at,
          offered: Object.keys(runner.tools),
          detail: `${reference.at}: MCP server "${runner.name}" offers no tool "${reference.tool}"; agent "${reference.agentId}" runs without it`,
        },
        'mcp.unknown_tool',
      );
    }
  }
}

function referenceKey(reference: McpToolReference): string {
  return `${reference.agentId}\0${reference.server}\0${reference.tool}`;
}
