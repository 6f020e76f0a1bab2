// `mcp:` in kaged.yaml: what loads, and the positioned errors for what does not.
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssue, ProjectConfigError } from '../src/errors/project-config-error.js';
import { modelToolName } from '../src/mcp/tool-names.js';
import { loadProject } from '../src/project/load-project.js';
import { createProjectFixture, type ProjectFixture } from './support/project-fixture.js';

const fixtures: ProjectFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()));
});

const projectWith = (mcp: string, tools: string, extra = '') => `version: 1
name: mcp-config
providers:
  demo: { type: scripted, script: { file: demo.yaml } }
${mcp}
agents:
  assistant:
    model: demo/assistant
    prompt: "p"
    tools: ${tools}
${extra}`;
const files = { 'demo.yaml': 'models:\n  assistant:\n    - steps: [{ text: hi }]\n' };

async function problems(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const fixture = await createProjectFixture(yaml, files);
  fixtures.push(fixture);
  try {
    await loadProject(fixture.file, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ProjectConfigError);
    return (error as ProjectConfigError).issues.map((issue) => formatIssue({ ...issue, file: issue.file.replace(fixture.dir, '<dir>') }));
  }
  throw new Error('expected the project to be rejected');
}

describe('mcp: in kaged.yaml', () => {
  it('loads local and remote servers with defaults, ${env:} values and positioned tool references', async () => {
    const yaml = projectWith(
      `mcp:
  servers:
    files: { command: node, args: [server.js, notes], env: { TOKEN: "\${env:FILES_TOKEN}" } }
    remote: { url: "https://mcp.example.test/mcp", headers: { Authorization: "Bearer \${env:REMOTE}" }, timeoutMs: 2000, enabled: false }`,
      '[current_time, files.read_text_file, remote.*]',
    );
    const fixture = await createProjectFixture(yaml, files);
    fixtures.push(fixture);
    const project = await loadProject(fixture.file, { env: { FILES_TOKEN: 'files-token-value', REMOTE: 'remote-token-value' } });
    expect(project.mcp.servers.files).toEqual({
      command: 'node',
      args: ['server.js', 'notes'],
      env: { TOKEN: 'files-token-value' },
      headers: {},
      timeoutMs: 30_000,
      enabled: true,
    });
    expect(project.mcp.servers.remote).toMatchObject({
      url: 'https://mcp.example.test/mcp',
      headers: { Authorization: 'Bearer remote-token-value' },
      enabled: false,
    });
    expect(project.mcp.references.map((r) => ({ ...r, at: r.at.replace(fixture.dir, '<dir>') }))).toEqual([
      { server: 'files', tool: 'read_text_file', agentId: 'assistant', at: '<dir>/kaged.yaml:13:27 agents.assistant.tools[1]' },
      { server: 'remote', tool: '*', agentId: 'assistant', at: '<dir>/kaged.yaml:13:49 agents.assistant.tools[2]' },
    ]);
  });

  it('rejects an unknown server, a bare unknown tool and an override of a whole server, each positioned', async () => {
    const yaml = projectWith(
      `mcp:
  servers:
    files: { command: node }`,
      '[files.read_text_file, git.*, web_search]',
      `tools:
  files.*: { description: "x" }
`,
    );
    expect(await problems(yaml)).toEqual([
      '<dir>/kaged.yaml:12:35 agents.assistant.tools[1]: unknown MCP server "git" in "git.*" (mcp.servers: files)',
      '<dir>/kaged.yaml:12:42 agents.assistant.tools[2]: unknown tool "web_search" (built-in tools: current_time; MCP tools are "<server>.<tool>" or "<server>.*" (servers: files))',
      '<dir>/kaged.yaml:14:3 tools.files.*: "files.*" names every tool of a server; name one tool here',
    ]);
  });

  it('rejects entries that are neither local nor remote, or mix the two', async () => {
    const yaml = projectWith(
      `mcp:
  servers:
    empty: { timeoutMs: 10 }
    both: { command: node, url: "http://127.0.0.1:1/mcp", headers: { A: b } }
    bad_name: { command: node }`,
      '[]',
    );
    const found = await problems(yaml);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/kaged\.yaml:7:12 mcp\.servers\.empty: an MCP server needs either "command" \(local\) or "url" \(remote\)/),
        expect.stringMatching(/kaged\.yaml:7:25 mcp\.servers\.empty\.timeoutMs: /),
        expect.stringMatching(/kaged\.yaml:8:11 mcp\.servers\.both: an MCP server needs either "command"/),
        expect.stringMatching(/kaged\.yaml:9:\d+ mcp\.servers\.bad_name: an MCP server name must start with a letter or digit/),
      ]),
    );
  });

  it('names tools the way providers accept', () => {
    expect(modelToolName('files', 'read_text_file')).toBe('files_read_text_file');
    expect(modelToolName('everything', 'get-env')).toBe('everything_get-env');
    expect(modelToolName('x', 'a.b/c d')).toBe('x_a_b_c_d');
    expect(modelToolName('s', 'y'.repeat(80))).toMatch(/^[a-zA-Z0-9_-]{64}$/);
  });
});
