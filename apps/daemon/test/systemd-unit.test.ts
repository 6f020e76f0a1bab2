import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// docs/running.md's systemd unit must parse: `systemd-analyze verify` (Debian's systemd package,
// installed here when missing) on the text exactly as documented, with only the two paths that
// must exist on this machine (node and the built CLI) put in.

const docs = fileURLToPath(new URL('../../../docs/running.md', import.meta.url));
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir: string;
let analyze: string;

beforeAll(async () => {
  analyze = ensureSystemdAnalyze();
  dir = await mkdtemp(join(tmpdir(), 'kaged-unit-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function which(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
}

function ensureSystemdAnalyze(): string {
  const found = which('systemd-analyze');
  if (found) return found;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    throw new Error('this test needs systemd-analyze: install Debian\'s "systemd" package, or run the test as root so it can apt-get install it');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['-o', 'DPkg::Lock::Timeout=300', 'update'],
    ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '--no-install-recommends', 'systemd'],
  ]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) throw new Error(`"apt-get ${args.join(' ')}" failed:\n${`${result.stdout}${result.stderr}`.split('\n').slice(-15).join('\n')}`);
  }
  const installed = which('systemd-analyze');
  if (!installed) throw new Error('systemd-analyze is still missing after installing Debian\'s "systemd" package');
  return installed;
}

async function documentedUnit(): Promise<string> {
  const text = await readFile(docs, 'utf8');
  const match = /<!-- unit: kaged\.service -->\n```ini\n([\s\S]*?)```/.exec(text);
  if (!match) throw new Error('docs/running.md has no "<!-- unit: kaged.service -->" block');
  return match[1]!;
}

function verify(unit: string) {
  const result = spawnSync(analyze, ['verify', '--man=no', join(dir, 'kaged.service')], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, SYSTEMD_LOG_COLOR: '0' },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim(), unit };
}

describe('the systemd unit in docs/running.md', { timeout: 60_000 }, () => {
  it('passes systemd-analyze verify without a warning, starting node on the CLI directly', async () => {
    const unit = await documentedUnit();
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \/opt\/kaged\/node_modules\/kaged\/dist\/cli\.js start /m);
    expect(unit).not.toMatch(/pnpm|npm /);
    await writeFile(join(dir, 'kaged.service'), unit.replace('/usr/bin/node', process.execPath).replace('/opt/kaged/node_modules/kaged/dist/cli.js', cli));
    expect(verify(unit)).toMatchObject({ status: 0, output: '' });
  });

  it('is a check that can fail: a misspelt key is reported', async () => {
    const unit = (await documentedUnit()).replace('TimeoutStopSec=', 'TimeoutStopSecs=').replace('/usr/bin/node', process.execPath);
    await writeFile(join(dir, 'kaged.service'), unit);
    expect(verify(unit).output).toContain("Unknown key 'TimeoutStopSecs' in section [Service]");
  });
});
