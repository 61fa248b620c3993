/**
 * The store benchmark: appends and write stalls at several history sizes (each in its own
 * process), and `GET /api/events?limit=100` latency under 20 concurrent clients against the
 * built autoheal serving a store seeded with the default history cap.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AutohealChild } from '../lib/autoheal-child.js';
import { type Summary, summarize } from '../lib/stats.js';
import type { StoreWorkerResult } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export function runStoreAt(
  history: number,
  keepDir?: string,
  timeoutMs = 30 * 60_000,
): Promise<StoreWorkerResult> {
  const child = fork(WORKER, keepDir ? [String(history), keepDir] : [String(history)], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // A million events of history need more than the default old-space limit.
    execArgv: history >= 1_000_000 ? ['--max-old-space-size=8192'] : [],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the store run with ${history} events did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', (m: { result?: StoreWorkerResult }) => {
      if (!m.result) return;
      clearTimeout(timer);
      resolve(m.result);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the store worker (${history} events) exited with code ${code} before reporting`));
    });
  });
}

export interface ApiLatencyResult {
  history: number;
  clients: number;
  requests: number;
  latencyMs: Summary;
  requestsPerS: number;
}

/** 20 clients, each one request after another over keep-alive, for `durationMs`. */
export async function runApiLatency(
  history: number,
  durationMs: number,
  clients = 20,
): Promise<ApiLatencyResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'autoheal-bench-api-'));
  await runStoreAt(history, dataDir);
  // A label no container has: autoheal serves the API and heals nothing.
  const autoheal = new AutohealChild(`autoheal-bench.${randomBytes(4).toString('hex')}`, {
    AUTOHEAL_EVENTS_MAX: String(history),
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  try {
    await autoheal.start({ dataDir });
    await autoheal.waitMonitored(0);
    const url = new URL('/api/events?limit=100', autoheal.apiUrl ?? '');
    const get = () =>
      new Promise<void>((resolve, reject) => {
        http
          .get(url, { agent }, (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 200 ? resolve() : reject(new Error(`GET ${url} → ${res.statusCode}`)),
            );
          })
          .on('error', reject);
      });
    await get();
    const latencies: number[] = [];
    const end = performance.now() + durationMs;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          const start = performance.now();
          await get();
          latencies.push(performance.now() - start);
        }
      }),
    );
    const elapsedS = (performance.now() - t0) / 1000;
    return {
      history,
      clients,
      requests: latencies.length,
      latencyMs: summarize(latencies),
      requestsPerS: latencies.length / elapsedS,
    };
  } finally {
    agent.destroy();
    await autoheal.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
