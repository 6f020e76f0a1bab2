import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrometheusTools {
  prometheus: string;
  promtool: string;
  /** How long `apt-get` took, when this run had to install them. */
  installedInMs: number | null;
}

/**
 * Finds `prometheus` and `promtool`, installing Debian's `prometheus` package when they are
 * missing (CI machines start without it). Never skips: when they can be neither found nor
 * installed, it throws with what to do.
 */
export async function ensurePrometheus(): Promise<PrometheusTools> {
  let prometheus = which('prometheus');
  let promtool = which('promtool');
  let installedInMs: number | null = null;
  if (!prometheus || !promtool) {
    const started = performance.now();
    await aptInstallPrometheus();
    installedInMs = Math.round(performance.now() - started);
    process.stderr.write(`metrics test: installed Debian's prometheus package in ${(installedInMs / 1000).toFixed(1)} s\n`);
    prometheus = which('prometheus');
    promtool = which('promtool');
  }
  if (!prometheus || !promtool) {
    throw new Error('prometheus/promtool are still not on PATH after installing the Debian package "prometheus"; install Prometheus 2.x by hand');
  }
  return { prometheus, promtool, installedInMs };
}

function which(command: string): string | null {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  return found.status === 0 && path ? path : null;
}

async function aptInstallPrometheus(): Promise<void> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      'the metrics test needs Prometheus (prometheus and promtool): run it as root so it can "apt-get install prometheus", or install that package first',
    );
  }
  if (!which('apt-get')) {
    throw new Error(
      'the metrics test needs Prometheus (prometheus and promtool) and there is no apt-get to install it: install Prometheus 2.x and put it on PATH',
    );
  }
  // The package's service must not start (it would listen on :9090 for the machine's lifetime):
  // Debian's policy-rc.d convention stops maintainer scripts from starting services. Container
  // images usually have one; when this machine has none, one is in place for the install only.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) await writeFile(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    // Another install in progress (a second test run) is waited for, not failed on.
    const lock = ['-o', 'DPkg::Lock::Timeout=300'];
    for (const args of [
      [...lock, 'update'],
      [...lock, 'install', '-y', '--no-install-recommends', 'prometheus'],
    ]) {
      const result = spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) {
        const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
        throw new Error(`"apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}); the metrics test needs Prometheus:\n${output}`);
      }
    }
  } finally {
    if (ownPolicy) await unlink(policy).catch(() => {});
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The value of an instant query's first sample; `null` while the query has no result. */
  queryValue(query: string): Promise<number | null>;
  /** What Prometheus says of its scrape targets (`health`, `lastError`). */
  targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]>;
  /** What it printed, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

export interface PrometheusServerOptions {
  binary: string;
  /** `host:port` of the daemon. */
  target: string;
  /** Sent as `Authorization: Bearer …` with each scrape. */
  token?: string | undefined;
}

/** A real Prometheus on loopback, with its own config and storage in a temp directory, scraping `target` every second. */
export async function startPrometheus(options: PrometheusServerOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kaged-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: kaged',
      ...(options.token ? ['    authorization:', '      type: Bearer', `      credentials: "${options.token}"`] : []),
      '    static_configs:',
      `      - targets: ["${options.target}"]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    options.binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit');

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await close();
      throw new Error(`prometheus exited with ${child.exitCode} before it was ready:\n${output}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      await close();
      throw new Error(`prometheus was not ready within 30 s:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }

  return {
    url,
    async queryValue(query) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: { value: [number, string] }[] } };
      if (body.status !== 'success') throw new Error(`query ${query} failed: ${body.error}`);
      const first = body.data?.result[0];
      return first ? Number(first.value[1]) : null;
    },
    async targets() {
      const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
        data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] };
      };
      return body.data.activeTargets;
    },
    output: () => output,
    close,
  };
}

/** Runs `promtool` with `input` on stdin; resolves with its exit code and output. */
export async function promtool(binary: string, args: string[], input = ''): Promise<{ code: number | null; output: string }> {
  const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(input);
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}
