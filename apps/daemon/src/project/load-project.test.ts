import { defaultGuards } from '@kaged/harness';
import { createModelRegistry } from '@kaged/llm';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from '../../test/support/project-fixture.js';
import { formatIssue, ProjectConfigError } from '../errors/project-config-error.js';
import { loadProject } from './load-project.js';

const fixtures: ProjectFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()));
});

async function project(yaml: string, files: Record<string, string> = scenarioFiles): Promise<ProjectFixture> {
  const fixture = await createProjectFixture(yaml, files);
  fixtures.push(fixture);
  return fixture;
}

/** Loads and returns the formatted problems, with the temp directory replaced by `<dir>`. */
async function problems(fixture: ProjectFixture, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  try {
    await loadProject(fixture.file, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ProjectConfigError);
    return (error as ProjectConfigError).issues.map((issue) =>
      formatIssue({ ...issue, file: issue.file.replace(fixture.dir, '<dir>') }).replaceAll(fixture.dir, '<dir>'),
    );
  }
  throw new Error('expected the project to be rejected');
}

describe('loadProject', () => {
  it('loads a valid project with defaults and resolved paths', async () => {
    const fixture = await project(scenarioProject);
    const loaded = await loadProject(fixture.file, { env: {} });
    expect(loaded.name).toBe('scenario');
    expect(loaded.dir).toBe(fixture.dir);
    expect(loaded.server).toEqual({ host: '127.0.0.1', port: 7420, allowedOrigins: [], allowedHosts: [] });
    expect(loaded.sessions).toEqual({ lastMessages: 40, turnTimeoutMs: 600_000 });
    expect(loaded.agents).toEqual([
      {
        id: 'assistant',
        description: undefined,
        model: 'demo/assistant',
        promptId: 'agents.assistant.prompt',
        tools: ['current_time'],
        subagents: ['researcher'],
        maxSteps: 8,
      },
      { id: 'researcher', description: 'Finds facts.', model: 'demo/researcher', promptId: 'agents.researcher.prompt', tools: [], subagents: [], maxSteps: 10 },
    ]);
    expect(loaded.prompts).toEqual([
      {
        id: 'agents.assistant.prompt',
        file: `${fixture.dir}/prompts/assistant.md`,
        maxBytes: 256 * 1024,
        referencedAt: { file: fixture.file, line: 8, column: 21, field: 'agents.assistant.prompt.file' },
      },
      { id: 'agents.researcher.prompt', text: 'You research.' },
    ]);
    expect(loaded.providers.demo).toMatchObject({ type: 'scripted', script: { models: { assistant: expect.any(Array) } } });
  });

  it('names file, line, column and field of an unknown provider', async () => {
    const fixture = await project(scenarioProject.replace('model: demo/assistant', 'model: locl/assistant'));
    expect(await problems(fixture)).toEqual([
      '<dir>/kaged.yaml:7:12 agents.assistant.model: unknown provider "locl" (providers: "demo"; built in: "openai", "anthropic", "ollama")',
    ]);
  });

  it('substitutes ${env:NAME}, with defaults, and reports a missing variable at its value', async () => {
    const yaml = `version: 1
name: envs
providers:
  local: { type: openai-compatible, baseURL: "http://127.0.0.1:11434/v1", apiKey: "\${env:LOCAL_KEY}" }
  other: { type: openai-compatible, baseURL: "\${env:OTHER_URL:-http://127.0.0.1:8080/v1}" }
agents:
  a: { model: local/m, prompt: "p" }
`;
    const fixture = await project(yaml, {});
    const loaded = await loadProject(fixture.file, { env: { LOCAL_KEY: 'sk-secret' } });
    expect(loaded.providers.local).toMatchObject({ apiKey: 'sk-secret' });
    expect(loaded.providers.other).toMatchObject({ baseURL: 'http://127.0.0.1:8080/v1' });
    expect(await problems(fixture, {})).toEqual(['<dir>/kaged.yaml:4:83 providers.local.apiKey: environment variable LOCAL_KEY is not set']);
  });

  it('reports every schema problem at once, unknown fields at the key', async () => {
    const yaml = `version: 2
name: "bad name"
agents:
  a:
    model: nomodel
    prompt: { fil: x.md }
    maxSteps: 0
    colour: blue
server: { port: 99999 }
`;
    expect(await problems(await project(yaml, {}))).toEqual([
      '<dir>/kaged.yaml:1:10 version: version must be 1',
      '<dir>/kaged.yaml:2:7 name: name must start with a letter or digit and use only letters, digits, "_" and "-"',
      '<dir>/kaged.yaml:5:12 agents.a.model: expected "<provider>/<model>", for example "demo/assistant"',
      '<dir>/kaged.yaml:6:13 agents.a.prompt: expected a prompt text or { file: <path> }',
      '<dir>/kaged.yaml:7:15 agents.a.maxSteps: Too small: expected number to be >=1',
      '<dir>/kaged.yaml:8:5 agents.a.colour: unknown field "colour"',
      '<dir>/kaged.yaml:9:17 server.port: Too big: expected number to be <=65535',
    ]);
  });

  it('reports a YAML syntax error with its position', async () => {
    const fixture = await project('version: 1\nname: x\nagents:\n  a: { model: demo/a, prompt: "p"\n');
    const [first] = await problems(fixture);
    expect(first).toMatch(/^<dir>\/kaged\.yaml:\d+:\d+ /);
    expect(first).toMatch(/flow|collection|}/i);
  });

  it('checks tools, subagents, cycles and prompt files by reference', async () => {
    const yaml = `version: 1
name: refs
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/missing.md }
    tools: [current_time, web_search]
    subagents: [researcher, ghost]
  researcher:
    model: demo/researcher
    prompt: "r"
    subagents: [assistant]
`;
    expect(await problems(await project(yaml))).toEqual([
      '<dir>/kaged.yaml:9:27 agents.assistant.tools[1]: unknown tool "web_search" (built-in tools: current_time)',
      '<dir>/kaged.yaml:10:29 agents.assistant.subagents[1]: unknown agent "ghost" (agents: assistant, researcher)',
      '<dir>/kaged.yaml:8:21 agents.assistant.prompt.file: cannot read prompt file <dir>/prompts/missing.md: file not found',
      '<dir>/kaged.yaml:14:17 agents.researcher.subagents[0]: subagents form a cycle: assistant -> researcher -> assistant',
    ]);
  });

  it('validates the scripted provider’s script file with positions in that file', async () => {
    const script = 'models:\n  assistant:\n    - when: "(unclosed"\n      steps: [{ text: hi }]\n    - steps: [{}]\n';
    const fixture = await project(scenarioProject, { ...scenarioFiles, 'scripts/demo.yaml': script });
    expect(await problems(fixture)).toEqual([
      '<dir>/scripts/demo.yaml:3:13 models.assistant[0].when: not a valid regular expression',
      '<dir>/scripts/demo.yaml:5:15 models.assistant[1].steps[0]: a step needs "text", "tools" or both',
    ]);
  });

  it('reports a model missing from the script at the agent’s model field', async () => {
    const fixture = await project(scenarioProject.replace('model: demo/researcher', 'model: demo/writer'));
    expect(await problems(fixture)).toEqual([
      '<dir>/kaged.yaml:14:12 agents.researcher.model: the script of provider "demo" (scripts/demo.yaml) has no model "writer"',
    ]);
  });

  it('accepts the project directory for its kaged.yaml', async () => {
    const fixture = await project(scenarioProject);
    expect((await loadProject(fixture.dir, { env: {} })).file).toBe(fixture.file);
  });

  it('reports a missing project file', async () => {
    await expect(loadProject('/nonexistent/kaged.yaml')).rejects.toThrow('/nonexistent/kaged.yaml:1:1 project file not found');
  });
});

describe('loadProject: model providers', () => {
  const realProviders = `version: 1
name: real
providers:
  work: { type: openai, maxRetries: 1, timeoutMs: 5000 }
  claude: { type: anthropic, apiKey: "\${env:CLAUDE_KEY:-}" }
agents:
  assistant: { model: openai/gpt-4o-mini, prompt: "a" }
  writer: { model: work/gpt-4.1, prompt: "w" }
  critic: { model: claude/claude-haiku-4-5, prompt: "c" }
  local: { model: ollama/llama3.2, prompt: "l" }
`;

  it('reports a missing API key at each agent that needs it, naming the variable and never a value', async () => {
    const fixture = await project(realProviders, {});
    const reported = await problems(fixture, { ANTHROPIC_API_KEY: '', UNRELATED: 'sk-unrelated-secret' });
    expect(reported).toEqual([
      '<dir>/kaged.yaml:7:23 agents.assistant.model: provider "openai" needs an API key: set OPENAI_API_KEY or providers.openai.apiKey',
      '<dir>/kaged.yaml:8:20 agents.writer.model: provider "work" needs an API key: set OPENAI_API_KEY or providers.work.apiKey',
      '<dir>/kaged.yaml:9:20 agents.critic.model: provider "claude" needs an API key: set ANTHROPIC_API_KEY or providers.claude.apiKey',
    ]);
    expect(reported.join('\n')).not.toContain('sk-');
  });

  it('takes keys from the provider’s setting or its type’s variable, fills in built-in providers and retries', async () => {
    const fixture = await project(realProviders, {});
    const loaded = await loadProject(fixture.file, {
      env: { OPENAI_API_KEY: 'sk-openai-env', CLAUDE_KEY: 'sk-claude-setting', ANTHROPIC_API_KEY: 'sk-not-used' },
    });
    expect(loaded.providers).toEqual({
      work: { type: 'openai', apiKey: 'sk-openai-env', maxRetries: 1, timeoutMs: 5000 },
      claude: { type: 'anthropic', apiKey: 'sk-claude-setting' },
      openai: { type: 'openai', apiKey: 'sk-openai-env' },
      ollama: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' },
    });
    expect(Object.fromEntries(loaded.agents.map((a) => [a.id, a.maxRetries]))).toEqual({ assistant: 2, writer: 1, critic: 2, local: 2 });
    expect(loaded.pricing).toEqual({});
  });

  it('leaves retries unset for scripted models', async () => {
    const loaded = await loadProject((await project(scenarioProject)).file, { env: {} });
    expect(loaded.agents.map((a) => a.maxRetries)).toEqual([undefined, undefined]);
  });

  it('gives every agent the retries the model registry reports for its model: unset when none', async () => {
    // The loader and @kaged/llm's registry once disagreed about scripted models (unset vs 0).
    const yaml =
      `${scenarioProject.replace('providers:\n', 'providers:\n  vllm: { type: openai-compatible, baseURL: "http://127.0.0.1:8000/v1", maxRetries: 0 }\n  local: { type: openai-compatible, baseURL: "http://127.0.0.1:8001/v1", maxRetries: 4 }\n')}`.replace(
        'agents:\n',
        'agents:\n  fast: { model: vllm/qwen, prompt: "f" }\n  patient: { model: local/qwen, prompt: "p" }\n',
      );
    const loaded = await loadProject((await project(yaml)).file, { env: {} });
    const registry = createModelRegistry({ providers: loaded.providers, env: {} });
    expect(loaded.agents.map((a) => [a.id, a.maxRetries])).toEqual([
      ['fast', undefined],
      ['patient', 4],
      ['assistant', undefined],
      ['researcher', undefined],
    ]);
    for (const agent of loaded.agents) expect(agent.maxRetries ?? 0, agent.id).toBe(registry.maxRetriesOf(agent.model));
  });

  it('normalises guards with @kaged/harness: defaults filled in, plain tool names as one expectation', async () => {
    const yaml = scenarioProject.replace('    maxSteps: 8\n', '    maxSteps: 8\n    guards: { repeatedToolCall: 5, expectTools: [current_time] }\n');
    const loaded = await loadProject((await project(yaml)).file, { env: {} });
    expect(loaded.agents[0]!.guards).toEqual({ ...defaultGuards, repeatedToolCall: 5, expectTools: [{ tools: ['current_time'] }] });
    expect(loaded.agents[1]!.guards).toBeUndefined();
  });

  it('reports a malformed baseURL, an unknown provider type and a bad setting with their positions', async () => {
    const yaml = `version: 1
name: urls
providers:
  local: { type: openai-compatible, baseURL: "localhost:11434/v1" }
  work: { type: openai, baseURL: "https//api.example.com/v1", apiKey: k }
  claude: { type: anthropic, apiKey: k, baseURL: "ftp://example.com/v1" }
  other: { type: gemini }
  slow: { type: openai-compatible, baseURL: "http://127.0.0.1:8000/v1", timeoutMs: 0, maxRetries: 11 }
agents:
  a: { model: local/m, prompt: "p" }
`;
    expect(await problems(await project(yaml, {}))).toEqual([
      '<dir>/kaged.yaml:4:46 providers.local.baseURL: baseURL must be an http(s) URL such as http://127.0.0.1:11434/v1',
      '<dir>/kaged.yaml:5:34 providers.work.baseURL: baseURL must be an http(s) URL such as https://api.openai.com/v1',
      '<dir>/kaged.yaml:6:50 providers.claude.baseURL: baseURL must be an http(s) URL such as https://api.anthropic.com/v1',
      '<dir>/kaged.yaml:7:18 providers.other.type: unknown provider type: expected "openai-compatible", "openai", "anthropic" or "scripted"',
      '<dir>/kaged.yaml:8:84 providers.slow.timeoutMs: Too small: expected number to be >=1',
      '<dir>/kaged.yaml:8:99 providers.slow.maxRetries: Too big: expected number to be <=10',
    ]);
  });

  it('reads prices by model id or pattern, and rejects negative ones at their position', async () => {
    const yaml = `${scenarioProject}pricing:
  "demo/*": { input: 0, output: 0 }
  "local/qwen*": { input: 0.1, output: 0.2, cacheRead: 0.01 }
  "bad/*": { input: -1, output: 1 }
`;
    expect(await problems(await project(yaml))).toEqual(['<dir>/kaged.yaml:19:21 pricing.bad/*.input: Too small: expected number to be >=0']);
    const loaded = await loadProject((await project(yaml.replace('input: -1', 'input: 1'))).file, { env: {} });
    expect(loaded.pricing).toEqual({
      'demo/*': { input: 0, output: 0 },
      'local/qwen*': { input: 0.1, output: 0.2, cacheRead: 0.01 },
      'bad/*': { input: 1, output: 1 },
    });
  });
});
