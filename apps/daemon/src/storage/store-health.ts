import type { Logger } from '@kaged/observability';

/** The `sessions` readiness check (see wiring/readiness.ts): its status and one line for `/readyz`. */
export interface StoreCheck {
  status: 'ok' | 'degraded';
  detail: string;
}

export interface StoreHealthOptions {
  /** One cheap round trip (`SELECT 1`); rejects while the server cannot be used. */
  probe: () => Promise<void>;
  /** `PostgreSQL at db.lan:5432/kaged`: the store as the operator names it, without credentials. */
  target: string;
  logger: Logger;
  /** How often a store that failed is tried again. Default 1 s. */
  retryMs?: number | undefined;
}

/**
 * Whether the session store answers. A call that fails for want of a connection marks it
 * unavailable; from then on turns fail at once (no connection attempt each) and a probe runs
 * every `retryMs` until the server answers again, which ends the outage by itself.
 */
export class StoreHealth {
  readonly target: string;
  #down: { since: Date; reason: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #probe: () => Promise<void>;
  readonly #logger: Logger;
  readonly #retryMs: number;

  constructor(options: StoreHealthOptions) {
    this.target = options.target;
    this.#probe = options.probe;
    this.#logger = options.logger;
    this.#retryMs = options.retryMs ?? 1_000;
  }

  /** Why the store is unavailable, or `undefined` while it answers. */
  get unavailable(): { since: Date; reason: string } | undefined {
    return this.#down;
  }

  markUnavailable(reason: string): void {
    if (this.#closed) return;
    if (this.#down) {
      this.#down.reason = reason;
      return;
    }
    this.#down = { since: new Date(), reason };
    this.#logger.error({ store: this.target, reason }, 'storage.unavailable');
    this.#schedule();
  }

  check(): StoreCheck {
    const down = this.#down;
    if (!down) return { status: 'ok', detail: `sessions and local traces in ${this.target}` };
    const seconds = Math.round((Date.now() - down.since.getTime()) / 1000);
    return {
      status: 'degraded',
      detail: `${this.target} unreachable for ${seconds} s (${down.reason}); turns fail with storage_unavailable until it answers, retried every ${this.#retryMs / 1000} s`,
    };
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#retry(), this.#retryMs);
    // A probe must never hold the process open.
    this.#timer.unref();
  }

  async #retry(): Promise<void> {
    if (this.#closed || !this.#down) return;
    try {
      await this.#probe();
    } catch {
      if (!this.#closed) this.#schedule();
      return;
    }
    const down = this.#down;
    this.#down = undefined;
    this.#logger.info({ store: this.target, unavailableMs: Date.now() - down.since.getTime() }, 'storage.recovered');
  }
}
