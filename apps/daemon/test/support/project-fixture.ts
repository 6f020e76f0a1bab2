import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface ProjectFixture {
  dir: string;
  file: string;
  /** Writes (or overwrites) a file relative to the project directory. */
  write(relativePath: string, content: string): Promise<string>;
  remove(): Promise<void>;
}

/** A project in a fresh temp directory: `kaged.yaml` plus the given files. */
export async function createProjectFixture(projectYaml: string, files: Record<string, string> = {}): Promise<ProjectFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'kaged-project-'));
  const write = async (relativePath: string, content: string) => {
    const path = join(dir, relativePath);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
    return path;
  };
  const file = await write('kaged.yaml', projectYaml);
  for (const [path, content] of Object.entries(files)) await write(path, content);
  return { dir, file, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The scenario's scripted assistant and researcher as a project named `name`, followed by
 * `rest` (top-level sections such as `storage:` or `observability:`, each line-terminated).
 */
export function scriptedProject(name: string, rest = ''): string {
  return `version: 1
name: ${name}
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
    tools: [current_time]
    subagents: [researcher]
  researcher:
    model: demo/researcher
    prompt: "You research."
${rest}`;
}

/** The scenario project used by the daemon tests: a scripted assistant with a tool and a subagent. */
export const scenarioProject = `version: 1
name: scenario
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
    tools: [current_time]
    subagents: [researcher]
    maxSteps: 8
  researcher:
    description: Finds facts.
    model: demo/researcher
    prompt: "You research."
`;

export const scenarioFiles = {
  'prompts/assistant.md': 'You are the scenario assistant.\n',
  'scripts/demo.yaml': `models:
  assistant:
    - when: "time"
      steps:
        - tools: [{ name: current_time, input: {} }]
          usage: { input: 100, output: 10, cacheRead: 30 }
        - text: "It is {{toolResult}}"
          usage: { input: 120, output: 12, reasoning: 4 }
    - when: "research"
      steps:
        - tools: [{ name: agent-researcher, input: { prompt: "{{message}}" } }]
        - text: "Found: {{toolResult}}"
    - when: "slow"
      steps:
        - text: "a slow answer in several words"
          delayMs: 100
    - steps:
        - text: "echo {{message}} (messages: {{userMessages}})"
  researcher:
    - steps:
        - text: "the facts"
`,
};
