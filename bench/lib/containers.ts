/**
 * The bench's containers, made the way the end-to-end fixtures make theirs (owner label,
 * pid label, `ahtest-` name prefix, the offline test image, a 1 s healthcheck), so leftovers
 * of an aborted run are found and removed by the same rules. Their health is a flag file on
 * a shared host directory: creating the flags makes a whole burst unhealthy at the same
 * health tick, without one `docker exec` per container; a (re)start deletes its own flag,
 * so a restarted container is healthy again.
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  containerName,
  docker,
  OWNER_LABEL,
  OWNER_VALUE,
  PID_LABEL,
  removeLeftovers,
  sleep,
  TEST_IMAGE,
} from '../../test/support/docker-fixtures.js';
import { engineRequest } from './engine-http.js';

export interface BenchContainer {
  id: string;
  name: string;
}

const FLAGS_IN_CONTAINER = '/bench-flags';

export class BenchFleet {
  readonly flagsDir = mkdtempSync(join(tmpdir(), 'autoheal-bench-flags-'));
  readonly containers: BenchContainer[] = [];

  /**
   * `labelKey=true` on every container: the key autoheal is started with. `healthIntervalS`
   * is 1 for reaction runs; an idle fleet checks less often, so 200 containers do not turn
   * the engine into the thing measured.
   */
  constructor(
    readonly labelKey: string,
    private readonly healthIntervalS = 1,
  ) {}

  /** Creates `count` more containers, a few at a time (the engine is shared). */
  async grow(count: number, parallel = 4): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next += 1;
        this.containers.push(await this.createOne());
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
  }

  private async createOne(): Promise<BenchContainer> {
    const name = containerName('bench');
    const script = [
      'trap "exit 0" TERM',
      `rm -f ${FLAGS_IN_CONTAINER}/$BENCH_NAME`,
      'while :; do sleep 3600 & wait $!; done',
    ].join('; ');
    const id = await docker([
      'run',
      '-d',
      '--name',
      name,
      '--label',
      `${this.labelKey}=true`,
      '--label',
      `${OWNER_LABEL}=${OWNER_VALUE}`,
      '--label',
      `${PID_LABEL}=${process.pid}`,
      '--env',
      `BENCH_NAME=${name}`,
      '--volume',
      `${this.flagsDir}:${FLAGS_IN_CONTAINER}`,
      '--health-cmd',
      `test ! -f ${FLAGS_IN_CONTAINER}/$BENCH_NAME`,
      '--health-interval',
      `${this.healthIntervalS}s`,
      '--health-retries',
      '1',
      // The check answers at once; a generous timeout keeps a busy engine's slow exec from
      // failing it (which would make the whole fleet unhealthy on a loaded machine).
      '--health-timeout',
      '10s',
      TEST_IMAGE,
      'sh',
      '-c',
      script,
    ]);
    return { id, name };
  }

  /** Makes the first `count` containers unhealthy at their next health tick. */
  makeSick(count: number): BenchContainer[] {
    const burst = this.containers.slice(0, count);
    for (const c of burst) writeFileSync(join(this.flagsDir, c.name), '');
    return burst;
  }

  /** Clears every flag (a container still unhealthy after a contender gave up recovers). */
  clearFlags(): void {
    for (const c of this.containers) {
      try {
        unlinkSync(join(this.flagsDir, c.name));
      } catch {
        // not sick
      }
    }
  }

  /** How many of the first `count` containers are running and healthy now. */
  async healthyCount(count = this.containers.length): Promise<number> {
    const filters = encodeURIComponent(
      JSON.stringify({ label: [`${this.labelKey}=true`], health: ['healthy'] }),
    );
    const reply = await engineRequest('GET', `/containers/json?filters=${filters}`);
    const ids = new Set((JSON.parse(reply.body) as { Id: string }[]).map((c) => c.Id));
    return this.containers.slice(0, count).filter((c) => ids.has(c.id)).length;
  }

  /** Waits until the first `count` containers are healthy (each start takes a health tick). */
  async waitHealthy(count = this.containers.length, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let healthy = 0;
    while (Date.now() < deadline) {
      healthy = await this.healthyCount(count);
      if (healthy >= count) return;
      await sleep(250);
    }
    throw new Error(`only ${healthy} of ${count} bench containers turned healthy within ${timeoutMs} ms`);
  }

  async remove(): Promise<void> {
    const ids = this.containers.splice(0).map((c) => c.id);
    for (let i = 0; i < ids.length; i += 50) {
      await docker(['rm', '-f', '-v', ...ids.slice(i, i + 50)], 120_000).catch(() => undefined);
    }
    rmSync(this.flagsDir, { recursive: true, force: true });
  }
}

/** Removes bench and test containers left by runs whose process is gone. */
export async function removeBenchLeftovers(): Promise<number> {
  return removeLeftovers();
}
