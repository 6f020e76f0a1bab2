/** Why an export failed, in words an operator can act on. */
export type ExportFailureKind =
  | 'connection_refused'
  | 'connection_failed'
  | 'dns_failed'
  | 'timeout'
  | 'unauthorized'
  | 'http_error'
  | 'other';

export interface ExportFailure {
  kind: ExportFailureKind;
  /** One line, at most 200 characters, secrets removed. */
  message: string;
}

const MAX_MESSAGE = 200;

/**
 * Classifies an export error: an `Error` (what `exporter.flush()` rejects with) or the text
 * OpenTelemetry's `diag` logger receives (its error handler passes a JSON rendering of the
 * error). `secrets` are removed from the message, as is any `Basic`/`Bearer` credential.
 * The response body a failed request carries (`data`) is never included.
 */
export function classifyExportFailure(error: unknown, secrets: readonly string[] = []): ExportFailure {
  const fields = fieldsOf(error);
  const code = fields.code === undefined ? undefined : String(fields.code);
  const message = fields.message ?? 'unknown error';
  let kind: ExportFailureKind = 'other';
  if (code === 'ECONNREFUSED') kind = 'connection_refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') kind = 'dns_failed';
  else if (code && /^E[A-Z]+$/.test(code) && code !== 'ETIMEDOUT') kind = 'connection_failed';
  else if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) kind = 'timeout';
  else if (code === '401' || code === '403') kind = 'unauthorized';
  else if (code && /^\d{3}$/.test(code)) kind = 'http_error';
  const text = code && /^\d{3}$/.test(code) ? `HTTP ${code}: ${message}` : message;
  return { kind, message: scrub(text, secrets) };
}

function fieldsOf(error: unknown): { message?: string; code?: unknown } {
  if (error instanceof Error) {
    const withCode = error as Error & { code?: unknown };
    // An AggregateError (several addresses refused) carries the codes on its parts.
    const first = (error as Partial<AggregateError>).errors?.[0] as (Error & { code?: unknown }) | undefined;
    return { message: error.message || first?.message || error.name, code: withCode.code ?? first?.code };
  }
  if (typeof error === 'string') {
    const trimmed = error.trim();
    if (trimmed.startsWith('{')) {
      try {
        const parsed = JSON.parse(trimmed) as { message?: unknown; code?: unknown };
        return { message: typeof parsed.message === 'string' ? parsed.message : trimmed, code: parsed.code };
      } catch {
        // Not JSON after all: use the text.
      }
    }
    return { message: trimmed };
  }
  return { message: String(error) };
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text.replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+/gi, '$1 [redacted]');
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  result = result.replace(/\s+/g, ' ').trim();
  return result.length > MAX_MESSAGE ? `${result.slice(0, MAX_MESSAGE - 1)}…` : result;
}
