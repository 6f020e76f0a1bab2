/** One log line as kept by the ring: its parsed fields plus a sequence number. */
export interface LogEntry {
  seq: number;
  level: string;
  time: string;
  msg: string;
  [field: string]: unknown;
}

export interface LogFilter {
  /** Lowest level to include (`debug`, `info`, `warn`, `error`…). */
  level?: string | undefined;
  turnId?: string | undefined;
  sessionId?: string | undefined;
  /** ISO time: only lines at or after it. */
  since?: string | undefined;
  /** Only lines with a greater sequence number (for resuming a tail). */
  afterSeq?: number | undefined;
  /** At most this many of the newest matching lines. */
  limit?: number | undefined;
}

export interface LogRingOptions {
  /** Most lines kept. Default 5000. */
  maxLines?: number;
  /** Most bytes of JSON kept. Default 8 MiB. */
  maxBytes?: number;
}

export const levelValues: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/**
 * A bounded buffer of the most recent log lines, fed as a pino destination (`write(line)`),
 * with queries and live subscriptions: the daemon's log view with no log infrastructure.
 */
export class LogRing {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  readonly #entries: ({ entry: LogEntry; size: number } | undefined)[];
  #start = 0;
  #count = 0;
  #bytes = 0;
  #seq = 0;
  readonly #subscribers = new Set<{ filter: LogFilter; listener: (entry: LogEntry) => void }>();

  constructor(options: LogRingOptions = {}) {
    this.#maxLines = options.maxLines ?? 5000;
    this.#maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
    this.#entries = new Array(this.#maxLines);
  }

  /** pino destination interface: one JSON line per call. */
  write(line: string): void {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const entry = { ...parsed, seq: ++this.#seq } as LogEntry;
    const size = line.length;
    while (this.#count > 0 && (this.#count >= this.#maxLines || this.#bytes + size > this.#maxBytes)) this.#evictOldest();
    this.#entries[(this.#start + this.#count) % this.#maxLines] = { entry, size };
    this.#count++;
    this.#bytes += size;
    for (const subscriber of this.#subscribers) if (matches(entry, subscriber.filter)) subscriber.listener(entry);
  }

  /** Matching lines, oldest first. */
  query(filter: LogFilter = {}): LogEntry[] {
    const result: LogEntry[] = [];
    for (let i = 0; i < this.#count; i++) {
      const entry = this.#entries[(this.#start + i) % this.#maxLines]!.entry;
      if (matches(entry, filter)) result.push(entry);
    }
    return filter.limit !== undefined && result.length > filter.limit ? result.slice(result.length - filter.limit) : result;
  }

  /** Calls `listener` for each new matching line until the returned function is called. */
  subscribe(filter: LogFilter, listener: (entry: LogEntry) => void): () => void {
    const subscriber = { filter, listener };
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  get size(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  #evictOldest(): void {
    const slot = this.#entries[this.#start]!;
    this.#entries[this.#start] = undefined;
    this.#bytes -= slot.size;
    this.#start = (this.#start + 1) % this.#maxLines;
    this.#count--;
  }
}

function matches(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.level !== undefined && (levelValues[entry.level] ?? 0) < (levelValues[filter.level] ?? 0)) return false;
  if (filter.turnId !== undefined && entry.turnId !== filter.turnId) return false;
  if (filter.sessionId !== undefined && entry.sessionId !== filter.sessionId) return false;
  if (filter.since !== undefined && entry.time < filter.since) return false;
  if (filter.afterSeq !== undefined && entry.seq <= filter.afterSeq) return false;
  return true;
}
