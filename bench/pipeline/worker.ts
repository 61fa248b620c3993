/**
 * The pipeline under test, alone in its own process so its peak RSS is its own: autoheal's
 * event source (parse, dedupe) reads a fake engine's socket and hands every event to the
 * real supervisor (enrol, decide, heal against an engine stub that answers at once, audit
 * to the real store). Started by pipeline/run.ts with `fork`; reports over IPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { loadSettings } from '../../src/config/load.js';
import { ContainerMirror, MirroredEngine } from '../../src/engine/container-mirror.js';
import { DockerEventSource } from '../../src/engine/event-source.js';
import type { ContainerSnapshot, Engine } from '../../src/engine/types.js';
import { createRootLogger } from '../../src/log.js';
import { MetricsRegistry } from '../../src/metrics.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { openStore } from '../lib/store.js';
import { containerIds } from './flood.js';

export interface PipelineWorkerResult {
  events: number;
  elapsedMs: number;
  /** First event → last event out of parse and dedupe (the rest is the supervisor's backlog). */
  receiveMs: number;
  eventsPerS: number;
  /** This process's CPU time (user + system) from the first event to the end. */
  cpuMs: number;
  /** Events per second of CPU time: what the pipeline costs, whatever else the machine runs. */
  eventsPerCpuS: number;
  /** Time spent in garbage collection meanwhile. */
  gcMs: number;
  peakRssMiB: number;
  rssBeforeMiB: number;
  parseErrors: number;
  duplicatesDropped: number;
  intakeDropped: number;
  restarts: number;
}

const [socketPath, expectedText, label] = process.argv.slice(2);
const expected = Number(expectedText);
if (!socketPath || !label || !Number.isInteger(expected)) {
  throw new Error('usage: worker.js <socket> <events> <label key>');
}

const dataDir = mkdtempSync(join(tmpdir(), 'autoheal-bench-pipeline-'));
const settings = loadSettings({
  env: { AUTOHEAL_CONTAINER_LABEL: label, AUTOHEAL_DATA_DIR: dataDir, DOCKER_SOCK: socketPath },
});
// Default log level (info), written to stdout, which the parent discards: logging is part of the cost.
const root = createRootLogger(settings.logLevel, false);
const store = await openStore(dataDir, settings.eventsMax, root);

let restarts = 0;
const snapshot = (id: string, i: number): ContainerSnapshot => ({
  id,
  name: `bench-${i}`,
  image: 'bench',
  labels: { [label]: 'true' },
  state: 'running',
  health: 'healthy',
});
/**
 * An engine that answers at once: the pipeline, not the engine, is measured. Its list holds
 * the flood's containers (running, healthy), as a real host's would before their events.
 */
const engine: Engine = {
  listContainers: async () => containerIds(label).map(snapshot),
  inspect: async (id): Promise<ContainerSnapshot> => ({
    id,
    name: `c-${id.slice(0, 8)}`,
    image: 'bench',
    labels: { [label]: 'true' },
    state: 'running',
    health: 'unhealthy',
  }),
  restart: async () => {
    restarts += 1;
  },
  stop: async () => {},
  ping: async () => {},
  blueprint: async () => null,
  create: async () => {
    throw new Error('the pipeline bench re-creates nothing');
  },
  rename: async () => {},
  start: async () => {},
  remove: async () => {},
};
// Wired as main.ts wires it: every event reaches the mirror first, and heals read it.
const mirror = new ContainerMirror();
const supervisor = new Supervisor({
  engine: new MirroredEngine(engine, mirror),
  store,
  settings,
  logger: root,
  metrics: new MetricsRegistry(),
  selfId: null,
});
const source = new DockerEventSource({ endpoint: settings.docker, requestTimeoutS: 30, logger: root });

let received = 0;
let firstAt = 0;
let cpuAtFirst: NodeJS.CpuUsage | null = null;
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  if (cpuAtFirst === null) return;
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });
let finish: (() => void) | null = null;
const allReceived = new Promise<void>((resolve) => {
  finish = resolve;
});
supervisor.start();
source.start({
  onEvent: (event) => {
    if (received === 0) {
      firstAt = performance.now();
      cpuAtFirst = process.cpuUsage();
    }
    received += 1;
    mirror.apply(event);
    supervisor.onEngineEvent(event);
    if (received >= expected) finish?.();
  },
  onConnected: (info) => {
    mirror.streamConnected();
    supervisor.onEngineConnected(info);
  },
  onDisconnected: (info) => {
    mirror.streamLost();
    supervisor.onEngineDisconnected(info);
  },
});
// Replayed duplicates never reach onEvent (the flood has none, but the count must end).
const duplicatesCheck = setInterval(() => {
  if (received + source.status().duplicatesDropped >= expected) finish?.();
}, 100);
// The start-up reconcile lists the fleet: it is enrolled and mirrored before the flood.
while (!mirror.trusted) await new Promise((r) => setTimeout(r, 10));
await supervisor.settled();
const rssBefore = process.memoryUsage.rss();
process.send?.({ ready: true });
await allReceived;
clearInterval(duplicatesCheck);
const receiveMs = performance.now() - firstAt;
await supervisor.settled();
const elapsedMs = performance.now() - firstAt;
const cpu = process.cpuUsage(cpuAtFirst ?? undefined);
const cpuMs = (cpu.user + cpu.system) / 1000;
gcObserver.disconnect();
const status = source.status();
const result: PipelineWorkerResult = {
  events: expected,
  elapsedMs,
  receiveMs,
  eventsPerS: expected / (elapsedMs / 1000),
  cpuMs,
  eventsPerCpuS: expected / (cpuMs / 1000),
  gcMs,
  // maxRSS is in KiB on Linux.
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  rssBeforeMiB: rssBefore / 2 ** 20,
  parseErrors: status.parseErrors,
  duplicatesDropped: status.duplicatesDropped,
  intakeDropped: supervisor.queueStatus().dropped,
  restarts,
};
await source.stop();
await supervisor.stop(1000);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
process.send?.({ result }, () => process.exit(0));
