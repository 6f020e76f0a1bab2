import { stat } from 'node:fs/promises';
import type { ModelResolver } from '@kaged/harness';
import { createModelRegistry, type ModelRegistry } from '@kaged/llm';
import type { Logger, SecretValues } from '@kaged/observability';
import { createPromptWatcher, PromptLoadError, type PromptWatcher } from '@kaged/prompt-watcher';
import { formatIssue, ProjectConfigError, type ConfigIssue } from '../errors/project-config-error.js';
import { loadProject } from './load-project.js';
import { projectSecrets } from './project-secrets.js';
import type { Project } from './project.js';

export interface LiveProjectOptions {
  /** The project as loaded at start-up. */
  project: Project;
  /**
   * When the caller began loading `project` (ms since the epoch). Files of the project changed
   * since are loaded again once the watcher is ready. Default: now, nothing to catch up.
   */
  loadStartedAt?: number | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Where the project's secret values are registered for the logger to censor. */
  secrets?: SecretValues | undefined;
  /**
   * Called with each valid new version of the project, in the same tick as its prompts become
   * current: swap what depends on the agent definitions here (the harness's agents).
   */
  onReload(project: Project): void;
  /**
   * Told the outcome of every reload, for metrics: each prompt file that loaded a new version
   * or failed to load, and each reload of the project file. Must not throw.
   */
  onReloadOutcome?(outcome: ReloadOutcome): void;
}

export interface ReloadOutcome {
  kind: 'prompt' | 'project';
  ok: boolean;
}

export interface ProjectState {
  file: string;
  /** `stale`: the file on disk is broken and the last good version is running. */
  state: 'ok' | 'stale';
  /** Why the last reload failed, one line per problem with file:line:column. */
  errors: string[];
  loadedAt: Date;
}

export interface LiveProject {
  current(): Project;
  /** Prompt source for the harness: follows the prompt files. */
  readonly prompts: PromptWatcher;
  /** Model resolver for the harness: follows the project's providers. */
  readonly models: ModelResolver;
  state(): ProjectState;
  close(): Promise<void>;
}

/**
 * The running project: watches the project file, the files it references and the prompts, and
 * applies every valid edit at the next turn. A broken edit keeps the last good project and is
 * reported (log, `/v1/prompts`, `/readyz`) until it is fixed. Settings that only a restart can
 * apply (`server`, `sessions`, `observability`) are reported, not applied.
 */
export async function createLiveProject(options: LiveProjectOptions): Promise<LiveProject> {
  const log = options.logger.child({ component: 'project' });
  let project = options.project;
  options.secrets?.add(...projectSecrets(project, options.env));
  let registry: ModelRegistry = createModelRegistry({ providers: project.providers });
  let errors: ConfigIssue[] = [];
  let loadedAt = new Date();

  const prompts = await createPromptWatcher({
    prompts: project.prompts,
    baseDir: project.dir,
    watchFiles: project.watchFiles,
    logger: options.logger.child({ component: 'prompts' }),
    onFilesChanged: () => reload(),
    onPromptsChanged: (changes) => {
      for (const _ of changes) options.onReloadOutcome?.({ kind: 'prompt', ok: true });
    },
    onPromptsFailed: (failures) => {
      for (const _ of failures) options.onReloadOutcome?.({ kind: 'prompt', ok: false });
    },
  });

  async function reload(): Promise<void> {
    let next: Project;
    let nextRegistry: ModelRegistry;
    try {
      next = await loadProject(project.file, { env: options.env });
      // Registered before anything can log about the new project, even if it turns out invalid.
      options.secrets?.add(...projectSecrets(next, options.env));
      nextRegistry = createModelRegistry({ providers: next.providers });
      await prompts.setPrompts(next.prompts);
    } catch (error) {
      errors = ProjectConfigError.isInstance(error) ? [...error.issues] : [issueOf(error, project.file)];
      log.warn({ file: project.file, errors: errors.map(formatIssue) }, 'project.reload_failed');
      options.onReloadOutcome?.({ kind: 'project', ok: false });
      return;
    }
    // Same tick as the new prompt snapshot: no turn can start in between.
    const previous = project;
    project = next;
    registry = nextRegistry;
    options.onReload(next);
    errors = [];
    loadedAt = new Date();
    log.info({ file: next.file, agents: next.agents.map((a) => a.id) }, 'project.reloaded');
    options.onReloadOutcome?.({ kind: 'project', ok: true });
    const needsRestart = (['server', 'sessions', 'observability'] as const).filter((key) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]));
    if (needsRestart.length > 0) log.warn({ fields: needsRestart }, 'project.restart_required');
    await prompts.setWatchFiles(next.watchFiles);
  }

  // An edit saved after the caller loaded the project but before the watcher was ready raised
  // no event. A stat of each watched file tells whether there can be one; only then is the
  // project loaded again and compared.
  if (await changedSince(project.watchFiles, options.loadStartedAt ?? Date.now())) await catchUpWithDisk();

  async function catchUpWithDisk(): Promise<void> {
    let onDisk: Project;
    try {
      onDisk = await loadProject(project.file, { env: options.env });
    } catch {
      // Broken on disk: reload() reports it the way a live edit would be reported.
      return reload();
    }
    if (JSON.stringify(onDisk) !== JSON.stringify(project)) await reload();
  }

  return {
    current: () => project,
    prompts,
    models: { resolve: (modelId) => registry.resolve(modelId) },
    state: () => ({ file: project.file, state: errors.length > 0 ? 'stale' : 'ok', errors: errors.map(formatIssue), loadedAt }),
    close: () => prompts.close(),
  };
}

/** A reload failure that is not a config error, positioned at the field naming the file when known. */
function issueOf(error: unknown, projectFile: string): ConfigIssue {
  if (PromptLoadError.isInstance(error) && error.reference) {
    const { file, line, column, field } = error.reference;
    return { file, line, column, path: field, message: `cannot read prompt file ${error.path}: ${error.reason}` };
  }
  return { file: projectFile, line: 1, column: 1, path: '', message: (error as Error).message };
}

/**
 * True when a file may have changed since `since`: it is gone, or its modification time is in
 * or after the second `since` falls in (some file systems keep whole seconds only).
 */
async function changedSince(files: readonly string[], since: number): Promise<boolean> {
  const from = Math.floor(since / 1000) * 1000;
  const stats = await Promise.all(files.map((file) => stat(file).catch(() => undefined)));
  return stats.some((entry) => entry === undefined || entry.mtimeMs >= from);
}
