import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { builtinTools, guardConfigOf, subagentToolName, toolDescriptionPromptId, type AgentDefinition } from '@kaged/harness';
import {
  apiKeyEnvOf,
  apiKeyOf,
  builtinProviders,
  MissingApiKeyError,
  parseModelId,
  providerMaxRetries,
  providerSettingsOf,
  scriptSchema,
  type ProviderSettings,
  type Script,
} from '@kaged/llm';
import { readPromptFile, type PromptDefinition, type PromptReference } from '@kaged/prompt-watcher';
import { ProjectConfigError, type ConfigIssue } from '../errors/project-config-error.js';
import { projectMcp, toolNameProblem } from '../mcp/project-mcp.js';
import { agentPromptId, type Project } from './project.js';
import { projectSchema, type ProjectFile } from './schema.js';
import { YamlFile } from './yaml-file.js';

export interface LoadProjectOptions {
  /** Source of `${env:NAME}` values. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads and validates a project file (or the `kaged.yaml` in a directory) and the files it references. Throws `ProjectConfigError`
 * listing every problem found, each with file, line, column and field path.
 */
export async function loadProject(projectFile: string, options: LoadProjectOptions = {}): Promise<Project> {
  const file = await projectFilePath(projectFile);
  const dir = dirname(file);
  const yaml = await readYaml(file);

  const syntax = yaml.syntaxIssues();
  if (syntax.length > 0) throw new ProjectConfigError(syntax);

  const env = options.env ?? process.env;
  const issues = yaml.substituteEnv(env);
  const parsed = projectSchema.safeParse(yaml.toJS());
  if (!parsed.success) throw new ProjectConfigError([...issues, ...yaml.zodIssues(parsed.error)]);
  const config = parsed.data;

  const scripts = new Map<string, Script>();
  for (const [providerName, provider] of Object.entries(config.providers)) {
    if (provider.type !== 'scripted') continue;
    const script = await loadScript(resolve(dir, provider.script.file), yaml, ['providers', providerName, 'script', 'file'], issues);
    if (script) scripts.set(providerName, script);
  }

  for (const [agentId, agent] of Object.entries(config.agents)) {
    issues.push(...(await checkAgent(agentId, agent, config, scripts, dir, yaml, env)));
  }
  issues.push(...findSubagentCycles(config, yaml));
  issues.push(...(await checkToolOverrides(config, dir, yaml)));
  const promptFile = (field: PropertyKey[]) => ({ maxBytes: config.prompts.maxFileBytes, referencedAt: promptReference(yaml, field) });
  if (issues.length > 0) throw new ProjectConfigError(issues);

  return {
    file,
    dir,
    name: config.name,
    providers: providerSettings(config, scripts, env),
    pricing: config.pricing,
    agents: Object.entries(config.agents).map(
      ([id, agent]): AgentDefinition => ({
        id,
        description: agent.description,
        model: agent.model,
        promptId: agentPromptId(id),
        tools: agent.tools,
        subagents: agent.subagents,
        maxSteps: agent.maxSteps,
        maxRetries: maxRetriesOf(config, agent.model),
        guards: agent.guards && guardConfigOf(agent.guards),
      }),
    ),
    prompts: [
      ...Object.entries(config.agents).map(([id, agent]) =>
        promptDefinition(agentPromptId(id), agent.prompt, dir, promptFile(['agents', id, 'prompt', 'file'])),
      ),
      ...Object.entries(config.tools).flatMap(([name, tool]) =>
        tool.description === undefined
          ? []
          : [promptDefinition(toolDescriptionPromptId(name), tool.description, dir, promptFile(['tools', name, 'description', 'file']))],
      ),
    ],
    watchFiles: [file, ...Object.values(config.providers).flatMap((provider) => (provider.type === 'scripted' ? [resolve(dir, provider.script.file)] : []))],
    server: config.server,
    sessions: config.sessions,
    storage: config.storage,
    observability: config.observability,
    mcp: projectMcp(config.mcp, config.agents, yaml),
  };
}

/** A project directory stands for the `kaged.yaml` inside it. */
async function projectFilePath(path: string): Promise<string> {
  const absolute = resolve(path);
  const info = await stat(absolute).catch(() => undefined);
  return info?.isDirectory() ? join(absolute, 'kaged.yaml') : absolute;
}

/** A file prompt carries its size bound and the field that names it (errors about it point there). */
function promptDefinition(
  id: string,
  ref: string | { file: string },
  dir: string,
  file: { maxBytes: number; referencedAt: PromptReference },
): PromptDefinition {
  return typeof ref === 'string' ? { id, text: ref } : { id, file: resolve(dir, ref.file), ...file };
}

function promptReference(yaml: YamlFile, field: PropertyKey[]): PromptReference {
  const issue = yaml.issueAt(field, '');
  return { file: issue.file, line: issue.line, column: issue.column, field: issue.path };
}

async function checkToolOverrides(config: ProjectFile, dir: string, yaml: YamlFile): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  for (const [name, tool] of Object.entries(config.tools)) {
    const problem = toolNameProblem(name, Object.keys(builtinTools), config.mcp, { allowAll: false });
    if (problem) {
      issues.push(yaml.issueAt(['tools', name], problem, { atKey: true }));
      continue;
    }
    if (tool.description !== undefined && typeof tool.description !== 'string') {
      const issue = await checkReadable(resolve(dir, tool.description.file), yaml, ['tools', name, 'description', 'file'], config.prompts.maxFileBytes);
      if (issue) issues.push(issue);
    }
  }
  return issues;
}

/** The prompt store's own rule (regular file, size bound, UTF-8, not empty): validate refuses what start refuses. */
async function checkReadable(file: string, yaml: YamlFile, field: PropertyKey[], maxBytes: number): Promise<ConfigIssue | undefined> {
  const read = await readPromptFile(file, maxBytes);
  return read.ok ? undefined : yaml.issueAt(field, `cannot read prompt file ${file}: ${read.reason}`);
}

function readYaml(file: string): Promise<YamlFile> {
  return YamlFile.read(file, { what: 'project file' });
}

async function loadScript(file: string, project: YamlFile, field: PropertyKey[], issues: ConfigIssue[]): Promise<Script | undefined> {
  let yaml: YamlFile;
  let data: unknown;
  try {
    yaml = await YamlFile.read(file, { what: 'script file', referencedAt: project.issueAt(field, '') });
    const syntax = yaml.syntaxIssues();
    if (syntax.length > 0) {
      issues.push(...syntax);
      return undefined;
    }
    data = yaml.toJS();
  } catch (error) {
    if (!ProjectConfigError.isInstance(error)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
  const parsed = scriptSchema.safeParse(data);
  if (!parsed.success) {
    issues.push(...yaml.zodIssues(parsed.error));
    return undefined;
  }
  return parsed.data;
}

async function checkAgent(
  agentId: string,
  agent: ProjectFile['agents'][string],
  config: ProjectFile,
  scripts: Map<string, Script>,
  dir: string,
  yaml: YamlFile,
  env: NodeJS.ProcessEnv,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  const at = (...field: PropertyKey[]) => ['agents', agentId, ...field];

  // The schema checked the form of the id, so this does not throw.
  const { provider: providerName, model: modelName } = parseModelId(agent.model);
  const provider = providerSettingsOf(providerName, config.providers);
  if (!provider) {
    const known = Object.keys(config.providers);
    const builtIn = Object.keys(builtinProviders)
      .map((p) => `"${p}"`)
      .join(', ');
    issues.push(
      yaml.issueAt(at('model'), `unknown provider "${providerName}" (providers: ${known.map((p) => `"${p}"`).join(', ') || 'none'}; built in: ${builtIn})`),
    );
  } else if (provider.type === 'scripted') {
    const script = scripts.get(providerName);
    if (script && !script.models[modelName] && !script.models['*']) {
      issues.push(yaml.issueAt(at('model'), `the script of provider "${providerName}" (${provider.script.file}) has no model "${modelName}"`));
    }
  } else {
    // Names the variable, never a value.
    const envVar = apiKeyEnvOf(provider.type);
    if (envVar && !apiKeyOf(provider, env)) issues.push(yaml.issueAt(at('model'), new MissingApiKeyError(providerName, envVar).message));
  }

  agent.tools.forEach((tool, index) => {
    const problem = toolNameProblem(tool, Object.keys(builtinTools), config.mcp);
    if (problem) issues.push(yaml.issueAt(at('tools', index), problem));
  });
  (agent.guards?.expectTools ?? []).forEach((entry, index) => {
    const names = typeof entry === 'string' ? [entry] : entry.tools;
    const field = typeof entry === 'string' ? at('guards', 'expectTools', index) : at('guards', 'expectTools', index, 'tools');
    for (const name of names) {
      const known = agent.tools.includes(name) || agent.subagents.some((id) => subagentToolName(id) === name);
      if (!known) {
        const offered = [...agent.tools, ...agent.subagents.map(subagentToolName)];
        issues.push(yaml.issueAt(field, `expects tool "${name}", which agent "${agentId}" does not have (its tools: ${offered.join(', ') || 'none'})`));
      }
    }
  });
  agent.subagents.forEach((subagent, index) => {
    if (!(subagent in config.agents)) {
      issues.push(yaml.issueAt(at('subagents', index), `unknown agent "${subagent}" (agents: ${Object.keys(config.agents).join(', ')})`));
    }
  });

  if (typeof agent.prompt !== 'string') {
    const issue = await checkReadable(resolve(dir, agent.prompt.file), yaml, at('prompt', 'file'), config.prompts.maxFileBytes);
    if (issue) issues.push(issue);
  }
  return issues;
}

function findSubagentCycles(config: ProjectFile, yaml: YamlFile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const reported = new Set<string>();
  const visit = (agentId: string, chain: string[]) => {
    const agent = config.agents[agentId];
    if (!agent) return;
    agent.subagents.forEach((subagent, index) => {
      if (chain.includes(subagent)) {
        const cycle = [...chain.slice(chain.indexOf(subagent)), agentId, subagent].join(' -> ');
        const key = [...new Set([...chain.slice(chain.indexOf(subagent)), agentId])].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          issues.push(yaml.issueAt(['agents', agentId, 'subagents', index], `subagents form a cycle: ${cycle}`));
        }
        return;
      }
      visit(subagent, [...chain, agentId]);
    });
  };
  for (const agentId of Object.keys(config.agents)) visit(agentId, []);
  return issues;
}

/**
 * The retries an agent's model calls get, by @kaged/llm's rule (the registry's `maxRetriesOf`).
 * None is left unset, as the harness reads unset: a scripted model's definition carries no
 * `maxRetries`, and neither does a provider's `maxRetries: 0`.
 */
function maxRetriesOf(config: ProjectFile, modelId: string): number | undefined {
  const name = parseModelId(modelId).provider;
  const provider = providerSettingsOf(name, config.providers);
  return (provider && providerMaxRetries(name, provider)) || undefined;
}

/** Settings for the model registry: the configured providers and the built-in ones agents use, keys filled in from `env`. */
function providerSettings(config: ProjectFile, scripts: Map<string, Script>, env: NodeJS.ProcessEnv): Record<string, ProviderSettings> {
  const settings: Record<string, ProviderSettings> = {};
  const used = Object.values(config.agents).map((agent) => parseModelId(agent.model).provider);
  const names = new Set([...Object.keys(config.providers), ...used.filter((name) => Object.hasOwn(builtinProviders, name))]);
  for (const name of names) {
    const provider = providerSettingsOf(name, config.providers)!;
    if (provider.type === 'scripted') {
      settings[name] = { type: 'scripted', script: scripts.get(name)! };
      continue;
    }
    const { baseURL, headers, timeoutMs, maxRetries } = provider;
    const http = { apiKey: apiKeyOf(provider, env), headers, timeoutMs, maxRetries };
    settings[name] =
      provider.type === 'openai-compatible' ? { type: provider.type, baseURL: provider.baseURL, ...http } : { type: provider.type, baseURL, ...http };
  }
  return settings;
}
