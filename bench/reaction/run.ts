/**
 * The reaction benchmark: bursts of containers made unhealthy at once, healed by each
 * contender in turn. Every time is the engine's own: latency is a container's
 * `health_status: unhealthy` event → the `kill` of its restart; "all restarted" is the
 * burst's first unhealthy event → the last restarted container's `start`.
 */
import { randomBytes } from 'node:crypto';
import { sleep } from '../../test/support/docker-fixtures.js';
import { BenchFleet } from '../lib/containers.js';
import { type EventSubscription, type RawEvent, subscribeEvents } from '../lib/engine-http.js';
import { LoadSampler } from '../lib/machine.js';
import { nanoDiffMs, type Summary, summarize } from '../lib/stats.js';
import { CONTENDERS, type ContenderName, makeContender } from './contenders.js';

export interface ReactionPlan {
  /** Burst size → rounds per contender. */
  bursts: ReadonlyArray<{ size: number; rounds: number }>;
  contenders?: readonly ContenderName[];
  log: (line: string) => void;
}

export interface RoundResult {
  contender: ContenderName;
  burst: number;
  round: number;
  /** Per restarted container: unhealthy → kill, ms. */
  latenciesMs: number[];
  /** Containers of the burst restarted (kill and start seen) before the round's deadline. */
  restarted: number;
  /** First unhealthy → last kill, ms (null unless all were killed). */
  allKilledMs: number | null;
  /** First unhealthy → last start after its kill, ms (null unless all restarted). */
  allRestartedMs: number | null;
  load1: { min: number; max: number; mean: number };
}

export interface BurstSummary {
  contender: ContenderName;
  burst: number;
  rounds: number;
  latencyMs: Summary;
  /** Median over rounds of "all restarted"; null when some round did not finish. */
  allRestartedMs: number | null;
  allKilledMs: number | null;
  /** Fewest containers restarted in a round, of `burst`. */
  minRestarted: number;
}

interface Track {
  unhealthy?: string;
  kill?: string;
  start?: string;
}

/** Reads the engine's events for the fleet and pieces together each container's heal. */
class Observer {
  private tracks = new Map<string, Track>();
  private sub: EventSubscription | null = null;

  async open(labelKey: string): Promise<void> {
    this.sub = await subscribeEvents(
      { label: [`${labelKey}=true`], event: ['health_status', 'kill', 'start'] },
      (e) => this.onEvent(e),
    );
  }

  close(): void {
    this.sub?.close();
  }

  /** Starts a round: only these containers are watched, from now on. */
  watch(ids: readonly string[]): void {
    this.tracks = new Map(ids.map((id) => [id, {}]));
  }

  private onEvent(e: RawEvent): void {
    const t = this.tracks.get(e.Actor.ID);
    if (!t) return;
    if (e.Action === 'health_status: unhealthy') t.unhealthy ??= e.timeNano;
    else if (e.Action === 'kill' && t.unhealthy) t.kill ??= e.timeNano;
    else if (e.Action === 'start' && t.kill) t.start ??= e.timeNano;
  }

  done(): number {
    let n = 0;
    for (const t of this.tracks.values()) if (t.start) n += 1;
    return n;
  }

  result(): Pick<RoundResult, 'latenciesMs' | 'restarted' | 'allKilledMs' | 'allRestartedMs'> {
    const tracks = [...this.tracks.values()];
    const unhealthy = tracks.map((t) => t.unhealthy).filter((x): x is string => x !== undefined);
    const first = unhealthy.sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))[0];
    const latenciesMs: number[] = [];
    let lastKill: string | null = null;
    let lastStart: string | null = null;
    for (const t of tracks) {
      if (t.unhealthy && t.kill) latenciesMs.push(nanoDiffMs(t.unhealthy, t.kill));
      if (t.kill && (lastKill === null || BigInt(t.kill) > BigInt(lastKill))) lastKill = t.kill;
      if (t.start && (lastStart === null || BigInt(t.start) > BigInt(lastStart))) lastStart = t.start;
    }
    const restarted = tracks.filter((t) => t.start).length;
    const all = restarted === tracks.length && first !== undefined;
    return {
      latenciesMs,
      restarted,
      allKilledMs: all && lastKill ? nanoDiffMs(first, lastKill) : null,
      allRestartedMs: all && lastStart ? nanoDiffMs(first, lastStart) : null,
    };
  }
}

function median(values: number[]): number | null {
  return values.length === 0 ? null : summarize(values).p50;
}

export async function runReaction(
  plan: ReactionPlan,
): Promise<{ rounds: RoundResult[]; summary: BurstSummary[] }> {
  const contenders = plan.contenders ?? CONTENDERS;
  const rounds: RoundResult[] = [];
  const largest = Math.max(...plan.bursts.map((b) => b.size));
  const labelKey = `autoheal-bench.${randomBytes(4).toString('hex')}`;
  const fleet = new BenchFleet(labelKey);
  const observer = new Observer();
  try {
    plan.log(`reaction: creating ${largest} containers (label ${labelKey})`);
    await fleet.grow(largest);
    await fleet.waitHealthy();
    await observer.open(labelKey);
    for (const { size, rounds: count } of plan.bursts) {
      for (let round = 0; round < count; round += 1) {
        // Rotate the order, so no contender always runs right after another's restarts.
        const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as ContenderName);
        for (const name of order) {
          const r = await runRound(name, size, round, fleet, observer, labelKey);
          rounds.push(r);
          const lat = summarize(r.latenciesMs);
          plan.log(
            `reaction: ${name.padEnd(8)} burst ${String(size).padStart(2)} round ${round + 1}/${count}: p50 ${lat.p50.toFixed(0)} ms, restarted ${r.restarted}/${size}, all ${r.allRestartedMs === null ? 'n/a' : `${r.allRestartedMs.toFixed(0)} ms`}`,
          );
        }
      }
    }
  } finally {
    observer.close();
    await fleet.remove();
  }
  const summary: BurstSummary[] = [];
  for (const { size } of plan.bursts) {
    for (const contender of contenders) {
      const mine = rounds.filter((r) => r.burst === size && r.contender === contender);
      const finished = mine.every((r) => r.allRestartedMs !== null);
      summary.push({
        contender,
        burst: size,
        rounds: mine.length,
        latencyMs: summarize(mine.flatMap((r) => r.latenciesMs)),
        allRestartedMs: finished ? median(mine.map((r) => r.allRestartedMs as number)) : null,
        allKilledMs: finished ? median(mine.map((r) => r.allKilledMs as number)) : null,
        minRestarted: Math.min(...mine.map((r) => r.restarted)),
      });
    }
  }
  return { rounds, summary };
}

async function runRound(
  name: ContenderName,
  size: number,
  round: number,
  fleet: BenchFleet,
  observer: Observer,
  labelKey: string,
): Promise<RoundResult> {
  const contender = makeContender(name);
  const load = new LoadSampler();
  await contender.start(labelKey, fleet.containers.length);
  load.start(2000);
  try {
    const burst = fleet.containers.slice(0, size);
    observer.watch(burst.map((c) => c.id));
    fleet.makeSick(size);
    // The polling baseline restarts one by one; leave it room, and report what it managed.
    const deadline = Date.now() + 60_000 + size * 3_000;
    while (observer.done() < size && Date.now() < deadline) await sleep(100);
  } finally {
    await contender.stop();
  }
  const load1 = load.stop();
  fleet.clearFlags();
  await fleet.waitHealthy();
  return { contender: name, burst: size, round, ...observer.result(), load1 };
}
