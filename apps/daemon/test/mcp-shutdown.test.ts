// The CLI as shipped (dist/cli.js) with a local MCP server: SIGTERM stops the daemon cleanly
// (exit 0, after its own shutdown) and leaves none of its child processes behind.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/child-processes.js';
import { createProjectFixture, scenarioFiles, type ProjectFixture } from './support/project-fixture.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const SERVER = fileURLToPath(new URL('./support/mcp-test-server.mjs', import.meta.url));
const { KAGED_PROJECT: _ignored, ...cliEnv } = process.env;

const projectYaml = `version: 1
name: mcp-shutdown
providers:
  demo: { type: scripted, script: { file: scripts/demo.yaml } }
mcp:
  servers:
    probe:
      command: node
      args: ["${SERVER}"]
      # Deaf to its stdin closing: only the daemon stopping it ends it.
      env: { KEEP_ALIVE: "1" }
agents:
  assistant:
    model: demo/assistant
    prompt: { file: prompts/assistant.md }
    tools: [current_time, probe.*]
  researcher:
    model: demo/researcher
    prompt: "You research."
`;

/** Every live descendant of `root` (children, grandchildren…), from /proc. */
function descendantsOf(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parentOf.set(Number(entry), Number(ppid));
    } catch {
      // Gone while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie answers signal 0 but has exited; only its parent's bookkeeping is left.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('kaged start with a local MCP server, on SIGTERM', { timeout: 60_000 }, () => {
  let project: ProjectFixture;

  afterAll(async () => {
    await project?.remove();
  });

  it('exits 0 after its own shutdown and leaves no child process alive', async () => {
    project = await createProjectFixture(projectYaml, scenarioFiles);
    const child = spawn(process.execPath, [cli, 'start', '--port', '0'], { cwd: project.dir, env: cliEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let children: number[] = [];
    try {
      const url = await Promise.race([
        waitFor(() => /listening on (http:\/\/\S+)/.exec(stderr)?.[1], 30_000, 'the daemon to listen').catch((error: Error) => {
          throw new Error(`${error.message}\nstderr:\n${stderr}\nstdout:\n${stdout.slice(-4000)}`);
        }),
        exited.then(({ code, signal }) => {
          throw new Error(`the daemon exited (${code ?? signal}) before listening:\n${stderr}`);
        }),
      ]);
      const mcpCheck = async () => {
        const body = (await (await fetch(`${url}/readyz`)).json()) as { checks: { name: string; status: string }[] };
        return body.checks.find((c) => c.name === 'mcp:probe')?.status === 'ok';
      };
      await waitFor(mcpCheck, 20_000, 'the probe server to be up');
      // A call through the server too: the connection is in use, not only listed.
      const turn = await fetch(`${url}/v1/agents/assistant/turns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'hello' }),
      });
      expect(turn.status).toBe(200);
      await turn.text();

      children = descendantsOf(child.pid!);
      const servers = children.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(SERVER));
      expect(servers.length).toBeGreaterThan(0);
      // The server says its pid on stderr, which the daemon logs: the same process.
      const said = [...stdout.matchAll(/"line":"test-server starting pid=(\d+)"/g)].map((m) => Number(m[1]));
      expect(said.length).toBeGreaterThan(0);
      for (const pid of said) expect(children).toContain(pid);

      child.kill('SIGTERM');
      const { code, signal } = await exited;
      expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
      const messages = stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { msg?: string }).msg);
      // kaged's own shutdown ran to its end: not cut short by a library's signal handler.
      expect(messages).toEqual(expect.arrayContaining(['daemon.signal', 'daemon.stopping', 'daemon.stopped']));
      await waitFor(() => children.every((pid) => !alive(pid)), 5_000, `children ${children.join(', ')} to be gone`);
      for (const pid of children) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      // A failed run leaves nothing behind for the next one.
      for (const pid of children) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
