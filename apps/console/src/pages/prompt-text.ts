import { getJson } from '../api.js';
import type { Span, TraceDetail, TraceSummary } from './traces.js';

/** A prompt version's text, or why it is not available. */
export type VersionText = { text: string; traceId: string | null } | { text: null; reason: string };

export interface VersionRef {
  version: string;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  /** Used when the versions route serves the text itself. */
  text?: string | null;
}

/** Traces read at most to find one that used a version. */
const MAX_READS = 12;

/** The prompt a trace used for `promptId`, from its metadata (`{ [promptId]: version }` or a list). */
function versionIn(trace: TraceDetail, promptId: string): string | undefined {
  const prompts = trace.metadata.prompts;
  if (!prompts || typeof prompts !== 'object') return undefined;
  const version = Array.isArray(prompts)
    ? (prompts.find((p) => typeof p === 'object' && p !== null && (p as { id?: unknown }).id === promptId) as { version?: unknown } | undefined)?.version
    : (prompts as Record<string, unknown>)[promptId];
  return typeof version === 'string' ? version : undefined;
}

function agentRuns(spans: Span[], out: Span[] = []): Span[] {
  for (const span of spans) {
    if (span.type === 'agent_run') out.push(span);
    agentRuns(span.children, out);
  }
  return out;
}

/**
 * The text of one version of an agent's prompt. kaged keeps no prompt database: the text a turn
 * ran with is the system prompt Mastra records on the agent-run span of its trace
 * (`attributes.instructions`), so the console reads it from a trace that used the version:
 * first the traces that started exactly when the version was last seen, then its whole span.
 */
export async function versionText(promptId: string, version: VersionRef, signal?: AbortSignal): Promise<VersionText> {
  if (typeof version.text === 'string') return { text: version.text, traceId: null };
  const agent = /^agents\.(.+)\.prompt$/.exec(promptId)?.[1];
  if (!agent) return { text: null, reason: 'Only agent prompts are recorded in the traces.' };
  if (!version.lastSeenAt) return { text: null, reason: 'No turn has used this version yet, so no trace holds its text.' };
  const windows = [
    { from: version.lastSeenAt, to: version.lastSeenAt },
    { from: version.firstSeenAt ?? version.lastSeenAt, to: version.lastSeenAt },
  ];
  const tried = new Set<string>();
  let redacted = false;
  for (const window of windows) {
    const query = new URLSearchParams({ from: window.from, to: window.to, perPage: '50' });
    const { traces } = await getJson<{ traces: TraceSummary[] }>(`/v1/traces?${query}`, signal);
    for (const summary of traces) {
      if (tried.has(summary.traceId) || tried.size >= MAX_READS) continue;
      tried.add(summary.traceId);
      const trace = await getJson<TraceDetail>(`/v1/traces/${summary.traceId}`, signal);
      if (versionIn(trace, promptId) !== version.version) continue;
      const run = agentRuns(trace.spans).find((span) => span.name === `agent run: '${agent}'`);
      const text = run?.attributes.instructions;
      if (typeof text === 'string') return { text, traceId: trace.traceId };
      if (run) redacted = true;
    }
  }
  return {
    text: null,
    reason: redacted
      ? 'The traces of this version hold no system prompt (content redaction removes it).'
      : 'No stored trace of this version was found (pruned, or not sampled).',
  };
}
