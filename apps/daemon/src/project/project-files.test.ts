import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProjectFixture, scenarioFiles, scenarioProject, type ProjectFixture } from '../../test/support/project-fixture.js';
import { formatIssue, ProjectConfigError } from '../errors/project-config-error.js';
import { loadProject } from './load-project.js';
import { MAX_YAML_FILE_BYTES } from './yaml-file.js';

// The rules for the files a project reads (issue 16, items 5 and 6): prompt files, the project
// file and scripts are bounded regular files of UTF-8 text, refused with a position, never a hang.

const fixtures: ProjectFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.remove()));
});

async function project(yaml = scenarioProject, files: Record<string, string> = scenarioFiles): Promise<ProjectFixture> {
  const fixture = await createProjectFixture(yaml, files);
  fixtures.push(fixture);
  return fixture;
}

/** A hang fails at once instead of at the test's timeout. */
function bounded<T>(promise: Promise<T>, ms = 3_000): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms).unref())]);
}

async function problems(fixture: ProjectFixture): Promise<string[]> {
  const error = await bounded(
    loadProject(fixture.file, { env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  if (!ProjectConfigError.isInstance(error)) throw new Error(`expected a ProjectConfigError, got ${String(error)}`);
  return error.issues.map((issue) => formatIssue(issue).replaceAll(fixture.dir, '<dir>'));
}

const promptField = '<dir>/kaged.yaml:8:21 agents.assistant.prompt.file';
const assistantPrompt = 'prompts/assistant.md';

describe('prompt files at load', () => {
  const cases: [string, (path: string) => Promise<unknown>, string][] = [
    ['a FIFO', async (path) => execFileSync('mkfifo', [path]), 'not a regular file (a FIFO)'],
    ['a directory', (path) => mkdir(path), 'not a regular file (a directory)'],
    ['a symlink to /dev/zero', (path) => symlink('/dev/zero', path), 'not a regular file (a character device)'],
    ['binary', (path) => writeFile(path, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff])), 'not UTF-8 text (a binary file?)'],
    ['oversize', (path) => writeFile(path, 'x'.repeat(256 * 1024 + 1)), 'file is 262145 bytes, over the limit of 262144 (prompts.maxFileBytes)'],
  ];
  it.each(cases)('refuses a prompt file that is %s, positioned at the field', async (_name, make, reason) => {
    const fixture = await project(scenarioProject, { ...scenarioFiles, [assistantPrompt]: '' });
    const path = join(fixture.dir, assistantPrompt);
    execFileSync('rm', ['-f', path]);
    await make(path);
    expect(await problems(fixture)).toEqual([`${promptField}: cannot read prompt file <dir>/${assistantPrompt}: ${reason}`]);
  });

  it('takes the size limit from prompts.maxFileBytes, and checks the limit itself', async () => {
    const small = await project(`${scenarioProject}prompts: { maxFileBytes: 16 }\n`);
    expect(await problems(small)).toEqual([
      `${promptField}: cannot read prompt file <dir>/${assistantPrompt}: file is 32 bytes, over the limit of 16 (prompts.maxFileBytes)`,
    ]);
    const loaded = await loadProject((await project(`${scenarioProject}prompts: { maxFileBytes: 32 }\n`)).file, { env: {} });
    expect(loaded.prompts[0]).toMatchObject({ maxBytes: 32 });
    expect(await problems(await project(`${scenarioProject}prompts: { maxFileBytes: 0 }\n`))).toEqual([
      '<dir>/kaged.yaml:16:26 prompts.maxFileBytes: maxFileBytes must be at least 1',
    ]);
  });

  it('positions a tool description file the same way', async () => {
    const fixture = await project(`${scenarioProject}tools:\n  current_time: { description: { file: prompts/time.md } }\n`);
    await mkdir(join(fixture.dir, 'prompts/time.md'));
    expect(await problems(fixture)).toEqual([
      '<dir>/kaged.yaml:17:40 tools.current_time.description.file: cannot read prompt file <dir>/prompts/time.md: not a regular file (a directory)',
    ]);
  });
});

describe('the project file and scripts', () => {
  it('refuses a project file over the size limit at 1:1, without parsing it', async () => {
    const source = `${scenarioProject}# ${'x'.repeat(MAX_YAML_FILE_BYTES)}\n`;
    const fixture = await project(source);
    expect(await problems(fixture)).toEqual([
      `<dir>/kaged.yaml:1:1 cannot read project file <dir>/kaged.yaml: file is ${Buffer.byteLength(source)} bytes, over the limit of ${MAX_YAML_FILE_BYTES}`,
    ]);
  });

  it('refuses a project file that is a FIFO or binary, without hanging', async () => {
    const fixture = await project();
    execFileSync('rm', [fixture.file]);
    execFileSync('mkfifo', [fixture.file]);
    expect(await problems(fixture)).toEqual(['<dir>/kaged.yaml:1:1 cannot read project file <dir>/kaged.yaml: not a regular file (a FIFO)']);
    execFileSync('rm', [fixture.file]);
    await writeFile(fixture.file, Buffer.from([0xfe, 0xed, 0xfa, 0xce, 0x00]));
    expect(await problems(fixture)).toEqual(['<dir>/kaged.yaml:1:1 cannot read project file <dir>/kaged.yaml: not UTF-8 text (a binary file?)']);
  });

  it('reports a YAML alias bomb at its first alias instead of an unexpected ReferenceError', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const fixture = await project(`${scenarioProject}x:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
    expect(await problems(fixture)).toEqual([
      '<dir>/kaged.yaml:18:10 YAML aliases expand to more than 100 nodes (an alias bomb?): use fewer aliases or write the values out',
    ]);
  });

  it('reports a value nested thousands deep once, at its field, instead of a stack overflow', async () => {
    const fixture = await project(scenarioProject.replace(/description: .*/, `description: ${'['.repeat(20_000)}x${']'.repeat(20_000)}`));
    const found = await problems(fixture);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^<dir>\/kaged\.yaml:\d+:\d+ nested more than 64 levels deep: flatten this value$/);
  });

  it('reports a value nested past the bound but within the parser’s reach at its field path', async () => {
    const fixture = await project(scenarioProject.replace(/description: .*/, `description: ${'{a: '.repeat(80)}x${'}'.repeat(80)}`));
    const [found] = await problems(fixture);
    expect(found).toMatch(/^<dir>\/kaged\.yaml:\d+:\d+ agents\.researcher\.description\.a: nested more than 64 levels deep: flatten this value$/);
  });

  it('still resolves ordinary anchors and aliases', async () => {
    const yaml = scenarioProject.replace('  researcher:\n', '  researcher: &r\n').concat('  other: *r\n');
    const loaded = await loadProject((await project(yaml)).file, { env: {} });
    expect(loaded.agents.map((a) => a.id)).toEqual(['assistant', 'researcher', 'other']);
  });

  it('refuses a script file that is a FIFO at the field naming it', async () => {
    const fixture = await project(scenarioProject, { [assistantPrompt]: 'p' });
    await mkdir(join(fixture.dir, 'scripts'));
    execFileSync('mkfifo', [join(fixture.dir, 'scripts/demo.yaml')]);
    expect(await problems(fixture)).toEqual([
      '<dir>/kaged.yaml:4:43 providers.demo.script.file: cannot read script file <dir>/scripts/demo.yaml: not a regular file (a FIFO)',
    ]);
  });
});
