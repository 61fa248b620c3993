/**
 * The pipeline benchmark: a flood of synthetic engine events, written as fast as a unix
 * socket takes them by a fake engine in this process, through autoheal's parse → dedupe →
 * enrol → decide in a child process (pipeline/worker.ts).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { FakeEngineServer, until } from '../../test/support/fake-engine-server.js';
import type { PipelineWorkerResult } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
/** How many distinct containers the flood is about. */
const CONTAINERS = 2000;
/** The life of a container, in the engine's words, repeated. */
const CYCLE = ['start', 'health_status: healthy', 'health_status: unhealthy', 'die'] as const;

/** Event `i` of the flood, as the engine writes it (one line). */
export function syntheticEvent(i: number, label: string, ids: readonly string[]): string {
  const c = i % ids.length;
  const action = CYCLE[Math.floor(i / ids.length) % CYCLE.length] as string;
  const id = ids[c] as string;
  const timeNano = 1_700_000_000_000_000_000n + BigInt(i) * 1000n;
  const attributes: Record<string, string> = { image: 'bench', name: `bench-${c}`, [label]: 'true' };
  if (action === 'die') attributes.exitCode = '137';
  return `${JSON.stringify({
    status: action,
    id,
    from: 'bench',
    Type: 'container',
    Action: action,
    Actor: { ID: id, Attributes: attributes },
    scope: 'local',
    time: Number(timeNano / 1_000_000_000n),
  }).slice(0, -1)},"timeNano":${timeNano}}\n`;
}

export async function runPipeline(events: number): Promise<PipelineWorkerResult> {
  const label = `bench.${randomBytes(3).toString('hex')}`;
  const ids = Array.from({ length: CONTAINERS }, () => randomBytes(32).toString('hex'));
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
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const result = new Promise<PipelineWorkerResult>((resolve, reject) => {
      child.on('message', (m: { result?: PipelineWorkerResult }) => {
        if (m.result) resolve(m.result);
      });
      child.once('exit', (code) =>
        reject(new Error(`the pipeline worker exited with code ${code} before reporting`)),
      );
    });
    // Until it is awaited below, an early exit must not count as an unhandled rejection.
    result.catch(() => {});
    await until(() => engine.streams.length > 0, 30_000, 'the pipeline worker to open the event stream');
    const stream = engine.streams.at(-1);
    if (!stream) throw new Error('no event stream');
    for (const chunk of chunks) {
      if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', () => r()));
    }
    return await result;
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
