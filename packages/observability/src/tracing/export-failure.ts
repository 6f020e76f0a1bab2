import { networkFailureOf, SecretScrubber } from '@kaged/core';

/** Why an export failed, in words an operator can act on. */
export type ExportFailureKind = 'connection_refused' | 'connection_failed' | 'dns_failed' | 'timeout' | 'unauthorized' | 'http_error' | 'other';

export interface ExportFailure {
  kind: ExportFailureKind;
  /** One line, at most 200 characters, secrets removed. */
  message: string;
}

const MAX_MESSAGE = 200;

/**
 * The scrubber for export failure messages: `secrets`, and any credential-shaped text, with the
 * scheme kept (`Basic [redacted]`) and short tokens censored too (a message from an HTTP client
 * is not prose). Build it once and pass it to `classifyExportFailure` when classifying often.
 */
export function exportFailureScrubber(secrets: Iterable<string | undefined | null> = []): SecretScrubber {
  return new SecretScrubber(secrets, { keepSchemes: true, minSchemeTokenLength: 1 });
}

/**
 * Classifies an export error: an `Error` (what `exporter.flush()` rejects with) or the text
 * OpenTelemetry's `diag` logger receives (its error handler passes a JSON rendering of the
 * error). `secrets` (values, or a scrubber from `exportFailureScrubber`) are removed from the
 * message, as is any credential-shaped text. The response body a failed request carries
 * (`data`) is never included.
 */
export function classifyExportFailure(error: unknown, secrets: readonly string[] | SecretScrubber = []): ExportFailure {
  const { message = 'unknown error', code, source } = fieldsOf(error);
  const http = code !== undefined && /^\d{3}$/.test(code);
  const kind: ExportFailureKind =
    networkFailureOf(source)?.kind ??
    // A socket error core does not name (EPROTO…) still means the connection failed.
    (code !== undefined && /^E[A-Z]+$/.test(code) ? 'connection_failed' : undefined) ??
    (/timed? ?out/i.test(message) ? 'timeout' : undefined) ??
    (code === '401' || code === '403' ? 'unauthorized' : http ? 'http_error' : 'other');
  const scrubber = secrets instanceof SecretScrubber ? secrets : exportFailureScrubber(secrets);
  return { kind, message: oneLine(scrubber.scrub(http ? `HTTP ${code}: ${message}` : message)) };
}

/** The message, the code as text, and what `networkFailureOf` reads (the error, or the parsed diag JSON). */
function fieldsOf(error: unknown): { message?: string; code?: string; source: unknown } {
  if (error instanceof Error) {
    // An AggregateError (several addresses refused) carries the codes on its parts.
    const first = (error as Partial<AggregateError>).errors?.[0] as (Error & { code?: unknown }) | undefined;
    return { message: error.message || first?.message || error.name, code: codeOf((error as { code?: unknown }).code ?? first?.code), source: error };
  }
  if (typeof error === 'string') {
    const trimmed = error.trim();
    if (trimmed.startsWith('{')) {
      try {
        const parsed = JSON.parse(trimmed) as { message?: unknown; code?: unknown };
        return { message: typeof parsed.message === 'string' ? parsed.message : trimmed, code: codeOf(parsed.code), source: parsed };
      } catch {
        // Not JSON after all: use the text.
      }
    }
    return { message: trimmed, source: undefined };
  }
  return { message: String(error), source: error };
}

function codeOf(code: unknown): string | undefined {
  return code === undefined || code === null ? undefined : String(code);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}
