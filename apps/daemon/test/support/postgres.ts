import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real PostgreSQL for the daemon's scenario tests, from Debian's `postgresql` package: installed
 * when missing (as root), never skipped. Two shapes:
 *
 * - `sharedDatabase()`: a fresh database and login role (with a random password) on the machine's
 *   cluster (`15 main`, started when down). Files run in parallel, so none of them stops it.
 * - `privateServer()`: a throw-away cluster of its own (initdb in a temp directory, a free port),
 *   for the file that stops and starts the server while daemons use it.
 */

export interface TestDatabase {
  /** `postgres://role:password@127.0.0.1:port/name`. */
  url: string;
  name: string;
  role: string;
  password: string;
  host: string;
  port: number;
  /** A URL for the same database with another password. */
  urlWithPassword(password: string): string;
  /** Runs SQL in this database as the superuser; returns psql's unaligned output. */
  sql(statement: string): string;
}

export interface PrivateServer extends TestDatabase {
  stop(): void;
  start(): void;
  close(): Promise<void>;
}

const VERSION_DIR = '/usr/lib/postgresql';

/** The database server's binaries, installing Debian's package when there are none. */
export function ensurePostgres(): { bin: string; version: string } {
  let found = findBinaries();
  if (!found) {
    aptInstall();
    found = findBinaries();
  }
  if (!found) throw new Error('PostgreSQL is still missing after "apt-get install postgresql": install it by hand (Debian package postgresql)');
  return found;
}

/** A fresh database and role on the machine's main cluster. */
export async function sharedDatabase(prefix: string): Promise<TestDatabase> {
  const { version } = ensurePostgres();
  const port = startMainCluster(version);
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const psql = (database: string, statement: string) => run('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -p ${port} -AXtq -d ${database}`], statement);
  psql('postgres', `CREATE ROLE "${name}" LOGIN PASSWORD '${password}';`);
  run('su', ['postgres', '-c', `createdb -p ${port} -O "${name}" "${name}"`]);
  return database({ name, role: name, password, host: '127.0.0.1', port, sql: (statement) => psql(name, statement) });
}

/** A cluster of its own on a free port, owned by the `postgres` user, with password logins over TCP. */
export async function privateServer(prefix: string): Promise<PrivateServer> {
  const { bin } = ensurePostgres();
  const dir = await mkdtemp(join(tmpdir(), 'kaged-pg-'));
  await chmod(dir, 0o777);
  const data = join(dir, 'data');
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, `${password}\n`, { mode: 0o644 });
  run('su', ['postgres', '-c', `${bin}/initdb -D ${data} -U postgres --pwfile=${pwfile} --auth-local=trust --auth-host=scram-sha-256 --no-sync`]);
  await rm(pwfile);
  const port = await freePort();
  const ctl = (args: string) => run('su', ['postgres', '-c', `${bin}/pg_ctl -D ${data} ${args}`]);
  const start = () => ctl(`-o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off" -l ${dir}/log -w -t 30 start`);
  start();
  const name = prefix;
  const psql = (database: string, statement: string) =>
    run('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -h ${dir} -p ${port} -AXtq -d ${database}`], statement);
  run('su', ['postgres', '-c', `createdb -h ${dir} -p ${port} "${name}"`]);
  let stopped = false;
  return {
    ...database({ name, role: 'postgres', password, host: '127.0.0.1', port, sql: (statement) => psql(name, statement) }),
    stop: () => {
      ctl('-m fast -w stop');
      stopped = true;
    },
    start: () => {
      start();
      stopped = false;
    },
    close: async () => {
      if (!stopped) ctl('-m immediate -w stop');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function database(parts: Omit<TestDatabase, 'url' | 'urlWithPassword'>): TestDatabase {
  const urlWithPassword = (password: string) => `postgres://${parts.role}:${encodeURIComponent(password)}@${parts.host}:${parts.port}/${parts.name}`;
  return { ...parts, url: urlWithPassword(parts.password), urlWithPassword };
}

function findBinaries(): { bin: string; version: string } | undefined {
  if (!existsSync(VERSION_DIR)) return undefined;
  const versions = spawnSync('ls', [VERSION_DIR], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((v) => /^\d+$/.test(v) && existsSync(join(VERSION_DIR, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  const version = versions[0];
  return version ? { bin: join(VERSION_DIR, version, 'bin'), version } : undefined;
}

/** Starts `<version> main` when it is down (creating it when the package made none) and returns its port. */
function startMainCluster(version: string): number {
  const list = () =>
    run('pg_lsclusters', ['-h'])
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((cols) => cols[0] === version && cols[1] === 'main');
  let cluster = list();
  if (!cluster) {
    run('pg_createcluster', [version, 'main']);
    cluster = list();
  }
  if (!cluster) throw new Error(`no PostgreSQL cluster "${version} main" after pg_createcluster`);
  // Two files starting it at once: the loser's "already running" is fine; the check after is what counts.
  if (cluster[3] !== 'online') spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { encoding: 'utf8' });
  cluster = list();
  if (cluster?.[3] !== 'online') throw new Error(`PostgreSQL cluster "${version} main" did not start: see /var/log/postgresql/postgresql-${version}-main.log`);
  return Number(cluster[2]);
}

function aptInstall(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('the PostgreSQL scenario tests need PostgreSQL: run them as root so they can "apt-get install postgresql", or install that package first');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const started = performance.now();
  for (const args of [
    [...lock, 'update'],
    [...lock, 'install', '-y', '--no-install-recommends', 'postgresql'],
  ]) {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
      throw new Error(`"apt-get ${args.join(' ')}" failed (exit ${result.status ?? result.signal}); the PostgreSQL tests need it:\n${output}`);
    }
  }
  process.stderr.write(`postgres tests: installed Debian's postgresql in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input, cwd: '/' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
  return result.stdout.trim();
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
