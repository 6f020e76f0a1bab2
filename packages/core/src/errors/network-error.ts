/** What kind of network failure an error code names, for messages an operator can act on. */
export type NetworkFailureKind = 'connection_refused' | 'dns_failed' | 'connection_failed' | 'timeout';

export interface NetworkFailure {
  kind: NetworkFailureKind;
  /** A few words for a message: `connection refused`, `host not found (DNS)`… */
  reason: string;
  /** The code that was recognised (`ECONNREFUSED`, `UND_ERR_SOCKET`…). */
  code: string;
}

// Node's, undici's and Bun's codes; TLS failures count as failing to connect.
const CODES: Record<string, Omit<NetworkFailure, 'code'>> = {
  ECONNREFUSED: { kind: 'connection_refused', reason: 'connection refused' },
  ConnectionRefused: { kind: 'connection_refused', reason: 'connection refused' },
  ENOTFOUND: { kind: 'dns_failed', reason: 'host not found (DNS)' },
  EAI_AGAIN: { kind: 'dns_failed', reason: 'host name lookup failed (DNS)' },
  EHOSTUNREACH: { kind: 'connection_failed', reason: 'host unreachable' },
  ENETUNREACH: { kind: 'connection_failed', reason: 'network unreachable' },
  ECONNRESET: { kind: 'connection_failed', reason: 'the server closed the connection' },
  EPIPE: { kind: 'connection_failed', reason: 'the server closed the connection' },
  UND_ERR_SOCKET: { kind: 'connection_failed', reason: 'the server closed the connection' },
  ConnectionClosed: { kind: 'connection_failed', reason: 'the server closed the connection' },
  FailedToOpenSocket: { kind: 'connection_failed', reason: 'cannot open a connection' },
  CERT_HAS_EXPIRED: { kind: 'connection_failed', reason: 'the server certificate has expired' },
  DEPTH_ZERO_SELF_SIGNED_CERT: { kind: 'connection_failed', reason: 'the server certificate is self-signed' },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { kind: 'connection_failed', reason: 'the server certificate cannot be verified' },
  ETIMEDOUT: { kind: 'timeout', reason: 'the connection timed out' },
  UND_ERR_CONNECT_TIMEOUT: { kind: 'timeout', reason: 'connecting timed out' },
  UND_ERR_HEADERS_TIMEOUT: { kind: 'timeout', reason: 'the response headers timed out' },
  UND_ERR_BODY_TIMEOUT: { kind: 'timeout', reason: 'the response body timed out' },
};

/**
 * The network failure an error (or an error code) stands for, or `undefined` when it is not
 * one. An `AggregateError` (several addresses refused) is read through its first part; an
 * `AbortSignal.timeout()` abort is a timeout.
 */
export function networkFailureOf(error: unknown): NetworkFailure | undefined {
  if (typeof error === 'string') return Object.hasOwn(CODES, error) ? { ...CODES[error]!, code: error } : undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name, errors } = error as { code?: unknown; name?: unknown; errors?: unknown };
  if (typeof code === 'string' && Object.hasOwn(CODES, code)) return { ...CODES[code]!, code };
  if (name === 'TimeoutError') return { kind: 'timeout', reason: 'the request timed out', code: 'TimeoutError' };
  if (Array.isArray(errors) && errors.length > 0) return networkFailureOf(errors[0]);
  return undefined;
}
