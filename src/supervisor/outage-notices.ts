/**
 * Tells the operator when autoheal cannot do its job: a notice when the Docker engine has
 * been unreachable for longer than a minute, or when the store cannot be written, and one
 * when each recovers. One notice per outage, however often the reconnects or the write
 * retries fail meanwhile; an engine outage shorter than the minute sends nothing. Webhook
 * and Apprise users have no other way to learn it (the audit trail is on the host).
 */
import { componentLogger, type Logger } from '../log.js';
import { NOTICES } from '../notify/notices.js';
import type { Persistence } from '../store/types.js';

/** How long the engine may be unreachable before the operator is told. */
export const ENGINE_GRACE_MS = 60_000;
/** How often the outages are looked at (the store's health, the engine's grace). */
const TICK_MS = 5_000;

export interface OutageNoticesDeps {
  /** Sends a message about autoheal itself (the notifier's `notice`). */
  notice: (text: string) => void;
  store: Pick<Persistence, 'writeStatus'>;
  /** The data directory, named in the store's notices. */
  dataDir: string;
  logger: Logger;
  /** Milliseconds since the epoch; injected so tests control time. */
  now?: () => number;
  engineGraceMs?: number;
}

interface Outage {
  sinceMs: number;
  error: string;
  /** The notice about it was sent. */
  told: boolean;
}

export class OutageNotices {
  private readonly d: OutageNoticesDeps;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly graceMs: number;
  /** Not connected yet counts as unreachable: an engine that never answers is an outage too. */
  private engine: Outage | null;
  private store: Outage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(deps: OutageNoticesDeps) {
    this.d = deps;
    this.log = componentLogger(deps.logger, 'notify');
    this.now = deps.now ?? Date.now;
    this.graceMs = deps.engineGraceMs ?? ENGINE_GRACE_MS;
    this.engine = { sinceMs: this.now(), error: 'not connected since autoheal started', told: false };
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The engine's event stream is up. */
  engineUp(): void {
    const outage = this.engine;
    this.engine = null;
    if (outage?.told) this.send(NOTICES.engineBack({ afterMs: this.now() - outage.sinceMs }));
  }

  /** The engine's event stream was lost or could not be opened. */
  engineDown(error: string): void {
    if (this.engine === null) this.engine = { sinceMs: this.now(), error, told: false };
    else this.engine.error = error;
    this.tick();
  }

  /** Looks at both outages: tells what has lasted long enough, and what is over. */
  tick(): void {
    // A shutdown closes the stream and the store: that is no outage to tell of.
    if (this.stopped) return;
    const now = this.now();
    const engine = this.engine;
    if (engine !== null && !engine.told && now - engine.sinceMs > this.graceMs) {
      engine.told = true;
      this.send(NOTICES.engineUnreachable({ forMs: now - engine.sinceMs, error: engine.error }));
    }
    const status = this.d.store.writeStatus();
    if (!status.ok && this.store === null) {
      this.store = { sinceMs: now, error: status.lastError ?? 'unknown error', told: true };
      this.send(NOTICES.storeUnwritable({ dir: this.d.dataDir, error: this.store.error }));
    } else if (status.ok && this.store !== null) {
      const since = this.store.sinceMs;
      this.store = null;
      this.send(NOTICES.storeBack({ dir: this.d.dataDir, afterMs: now - since }));
    }
  }

  private send(text: string): void {
    this.log.info({ notice: text }, 'notice sent about autoheal itself');
    this.d.notice(text);
  }
}
