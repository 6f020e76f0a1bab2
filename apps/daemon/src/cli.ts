import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KagedError } from '@kaged/core';
import { KagedDaemonError } from './errors/kaged-daemon-error.js';
import { formatIssue, ProjectConfigError } from './errors/project-config-error.js';
import { kagedVersion } from './version.js';

// The CLI, run by the launcher (launcher/cli-launcher.ts, dist/cli.js) from the bundle it is built
// into (dist/kaged.cjs). What `start` loads, it loads lazily: `--help` and `--version` answer
// without evaluating Mastra.

/** What the launcher did with its V8 code cache (launcher/code-cache.ts). */
export type CodeCacheState = 'accepted' | 'rejected' | 'none' | 'off';

export interface CliHooks {
  codeCache?: {
    readonly state: CodeCacheState;
    readonly file: string | undefined;
    /** Makes and writes the cache from what has run so far; `undefined` when there is no cache directory. */
    save(): { bytes: number; ms: number } | undefined;
  };
}

/** A second after listening the start-up code has run: the cache is made then, off the first requests' path. */
const CODE_CACHE_AFTER_MS = 1000;

const usage = `kaged ${kagedVersion}: a self-hosted agent daemon

Usage:
  kaged start    [--project PATH] [--host H] [--port P] [--data-dir DIR] [--log-level LEVEL] [--log-format json|pretty]
  kaged validate [--project PATH]
  kaged logs     [--follow] [--level LEVEL] [--turn ID] [--session ID] [--limit N] [--json] [--url URL] [--token T]
  kaged traces   [--session ID] [--follow] [--limit N] [--json] [--url URL] [--token T]
  kaged --version | --help

Options:
  --project PATH   project file (default: ./kaged.yaml, or KAGED_PROJECT)
  --host H         address to bind (default: server.host, 127.0.0.1)
  --port P         port (default: server.port, 7420; 0 picks a free one)
  --data-dir DIR   sessions and local data (default: KAGED_DATA_DIR, else .kaged/ beside the project)
  --log-level L    trace, debug, info, warn, error, fatal or silent (default: KAGED_LOG_LEVEL, else info)
  --log-format F   json or pretty (default: pretty when stdout is a terminal, else json)
  --url URL        a running daemon (default: KAGED_URL, else the project's server section, else
                   http://127.0.0.1:7420)
  --token T        its bearer token (default: KAGED_TOKEN)
`;

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type LogLevel = (typeof logLevels)[number];

async function main(argv: string[], hooks: CliHooks): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      project: { type: 'string', short: 'p' },
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      // Commands that talk to a running daemon (logs, traces).
      url: { type: 'string' },
      token: { type: 'string' },
      follow: { type: 'boolean', short: 'f' },
      session: { type: 'string' },
      turn: { type: 'string' },
      level: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.version) {
    process.stdout.write(`${kagedVersion}\n`);
    return 0;
  }
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  // Commands that talk to a running daemon need no project file.
  const projectFile = command === 'logs' || command === 'traces' ? '' : findProject(values.project);

  switch (command) {
    case 'validate':
      return validate(projectFile);
    case 'start':
      return start(projectFile, values, hooks);
    case 'logs': {
      const { logsCommand } = await import('./cli/logs-command.js');
      return logsCommand(values);
    }
    case 'traces': {
      const { tracesCommand } = await import('./cli/traces-command.js');
      return tracesCommand(values);
    }
    default:
      process.stderr.write(`kaged: unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

function findProject(flag: string | undefined): string {
  const fromEnv = process.env.KAGED_PROJECT || undefined;
  const candidate = flag ?? fromEnv ?? 'kaged.yaml';
  if (!flag && !fromEnv && !existsSync(candidate)) {
    throw new KagedDaemonError('project_not_found', `no kaged.yaml in ${process.cwd()}: pass --project PATH`);
  }
  return resolve(candidate);
}

/**
 * What start does with a project before it opens the data store or binds a port: load and check
 * it (scripts, prompt files, MCP definitions), load every prompt into a store and build the
 * model registry. Nothing is listened on, written or watched.
 */
async function validate(projectFile: string): Promise<number> {
  const [{ loadProject }, { createPromptStore }, { createModelRegistry }] = await Promise.all([
    import('./project/load-project.js'),
    import('@kaged/prompt-watcher'),
    import('@kaged/llm'),
  ]);
  const project = await loadProject(projectFile);
  await createPromptStore({ prompts: project.prompts, baseDir: project.dir });
  createModelRegistry({ providers: project.providers });
  const prompts = project.prompts.length;
  process.stdout.write(`ok: ${project.file}: project "${project.name}", ${project.agents.length} agent(s), ${prompts} prompt(s)\n`);
  return 0;
}

async function start(
  projectFile: string,
  values: { host?: string; port?: string; 'data-dir'?: string; 'log-level'?: string; 'log-format'?: string },
  hooks: CliHooks,
): Promise<number> {
  const level = (values['log-level'] ?? process.env.KAGED_LOG_LEVEL ?? 'info') as LogLevel;
  if (!logLevels.includes(level)) throw new KagedDaemonError('invalid_argument', `--log-level must be one of ${logLevels.join(', ')}`);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new KagedDaemonError('invalid_argument', `--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  const format = values['log-format'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') throw new KagedDaemonError('invalid_argument', `--log-format must be json or pretty, got "${format}"`);
  const [{ createLogger, LogRing, SecretValues }, { startDaemon }] = await Promise.all([import('@kaged/observability'), import('./daemon.js')]);
  const logRing = new LogRing();
  const secrets = new SecretValues();
  const logger = createLogger({ level, format, ring: logRing, secrets });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'process.unhandled_rejection'));

  const daemon = await startDaemon({ project: projectFile, host: values.host, port, dataDir: values['data-dir'], logger, logRing, secrets });
  process.stderr.write(
    `kaged ${kagedVersion} listening on ${daemon.url} (project "${daemon.project.name}", agents: ${daemon.project.agents.map((a) => a.id).join(', ')})\n`,
  );
  const codeCache = hooks.codeCache;
  if (codeCache) {
    logger.debug({ state: codeCache.state, file: codeCache.file }, 'cli.code_cache');
    if (codeCache.state === 'none' || codeCache.state === 'rejected') {
      setTimeout(() => {
        const saved = codeCache.save();
        if (saved) logger.debug({ ...saved, file: codeCache.file }, 'cli.code_cache_saved');
      }, CODE_CACHE_AFTER_MS).unref();
    }
  }

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`kaged: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'daemon.signal');
      daemon.close().then(
        () => done(0),
        (error: unknown) => {
          logger.error({ err: error }, 'daemon.close_failed');
          done(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** Runs one command and exits with its code (`kaged start` when the daemon has stopped). */
export function runCli(argv: string[], hooks: CliHooks = {}): void {
  main(argv, hooks).then(
    (code) => {
      // Let pino flush its buffered stdout before exiting.
      process.exitCode = code;
      setTimeout(() => process.exit(code), 50).unref();
    },
    (error: unknown) => {
      if (ProjectConfigError.isInstance(error)) {
        process.stderr.write(`${error.issues.map(formatIssue).join('\n')}\n`);
        process.stderr.write(`kaged: ${error.issues.length} problem(s) in the project; nothing was started\n`);
      } else if (String((error as { code?: unknown })?.code).startsWith('ERR_PARSE_ARGS_')) {
        process.stderr.write(`kaged: ${(error as Error).message}\n\n${usage}`);
        process.exitCode = 2;
        setTimeout(() => process.exit(2), 50).unref();
        return;
      } else if (KagedError.isInstance(error)) {
        process.stderr.write(`kaged: ${(error as Error).message}\n`);
      } else {
        process.stderr.write(`kaged: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
      }
      const code = KagedError.isInstance(error) && error.code === 'invalid_argument' ? 2 : 1;
      process.exitCode = code;
      setTimeout(() => process.exit(code), 50).unref();
    },
  );
}
