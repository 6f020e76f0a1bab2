/**
 * OpenTelemetry reports failed exports (refused connections, HTTP 500, timeouts) only to its
 * global `diag` logger, which prints nothing until one is set. This routes `diag` at warn and
 * above to listeners. `diag` is one per process, so every listener hears every message: kaged
 * runs one daemon per process; tests that start several see each other's failures.
 */
export interface OtelDiagListener {
  error(message: string): void;
  warn(message: string): void;
}

const listeners = new Set<OtelDiagListener>();
let installing: Promise<void> | undefined;
let installed = false;

/** Adds a listener (installing the diag logger on first use); the returned function removes it. */
export async function listenToOtelDiag(listener: OtelDiagListener): Promise<() => Promise<void>> {
  listeners.add(listener);
  await (installing ??= install());
  return async () => {
    listeners.delete(listener);
    if (listeners.size === 0 && installed) {
      const { diag } = await import('@opentelemetry/api');
      // Another listener may have arrived while importing.
      if (listeners.size === 0 && installed) {
        diag.disable();
        installed = false;
        installing = undefined;
      }
    }
  };
}

async function install(): Promise<void> {
  // Imported here so that a process without Langfuse never loads OpenTelemetry.
  const { diag, DiagLogLevel } = await import('@opentelemetry/api');
  const dispatch = (level: 'error' | 'warn', message: unknown, args: unknown[]) => {
    const text = [message, ...args].map((part) => (typeof part === 'string' ? part : safeString(part))).join(' ');
    for (const listener of listeners) {
      try {
        listener[level](text);
      } catch {
        // A listener must not break OpenTelemetry's export loop.
      }
    }
  };
  const noop = () => {};
  diag.setLogger(
    {
      error: (message, ...args) => dispatch('error', message, args),
      warn: (message, ...args) => dispatch('warn', message, args),
      info: noop,
      debug: noop,
      verbose: noop,
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  installed = true;
}

function safeString(value: unknown): string {
  if (value instanceof Error) return JSON.stringify({ message: value.message, code: (value as { code?: unknown }).code, name: value.name });
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
