import { isAbsolute, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@kaged/observability';
import type { MastraMCPServerDefinition, MCPClient } from '@mastra/mcp';
import type { Tool } from '@mastra/core/tools';
import { McpClientLogger } from './mcp-client-logger.js';
import type { McpServerSettings } from './mcp-settings.js';
import { McpStderrLog, openStderrPipe, type StderrPipe } from './mcp-stderr.js';
import { withoutProcessHooks } from './process-hooks.js';

/** `connecting` until the first answer; `down` after a failure, until a retry succeeds. */
export type McpServerState = 'connecting' | 'up' | 'down' | 'disabled' | 'stopped';

export interface McpServerStatus {
  name: string;
  state: McpServerState;
  transport: 'stdio' | 'http';
  /** Tools the server offered at its last answer. */
  tools: number;
  /** Why it is down (or why the last attempt failed). */
  error?: string | undefined;
  /** Failed connection attempts in a row. */
  failures: number;
  since: Date;
}

export interface McpRunnerOptions {
  name: string;
  settings: McpServerSettings;
  /** Relative `cwd` resolves here (the project file's directory). */
  projectDir: string;
  /** The daemon's environment: only PATH and HOME are taken from it. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Told whenever the state or the tool list changes. */
  onChange(): void;
  /** How long an up server waits between health probes (a `tools/list`). Default 15 s. */
  probeIntervalMs?: number | undefined;
  /** First retry delay after a failure, doubled per failure up to 30 s. Default 500 ms. */
  retryBaseMs?: number | undefined;
}

/** A tool as Mastra's `MCPClient.listToolsets()` returns it. */
// biome-ignore lint/suspicious/noExplicitAny: the type Mastra's MCP client gives its tools
export type McpTool = Tool<any, any, any, any>;

const MAX_RETRY_MS = 30_000;
const MIN_CONNECT_MS = 10_000;

/**
 * One MCP server, kept connected: a `MCPClient` of its own (so that it restarts and stops alone),
 * a health probe while up, retries with backoff while down. Mastra's client respawns a dead
 * stdio child on the next request by itself; the runner is what notices when that fails, says
 * so in the log and `/readyz`, and keeps trying.
 */
export class McpServerRunner {
  readonly name: string;
  readonly settings: McpServerSettings;
  readonly #options: McpRunnerOptions;
  readonly #log: Logger;
  #client: MCPClient | undefined;
  /** A local server's stderr, one pipe per client (its children share it); `undefined` for a remote one. */
  #stderr: StderrPipe | undefined;
  readonly #stderrLog: McpStderrLog;
  #state: McpServerState;
  #tools: Record<string, McpTool> = {};
  /** True once the server has listed its tools at least once: until then its tool names are unknown. */
  #answered = false;
  #error: string | undefined;
  #failures = 0;
  #since = new Date();
  #wake: AbortController = new AbortController();
  #stopped = false;
  #loop: Promise<void> | undefined;
  #generation = 0;

  constructor(options: McpRunnerOptions) {
    this.#options = options;
    this.name = options.name;
    this.settings = options.settings;
    this.#log = options.logger.child({ component: 'mcp', server: options.name });
    this.#stderrLog = new McpStderrLog({ logger: this.#log, secrets: Object.values(options.settings.env) });
    this.#state = options.settings.enabled ? 'connecting' : 'disabled';
  }

  get state(): McpServerState {
    return this.#state;
  }

  /** The server's tools as of its last answer, by the server's own names; kept while it is down. */
  get tools(): Readonly<Record<string, McpTool>> {
    return this.#tools;
  }

  get answered(): boolean {
    return this.#answered;
  }

  /** Changes with every new tool list: what is built from the tools is kept per generation. */
  get generation(): number {
    return this.#generation;
  }

  get lastError(): string | undefined {
    return this.#error;
  }

  status(): McpServerStatus {
    return {
      name: this.name,
      state: this.#state,
      transport: this.settings.command !== undefined ? 'stdio' : 'http',
      tools: Object.keys(this.#tools).length,
      error: this.#error,
      failures: this.#failures,
      since: this.#since,
    };
  }

  start(): void {
    if (!this.settings.enabled || this.#loop) return;
    this.#log.info({ transport: this.status().transport }, 'mcp.server_starting');
    this.#loop = this.#run();
  }

  /** A call failed in a way that may mean the server is gone: probe now rather than at the next interval. */
  suspect(): void {
    this.#wake.abort();
  }

  /**
   * Runs a call of one of this server's tools, with Mastra's process hooks kept off (a call may
   * start the server again, and each connection installs them: see process-hooks.ts).
   */
  call<T>(operation: () => Promise<T>): Promise<T> {
    return withoutProcessHooks(() => this.#client, operation);
  }

  /** Stops the loop and the server (its child process, for a local one). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.abort();
    await this.#loop?.catch(() => {});
    await this.#disconnect();
    this.#setState('stopped');
  }

  async #run(): Promise<void> {
    const probeMs = this.#options.probeIntervalMs ?? 15_000;
    const retryBase = this.#options.retryBaseMs ?? 500;
    while (!this.#stopped) {
      try {
        await this.#probe();
        if (this.#stopped) return;
        if (this.#state !== 'up') this.#log.info({ tools: Object.keys(this.#tools).length, failures: this.#failures }, 'mcp.server_up');
        this.#failures = 0;
        this.#error = undefined;
        this.#setState('up');
        await this.#pause(probeMs);
      } catch (error) {
        if (this.#stopped) return;
        this.#failures++;
        this.#error = messageOf(error);
        const retryMs = Math.min(MAX_RETRY_MS, retryBase * 2 ** Math.min(this.#failures - 1, 16));
        // One warning when it goes down; the retries that fail after it are debug lines.
        const line = { err: this.#error, failures: this.#failures, retryMs };
        if (this.#state === 'down') this.#log.debug(line, 'mcp.server_retry_failed');
        else this.#log.warn(line, 'mcp.server_down');
        this.#setState('down');
        // A fresh client for the retry: no half-open transport or stale child is reused.
        await this.#disconnect();
        await this.#pause(retryMs);
      }
    }
  }

  async #probe(): Promise<void> {
    if (!this.#client) {
      // Loaded with the first server: a project without `mcp:` never pays for it at start.
      const { MCPClient } = await import('@mastra/mcp');
      if (this.settings.command !== undefined) this.#stderr = await this.#openStderr();
      this.#client = new MCPClient({ id: `kaged-mcp-${this.name}-${process.pid}-${Date.now()}`, servers: { [this.name]: this.#definition() } });
      this.#client.__setLogger(new McpClientLogger(this.#log));
    }
    const client = this.#client;
    // No discovery timeout of Mastra's: it abandons a connect that then completes, child and all.
    // The connection's own timeout (#definition) bounds it instead.
    const { toolsets, errors } = await withoutProcessHooks(
      () => client,
      () => client.listToolsetsWithErrors(),
    );
    const error = errors[this.name];
    if (error !== undefined) throw new Error(error);
    const tools = toolsets[this.name] ?? {};
    const changed = !this.#answered || !sameTools(this.#tools, tools);
    // Always the new objects: each is bound to the client that listed it, the old one may be gone.
    this.#tools = tools;
    if (changed) {
      this.#answered = true;
      this.#generation++;
      this.#options.onChange();
    }
  }

  #definition(): MastraMCPServerDefinition {
    const { command, args, env, cwd, url, headers, timeoutMs } = this.settings;
    // Connecting (and Mastra's own request timeout) get at least 10 s: a cold `npx`-style start
    // is slow. Each tool call is bounded by `timeoutMs` in mcp-tool-source.ts.
    const connectMs = Math.max(timeoutMs, MIN_CONNECT_MS);
    const base = { timeout: connectMs, enableServerLogs: false };
    if (command !== undefined) {
      const daemonEnv = this.#options.env;
      const minimal: Record<string, string> = {};
      if (daemonEnv.PATH) minimal.PATH = daemonEnv.PATH;
      if (daemonEnv.HOME) minimal.HOME = daemonEnv.HOME;
      return {
        ...base,
        // `node` is the Node that runs kaged: MCP servers in JavaScript then need no Node of
        // their own on PATH (and get one recent enough: kaged's).
        command: command === 'node' ? process.execPath : command,
        args,
        // Only what the entry names plus PATH and HOME: never the daemon's API keys.
        env: { ...minimal, ...env },
        inheritDefaultEnv: false,
        // Read line by line into the log (mcp-stderr.ts), from before the server starts. Mastra
        // types it as spawn's IOType but hands it to the SDK's transport, which takes a stream.
        stderr: (this.#stderr?.writable ?? 'ignore') as 'ignore',
        cwd: cwd === undefined ? this.#options.projectDir : isAbsolute(cwd) ? cwd : resolve(this.#options.projectDir, cwd),
      };
    }
    return { ...base, url: new URL(url!), requestInit: { headers }, connectTimeout: connectMs };
  }

  async #disconnect(): Promise<void> {
    const client = this.#client;
    const stderr = this.#stderr;
    this.#client = undefined;
    this.#stderr = undefined;
    await client?.disconnect().catch((error: unknown) => this.#log.debug({ err: messageOf(error) }, 'mcp.disconnect_failed'));
    // After the children: their last lines are read first.
    await stderr?.close();
  }

  /** The pipe for the server's stderr; without one (no temporary directory, say) it is discarded. */
  async #openStderr(): Promise<StderrPipe | undefined> {
    try {
      return await openStderrPipe(this.#stderrLog);
    } catch (error) {
      this.#log.warn({ err: messageOf(error) }, 'mcp.stderr_unavailable');
      return undefined;
    }
  }

  async #pause(ms: number): Promise<void> {
    if (this.#stopped) return;
    this.#wake = new AbortController();
    await sleep(ms, undefined, { signal: this.#wake.signal, ref: false }).catch(() => {});
  }

  #setState(state: McpServerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#since = new Date();
    this.#options.onChange();
  }
}

function sameTools(a: Record<string, McpTool>, b: Record<string, McpTool>): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => b[name] !== undefined && b[name].description === a[name]!.description);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
