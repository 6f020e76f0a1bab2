import type { TracingStatus } from '@kaged/observability/tracing';
import type { McpServerStatus } from '../mcp/mcp-server-runner.js';
import { mcpChecks } from '../mcp/mcp-readiness.js';
import type { LiveProject } from '../project/live-project.js';
import type { ReadinessCheck } from '../server/routes/health.js';

/** What `/readyz` (and `kaged_readiness`) reports: the project, its prompts, the session store and tracing. */
export function readinessChecks(options: {
  live: LiveProject;
  /** The session store: degraded while it cannot be reached (wiring/storage.ts). */
  sessions: { check(): Omit<ReadinessCheck, 'name'> };
  tracing: { status(): TracingStatus };
  /** The MCP servers: one `mcp:<server>` check each (mcp/mcp-readiness.ts). */
  mcp?: { status(): McpServerStatus[] } | undefined;
}): () => ReadinessCheck[] {
  const { live, sessions, tracing, mcp } = options;
  return () => [
    projectCheck(live),
    promptsCheck(live),
    { name: 'sessions', ...sessions.check() },
    tracesCheck(tracing.status()),
    ...(mcp ? mcpChecks(mcp.status()) : []),
  ];
}

function projectCheck(live: LiveProject): ReadinessCheck {
  const state = live.state();
  const agents = live.current().agents.length;
  return state.state === 'ok'
    ? { name: 'project', status: 'ok', detail: `${state.file}: ${agents} agent(s)` }
    : {
        name: 'project',
        status: 'degraded',
        detail: `serving the last good version; the file has ${state.errors.length} problem(s): ${state.errors.join('; ')}`,
      };
}

function promptsCheck(live: LiveProject): ReadinessCheck {
  const stale = live.prompts.status().filter((p) => p.state === 'stale');
  const snapshot = live.prompts.snapshot();
  return stale.length === 0
    ? { name: 'prompts', status: 'ok', detail: `${snapshot.prompts.length} prompt(s) loaded, snapshot ${snapshot.version}` }
    : {
        name: 'prompts',
        status: 'degraded',
        detail: `${stale.length} stale prompt(s), serving their last good version: ${stale.map((p) => p.error).join('; ')}`,
      };
}

export function tracesCheck(status: TracingStatus, now = Date.now()): ReadinessCheck {
  return { name: 'traces', status: status.state === 'degraded' ? 'degraded' : 'ok', detail: tracesDetail(status, now) };
}

/** One line on where traces go and whether Langfuse export is failing. */
function tracesDetail(status: TracingStatus, now: number): string {
  if (status.state === 'off') return 'tracing off: no Langfuse keys and local traces disabled';
  const parts: string[] = [];
  if (status.localTraces) parts.push(`local traces (at most ${status.localTraces.maxTraces}, ${status.localTraces.maxAgeDays} days)`);
  const langfuse = status.langfuse;
  if (langfuse) {
    const last = langfuse.lastError;
    parts.push(
      langfuse.degraded && last
        ? `Langfuse at ${langfuse.baseUrl} failing: ${langfuse.failures} export failure(s), last ${Math.round((now - Date.parse(last.at)) / 1000)} s ago (${last.kind}: ${last.message}); turns are not affected`
        : `Langfuse at ${langfuse.baseUrl} (${langfuse.failures} export failure(s) so far)`,
    );
  }
  return `${parts.join('; ')}; sampling ${Math.round(status.sampleRate * 1000) / 10}% of turns`;
}
