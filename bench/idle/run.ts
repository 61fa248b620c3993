/**
 * The idle benchmark: autoheal with default settings watching a fleet of healthy
 * containers for a while: its CPU share, its peak RSS, and the engine calls it makes, per
 * minute and per API request (counted by a proxy between autoheal and the engine).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { sleep } from '../../test/support/docker-fixtures.js';
import { AutohealChild, processStats } from '../lib/autoheal-child.js';
import { BenchFleet } from '../lib/containers.js';
import { CountingProxy } from '../lib/counting-proxy.js';
import { LoadSampler } from '../lib/machine.js';

export interface IdleResult {
  containers: number;
  durationS: number;
  /** autoheal's CPU time over the window, as a share of one core, %. */
  cpuPercent: number;
  /** Highest RSS sampled during the window, MiB. */
  peakRssMiB: number;
  /** The kernel's high-water mark since autoheal started (start-up included), MiB. */
  hwmMiB: number;
  engineCallsPerMin: number;
  engineCallsByShape: Record<string, number>;
  /** Engine calls made while serving API requests, per request, by route. */
  engineCallsPerApiRequest: Record<string, number>;
  load1: { min: number; max: number; mean: number };
}

/** Healthy containers report nothing on a check that stays healthy; 30 s keeps the engine quiet. */
export const IDLE_HEALTH_INTERVAL_S = 30;
const API_ROUTES = ['/api/containers', '/api/events?limit=100', '/api/health'];
const API_REQUESTS_PER_ROUTE = 20;

function get(url: URL): Promise<void> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', reject);
  });
}

export async function runIdle(
  containers: number,
  durationS: number,
  log: (l: string) => void,
  /** The fleet's healthcheck interval (a container is healthy only after its first check). */
  healthIntervalS = IDLE_HEALTH_INTERVAL_S,
): Promise<IdleResult> {
  const labelKey = `autoheal-bench.${randomBytes(4).toString('hex')}`;
  const fleet = new BenchFleet(labelKey, healthIntervalS);
  const proxy = new CountingProxy();
  const autoheal = new AutohealChild(labelKey, { DOCKER_SOCK: proxy.socketPath });
  try {
    log(`idle: creating ${containers} containers`);
    await fleet.grow(containers);
    await fleet.waitHealthy(containers, 300_000);
    await proxy.listen();
    await autoheal.start();
    await autoheal.waitMonitored(containers, 120_000);
    // Let the start-up reconcile and its audit write settle before the window opens.
    await sleep(3000);
    log(`idle: watching autoheal with ${containers} containers for ${durationS} s`);
    const load = new LoadSampler();
    load.start();
    const from = Date.now();
    const before = await processStats(autoheal.pid);
    let peakRssKiB = before.rssKiB;
    const end = from + durationS * 1000;
    while (Date.now() < end) {
      await sleep(Math.min(500, end - Date.now()));
      peakRssKiB = Math.max(peakRssKiB, (await processStats(autoheal.pid)).rssKiB);
    }
    const to = Date.now();
    const after = await processStats(autoheal.pid);
    const calls = proxy.countBetween(from, to);
    const total = Object.values(calls).reduce((a, b) => a + b, 0);

    const perRequest: Record<string, number> = {};
    for (const route of API_ROUTES) {
      const url = new URL(route, autoheal.apiUrl ?? '');
      const t0 = Date.now();
      for (let i = 0; i < API_REQUESTS_PER_ROUTE; i += 1) await get(url);
      await sleep(50);
      const made = Object.values(proxy.countBetween(t0, Date.now())).reduce((a, b) => a + b, 0);
      perRequest[route] = made / API_REQUESTS_PER_ROUTE;
    }
    return {
      containers,
      durationS: (to - from) / 1000,
      cpuPercent: ((after.cpuS - before.cpuS) / ((to - from) / 1000)) * 100,
      peakRssMiB: peakRssKiB / 1024,
      hwmMiB: after.hwmKiB / 1024,
      engineCallsPerMin: total / ((to - from) / 60_000),
      engineCallsByShape: calls,
      engineCallsPerApiRequest: perRequest,
      load1: load.stop(),
    };
  } finally {
    await autoheal.stop();
    await proxy.close();
    await fleet.remove();
  }
}
