/** What a failed PostgreSQL call says about the server, read through Mastra's wrappers (`cause`). */
export interface PgFailure {
  /** `unreachable`: no connection (down, restarting, refusing); `rejected`: the server said no (credentials, database); `other`: a query failed. */
  kind: 'unreachable' | 'rejected' | 'other';
  /** A short reason, safe to show: pg's and Node's messages carry host and user, not the password. */
  reason: string;
  /** SQLSTATE or Node's error code, when there is one. */
  code?: string | undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
// SQLSTATE: 08xxx connection exceptions; 57P01-03 the server is shutting down or starting; 53300 too many connections.
const UNAVAILABLE_STATES = /^(08...|57P0[1-3]|53300)$/;
// 28xxx bad credentials; 3D000 no such database; 42501 no permission (on the schema, say).
const REJECTED_STATES = /^(28...|3D000|42501)$/;
// pg's own words for a connection it lost or never got.
const UNAVAILABLE_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|connection timeout|client has encountered a connection error|server closed the connection|the database system is (starting up|shutting down)|Cannot use a pool after calling end/i;

/** The first pg or network error in `error`'s cause chain, classified. */
export function pgFailureOf(error: unknown): PgFailure {
  let fallback: PgFailure | undefined;
  for (let current = error, depth = 0; current && depth < 8; current = (current as { cause?: unknown }).cause, depth++) {
    const code = typeof (current as { code?: unknown }).code === 'string' ? (current as { code: string }).code : undefined;
    const message = current instanceof Error ? current.message : String(current);
    if (code && NETWORK_CODES.has(code)) return { kind: 'unreachable', reason: message || code, code };
    if (code && UNAVAILABLE_STATES.test(code)) return { kind: 'unreachable', reason: message, code };
    if (code && REJECTED_STATES.test(code)) return { kind: 'rejected', reason: message, code };
    if (UNAVAILABLE_MESSAGE.test(message)) return { kind: 'unreachable', reason: message, code };
    // AggregateError (every address of a host refused): look at the first of them.
    const inner = (current as { errors?: unknown[] }).errors?.[0];
    if (inner) {
      const found = pgFailureOf(inner);
      if (found.kind !== 'other') return found;
    }
    fallback = { kind: 'other', reason: message, code };
  }
  return fallback ?? { kind: 'other', reason: String(error) };
}
