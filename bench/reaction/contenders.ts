/**
 * The three contenders of the reaction benchmark. Each is started against the same fleet
 * and stopped before the next one starts, so only one of them heals at a time.
 *
 * - `autoheal`: the built `dist/main.js`, default settings, enrolling only the fleet's label.
 * - `limit`: the least any event-driven healer can do: restart on `health_status: unhealthy`
 *   at once, no inspect, no bookkeeping, unbounded parallelism. What the engine allows.
 * - `polling`: what the classic tools do: every 5 s list the unhealthy containers and
 *   restart them one after another.
 */
import { sleep } from '../../test/support/docker-fixtures.js';
import { AutohealChild } from '../lib/autoheal-child.js';
import { type EventSubscription, engineRequest, subscribeEvents } from '../lib/engine-http.js';

export type ContenderName = 'autoheal' | 'limit' | 'polling';
export const CONTENDERS: readonly ContenderName[] = ['autoheal', 'limit', 'polling'];

/** The stop timeout every contender restarts with (autoheal's default). */
const STOP_TIMEOUT_S = 10;
const POLL_INTERVAL_MS = 5000;

export interface Contender {
  readonly name: ContenderName;
  /** Ready to heal the `fleetSize` containers labelled `labelKey=true`. */
  start(labelKey: string, fleetSize: number): Promise<void>;
  stop(): Promise<void>;
}

function restart(id: string): Promise<unknown> {
  return engineRequest('POST', `/containers/${id}/restart?t=${STOP_TIMEOUT_S}`).catch(() => undefined);
}

class AutohealContender implements Contender {
  readonly name = 'autoheal';
  private child: AutohealChild | null = null;

  async start(labelKey: string, fleetSize: number): Promise<void> {
    // A fresh process and data directory per round: no back-off carried over from the last.
    this.child = new AutohealChild(labelKey);
    await this.child.start();
    await this.child.waitMonitored(fleetSize);
  }

  async stop(): Promise<void> {
    await this.child?.stop();
    this.child = null;
  }
}

class LimitContender implements Contender {
  readonly name = 'limit';
  private sub: EventSubscription | null = null;

  async start(labelKey: string): Promise<void> {
    this.sub = await subscribeEvents({ label: [`${labelKey}=true`], event: ['health_status'] }, (e) => {
      if (e.Action === 'health_status: unhealthy') void restart(e.Actor.ID);
    });
  }

  async stop(): Promise<void> {
    this.sub?.close();
    this.sub = null;
  }
}

class PollingContender implements Contender {
  readonly name = 'polling';
  private running: Promise<void> | null = null;
  private stopped = false;

  async start(labelKey: string): Promise<void> {
    this.stopped = false;
    this.running = this.loop(labelKey);
  }

  private async loop(labelKey: string): Promise<void> {
    const filters = encodeURIComponent(
      JSON.stringify({ label: [`${labelKey}=true`], health: ['unhealthy'] }),
    );
    while (!this.stopped) {
      await this.pause(POLL_INTERVAL_MS);
      if (this.stopped) return;
      const reply = await engineRequest('GET', `/containers/json?filters=${filters}`).catch(() => null);
      if (reply?.status !== 200) continue;
      for (const c of JSON.parse(reply.body) as { Id: string }[]) {
        if (this.stopped) return;
        await restart(c.Id);
      }
    }
  }

  /** Sleeps in small steps, so stop() does not wait out a whole interval. */
  private async pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopped && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    this.running = null;
  }
}

export function makeContender(name: ContenderName): Contender {
  if (name === 'autoheal') return new AutohealContender();
  if (name === 'limit') return new LimitContender();
  return new PollingContender();
}
