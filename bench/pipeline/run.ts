/**
 * The pipeline benchmark: a flood of synthetic engine events, written as fast as a unix
 * socket takes them by a fake engine in this process, through autoheal's parse → dedupe →
 * enrol → decide in a child process (pipeline/worker.ts).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FakeEngineServer, until } from '../../test/support/fake-engine-server.js';
import { LoadSampler } from '../lib/machine.js';
import { containerIds, syntheticEvent } from './flood.js';
import type { PipelineWorkerResult } from './worker.js';

export interface PipelineResult extends PipelineWorkerResult {
  /** The machine's 1-minute load average while the flood ran. */
  load1: { min: number; max: number; mean: number };
}

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

export async function runPipeline(events: number): Promise<PipelineResult> {
  const label = `bench.${randomBytes(3).toString('hex')}`;
  const ids = containerIds(label);
  // Written before the worker starts, so the flood is not paced by making it.
  const BATCH = 1000;
  const chunks: string[] = [];
  for (let i = 0; i < events; i += BATCH) {
    let chunk = '';
    for (let j = i; j < Math.min(events, i + BATCH); j += 1) chunk += syntheticEvent(j, label, ids);
    chunks.push(chunk);
  }
  const engine = new FakeEngineServer();
  await engine.listen();
  const child = fork(WORKER, [engine.socketPath, String(events), label], {
    execArgv: (process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter(Boolean),
    // BENCH_WORKER_LOG=<file> keeps autoheal's log lines of the flood (to see what it wrote).
    stdio: [
      'ignore',
      process.env.BENCH_WORKER_LOG ? openSync(process.env.BENCH_WORKER_LOG, 'w') : 'ignore',
      'inherit',
      'ipc',
    ],
  });
  try {
    let ready = false;
    const result = new Promise<PipelineWorkerResult>((resolve, reject) => {
      child.on('message', (m: { ready?: boolean; result?: PipelineWorkerResult }) => {
        if (m.ready) ready = true;
        if (m.result) resolve(m.result);
      });
      child.once('exit', (code) =>
        reject(new Error(`the pipeline worker exited with code ${code} before reporting`)),
      );
    });
    // Until it is awaited below, an early exit must not count as an unhandled rejection.
    result.catch(() => {});
    // Ready: the stream is open and the start-up reconcile has enrolled the fleet, as on a
    // host where autoheal runs before the flood.
    await until(() => ready, 60_000, 'the pipeline worker to open the event stream and enrol the fleet');
    const stream = engine.streams.at(-1);
    if (!stream) throw new Error('no event stream');
    const load = new LoadSampler();
    load.start(1000);
    for (const chunk of chunks) {
      if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', () => r()));
    }
    const measured = await result;
    return { ...measured, load1: load.stop() };
  } finally {
    if (child.exitCode === null) {
      // It exits by itself after reporting (and writes a --cpu-prof then); a stuck one is killed.
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await engine.dispose();
  }
}
