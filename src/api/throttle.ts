/**
 * Throttling of failed authentications per client address: after `limit` failures in a
 * window, further failures from that address get 429 with `Retry-After` until the window
 * ends. Only failures are counted and checked, so a request with a valid token always
 * passes (behind a proxy every client has the same address, and one guesser must not lock
 * the operator out). Tokens are at least 16 characters, so the throttle limits log noise
 * and work rather than being the only thing between a guesser and the token.
 */

export interface AuthThrottleOptions {
  /** Failures allowed per address and window. */
  limit?: number;
  windowMs?: number;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
  /** Addresses tracked at most; the oldest windows are dropped beyond it. */
  maxAddresses?: number;
}

export class AuthThrottle {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #maxAddresses: number;
  readonly #failures = new Map<string, { since: number; count: number }>();

  constructor(options: AuthThrottleOptions = {}) {
    this.#limit = options.limit ?? 10;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    this.#maxAddresses = options.maxAddresses ?? 10_000;
  }

  /**
   * Records a failed authentication from `address`. Returns null while the address is
   * within its allowance, else the seconds until its window ends (for `Retry-After`).
   */
  fail(address: string): number | null {
    const now = this.#now();
    let entry = this.#failures.get(address);
    if (entry === undefined || now - entry.since >= this.#windowMs) {
      this.#failures.delete(address);
      entry = { since: now, count: 0 };
      this.#failures.set(address, entry);
      this.#prune();
    }
    entry.count += 1;
    if (entry.count <= this.#limit) return null;
    return Math.max(1, Math.ceil((entry.since + this.#windowMs - now) / 1000));
  }

  #prune(): void {
    // Map keeps insertion order and a renewed window is re-inserted: the first is the oldest.
    while (this.#failures.size > this.#maxAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest === undefined) return;
      this.#failures.delete(oldest);
    }
  }
}
