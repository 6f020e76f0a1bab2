/**
 * A stable, snake_case code for a failed turn: the error's own `code` when it carries one
 * (kaged's typed errors do), otherwise a generic one.
 */
export function errorCodeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[a-z][a-z0-9_]*$/.test(code)) return code;
  return 'turn_failed';
}

export function errorMessageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') return error.message;
  return 'the turn failed for an unknown reason';
}
