/**
 * Keeps the operator's "not now": starts and ends the maintenance window and the
 * silences (kept in the store with the lists), writes each change down, ends them when
 * their time is up and then asks for a reconcile, so what is still unhealthy is healed at
 * once. Also remembers which unhealthy spells a hold has already recorded, so a held
 * container costs one `skipped` per spell rather than one per reconcile.
 */
import type { Holds, MaintenanceWindow } from '../store/types.js';
import { expired, type Hold, type HoldState, holdOn, nextExpiry, silencedUntil } from './maintenance.js';
import type { Recorder } from './record/recorder.js';

/** The longest a timer may wait (setTimeout's limit); a longer hold is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface HoldKeeperDeps {
  store: Holds;
  /** Writes each change down (audit event, log line, the maintenance notice). */
  recorder: Pick<Recorder, 'record'>;
  now: () => number;
  /** A hold ended (by itself or by the operator): look at every container now. */
  onEnded: () => void;
}

/** What `GET /api/maintenance` and `/api/health` show. */
export interface MaintenanceView {
  active: boolean;
  until: string | null;
  reason: string | null;
}

export class HoldKeeper {
  private readonly d: HoldKeeperDeps;
  /** Container id → the hold that already recorded its current unhealthy spell. */
  private readonly recorded = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(deps: HoldKeeperDeps) {
    this.d = deps;
  }

  private state(): HoldState {
    return { maintenance: this.d.store.getMaintenance(), silences: this.d.store.getSilences() };
  }

  /** Ends what ran out while autoheal was down, then keeps a timer on the next end. */
  start(): void {
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // ── Reading ────────────────────────────────────────────────────────────────

  maintenance(): MaintenanceView {
    const w = this.d.store.getMaintenance();
    const active = w !== null && Date.parse(w.until) > this.d.now();
    return { active, until: active ? w.until : null, reason: active ? w.reason : null };
  }

  silencedUntil(name: string): string | null {
    return silencedUntil(this.state(), name, this.d.now());
  }

  /** What holds this container's heal back now, or null. */
  holdOn(name: string): Hold | null {
    return holdOn(this.state(), name, this.d.now());
  }

  /**
   * True the first time a hold meets this container's current unhealthy spell (then the
   * caller records it); false after, until the spell ends or another hold takes over.
   */
  firstOfSpell(id: string, hold: Hold): boolean {
    const key = `${hold.kind}:${hold.until}`;
    if (this.recorded.get(id) === key) return false;
    this.recorded.set(id, key);
    return true;
  }

  /** The container is healthy again (or gone): its next unhealthy spell is a new one. */
  spellOver(id: string): void {
    this.recorded.delete(id);
  }

  // ── The operator's levers ─────────────────────────────────────────────────

  startMaintenance(minutes: number, reason: string): MaintenanceWindow {
    const now = this.d.now();
    const window: MaintenanceWindow = {
      until: new Date(now + minutes * 60_000).toISOString(),
      reason,
      started_at: new Date(now).toISOString(),
    };
    const extended = this.maintenance().active;
    this.d.store.setMaintenance(window);
    this.d.recorder.record({ kind: 'maintenance_started', minutes, reason, until: window.until, extended });
    this.arm();
    return window;
  }

  /** Ends the window now; false when none was in force. */
  endMaintenance(): boolean {
    if (!this.maintenance().active) return false;
    this.finishMaintenance('ended by an operator');
    this.arm();
    this.d.onEnded();
    return true;
  }

  /** Silences a container by name; returns the ISO end of its silence. */
  silence(id: string, name: string, minutes: number): string {
    const until = new Date(this.d.now() + minutes * 60_000).toISOString();
    this.d.store.setSilence(name, until);
    this.d.recorder.record({ kind: 'silenced', c: { id, name }, minutes, until });
    this.arm();
    return until;
  }

  /** Ends a container's silence now; false when it was not silenced. */
  unsilence(id: string | null, name: string): boolean {
    if (this.silencedUntil(name) === null) return false;
    this.finishSilence(id, name, 'ended by an operator');
    this.arm();
    this.d.onEnded();
    return true;
  }

  // ── Ends by itself ────────────────────────────────────────────────────────

  /** Ends every hold whose time is up; asks for a reconcile when any did. Public for tests. */
  tick(): void {
    const gone = expired(this.state(), this.d.now());
    if (gone.maintenance) this.finishMaintenance('its time was up');
    for (const name of gone.silences) this.finishSilence(null, name, 'its time was up');
    this.arm();
    if (gone.maintenance || gone.silences.length > 0) this.d.onEnded();
  }

  private finishMaintenance(how: string): void {
    const w = this.d.store.getMaintenance();
    this.d.store.setMaintenance(null);
    this.d.recorder.record({
      kind: 'maintenance_ended',
      how,
      until: w?.until ?? null,
      reason: w?.reason ?? '',
    });
  }

  private finishSilence(id: string | null, name: string, how: string): void {
    this.d.store.setSilence(name, null);
    this.d.recorder.record({ kind: 'unsilenced', name, id, how });
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    const next = nextExpiry(this.state());
    if (next === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, next - this.d.now()));
    this.timer = setTimeout(() => this.tick(), delay);
    this.timer.unref();
  }
}
