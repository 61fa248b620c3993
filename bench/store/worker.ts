/**
 * The store under test, alone in its own process: seeded with a history of N audit events
 * through the store's public interface, then measured: sustained appends per second, and
 * the longest event-loop stall during each write (append + flush), which is what one write
 * costs every other thing autoheal does meanwhile. Started by store/run.ts; reports over IPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NewAuditEvent } from '../../src/store/types.js';
import { summarize } from '../lib/stats.js';
import { openStore } from '../lib/store.js';

export interface StoreWorkerResult {
  history: number;
  seedMs: number;
  appendsPerS: number;
  /** The longest stall of the event loop while the sustained appends were written, ms. */
  sustainedMaxBlockedMs: number;
  /** Per write (one append, then flush): the longest event-loop stall, wall clock, ms. */
  blockedPerWriteMs: ReturnType<typeof summarize>;
  /** The same stalls in CPU time of this process, ms (what the write costs on an idle machine). */
  blockedPerWriteCpuMs: ReturnType<typeof summarize>;
  fileMiB: number | null;
}

const history = Number(process.argv[2]);
const keepDir = process.argv[3];
if (!Number.isInteger(history) || history <= 0)
  throw new Error('usage: worker.js <history size> [data dir to keep]');

function event(i: number): NewAuditEvent {
  const c = i % 200;
  return {
    event_type: i % 3 === 0 ? 'restart' : 'unhealthy',
    container_id: `${'0'.repeat(56)}${c.toString(16).padStart(8, '0')}`,
    container_name: `bench-${c}`,
    status: i % 3 === 0 ? 'success' : 'detected',
    message: `bench-${c} is unhealthy: health check failed (event ${i})`,
    details: { trigger: 'event', duration_ms: i % 1000 },
  };
}

interface Stall {
  /** The longest time the event loop did not turn, wall clock. */
  wallMs: number;
  /** CPU time this process used during that stall: the part a busy machine cannot inflate. */
  cpuMs: number;
}

/** Runs `work` and measures the longest stall of the event loop meanwhile. */
async function longestStall(work: () => Promise<void>): Promise<Stall> {
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const longest: Stall = { wallMs: 0, cpuMs: 0 };
  let running = true;
  const tick = () => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    if (now - last > longest.wallMs) {
      longest.wallMs = now - last;
      longest.cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    }
    last = now;
    lastCpu = cpu;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  await new Promise<void>((r) => setImmediate(r));
  tick();
  return longest;
}

const dataDir = keepDir ?? mkdtempSync(join(tmpdir(), 'autoheal-bench-store-'));
const store = await openStore(dataDir, history);
const seedStart = performance.now();
for (let i = 0; i < history; i += 1) {
  store.append(event(i));
  if (i % 10_000 === 9_999) await new Promise<void>((r) => setImmediate(r));
}
await store.flush();
const seedMs = performance.now() - seedStart;

// Sustained appends: batches of 100 per turn of the event loop, the store writing as it does.
const SUSTAINED = Math.min(20_000, Math.max(2_000, history));
let appended = 0;
const t0 = performance.now();
const sustained = await longestStall(async () => {
  while (appended < SUSTAINED) {
    for (let k = 0; k < 100; k += 1) store.append(event(history + appended + k));
    appended += 100;
    await new Promise<void>((r) => setImmediate(r));
  }
  await store.flush();
});
const appendsPerS = SUSTAINED / ((performance.now() - t0) / 1000);

const WRITES = history >= 1_000_000 ? 5 : 20;
const blocked: Stall[] = [];
for (let w = 0; w < WRITES; w += 1) {
  blocked.push(
    await longestStall(async () => {
      store.append(event(w));
      await store.flush();
    }),
  );
}
await store.close();
let fileMiB: number | null = null;
try {
  // Every file of the data directory, the history's segments (in a subdirectory) included.
  const { readdirSync, statSync } = await import('node:fs');
  fileMiB =
    readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).reduce((sum, f) => {
      const st = statSync(join(dataDir, f));
      return st.isFile() ? sum + st.size : sum;
    }, 0) /
    2 ** 20;
} catch {
  fileMiB = null;
}
if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
const result: StoreWorkerResult = {
  history,
  seedMs,
  appendsPerS,
  sustainedMaxBlockedMs: sustained.wallMs,
  blockedPerWriteMs: summarize(blocked.map((b) => b.wallMs)),
  blockedPerWriteCpuMs: summarize(blocked.map((b) => b.cpuMs)),
  fileMiB,
};
process.send?.({ result }, () => process.exit(0));
