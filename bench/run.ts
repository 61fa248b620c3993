/**
 * `npm run bench -- --smoke|--quick|--full [--only reaction,...] [--bursts 1x5,20x1]`: runs the
 * benchmark sections one after another (never two at once: they share the machine), writes
 * bench/results/<mode>-<time>.json and the plots, and after a full run rewrites the figures
 * of docs/BENCHMARKS.md. Prints the target verdicts; never fails on a figure, only when a
 * section cannot run (which is what the CI smoke run checks).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, OWNER_LABEL, OWNER_VALUE, PID_LABEL } from '../test/support/docker-fixtures.js';
import { runIdle } from './idle/run.js';
import { killAutoheals, REPO_ROOT } from './lib/autoheal-child.js';
import { removeBenchLeftovers } from './lib/containers.js';
import { machineInfo } from './lib/machine.js';
import { runPipeline } from './pipeline/run.js';
import { runReaction } from './reaction/run.js';
import {
  allRestartedSvg,
  type BenchResults,
  evaluateTargets,
  figuresMarkdown,
  type Mode,
  reactionSvg,
} from './report.js';
import { runApiLatency, runStoreAt } from './store/run.js';

const SECTIONS = ['reaction', 'pipeline', 'store', 'idle'] as const;
type Section = (typeof SECTIONS)[number];

interface Plan {
  bursts: { size: number; rounds: number }[];
  pipelineEvents: number;
  storeHistories: number[];
  apiSeconds: number;
  idleContainers: number;
  idleSeconds: number;
}

const PLANS: Record<Mode, Plan> = {
  // Checks that every section still runs, in well under a minute on an idle machine.
  smoke: {
    bursts: [{ size: 1, rounds: 1 }],
    pipelineEvents: 5_000,
    storeHistories: [5_000],
    apiSeconds: 1,
    idleContainers: 2,
    idleSeconds: 3,
  },
  quick: {
    bursts: [
      { size: 1, rounds: 5 },
      { size: 20, rounds: 1 },
      { size: 50, rounds: 1 },
    ],
    pipelineEvents: 200_000,
    storeHistories: [5_000, 100_000],
    apiSeconds: 10,
    idleContainers: 50,
    idleSeconds: 20,
  },
  full: {
    bursts: [
      { size: 1, rounds: 15 },
      { size: 20, rounds: 3 },
      { size: 50, rounds: 3 },
    ],
    pipelineEvents: 200_000,
    storeHistories: [5_000, 100_000, 1_000_000],
    apiSeconds: 20,
    idleContainers: 200,
    idleSeconds: 60,
  },
};

const FIGURES_START = '<!-- bench:figures:start -->';
const FIGURES_END = '<!-- bench:figures:end -->';

function usage(message: string): never {
  process.stderr.write(
    `bench: ${message}\nusage: npm run bench -- --smoke|--quick|--full [--only ${SECTIONS.join(',')}] [--bursts 1x5,20x1]\n`,
  );
  process.exit(2);
}

/** `1x5,20x1`: bursts of 1 container, 5 rounds, and of 20, 1 round. */
function parseBursts(text: string): { size: number; rounds: number }[] {
  return text.split(',').map((part) => {
    const m = /^(\d+)x(\d+)$/.exec(part.trim());
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
      usage(`--bursts takes <size>x<rounds>[,...], e.g. 1x5,20x1 (got ${text})`);
    return { size: Number(m[1]), rounds: Number(m[2]) };
  });
}

function parseArgs(argv: string[]): {
  mode: Mode;
  only: Section[];
  bursts: { size: number; rounds: number }[] | null;
} {
  let mode: Mode | null = null;
  let only: Section[] = [...SECTIONS];
  let bursts: { size: number; rounds: number }[] | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--smoke' || a === '--quick' || a === '--full') {
      if (mode !== null) usage('give one mode only');
      mode = a.slice(2) as Mode;
    } else if (a === '--only') {
      const list = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = list.filter((s) => !(SECTIONS as readonly string[]).includes(s));
      if (list.length === 0 || bad.length)
        usage(`--only takes sections among ${SECTIONS.join(', ')} (got ${list.join(',') || 'nothing'})`);
      only = list as Section[];
    } else if (a === '--bursts') {
      bursts = parseBursts(argv[++i] ?? '');
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  return { mode: mode ?? usage('give a mode'), only, bursts };
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return 'unknown';
  }
}

const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

/** An interrupted run ends its autoheals and removes its containers before exiting. */
function cleanUpOnSignal(): void {
  const handler = (signal: NodeJS.Signals) => {
    log(`${signal}: removing this run's containers`);
    killAutoheals();
    docker([
      'ps',
      '-aq',
      '--filter',
      `label=${OWNER_LABEL}=${OWNER_VALUE}`,
      '--filter',
      `label=${PID_LABEL}=${process.pid}`,
    ])
      .then((ids) => (ids ? docker(['rm', '-f', '-v', ...ids.split('\n')], 120_000) : ''))
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

async function main(): Promise<void> {
  const { mode, only, bursts } = parseArgs(process.argv.slice(2));
  cleanUpOnSignal();
  const plan = bursts ? { ...PLANS[mode], bursts } : PLANS[mode];
  const started = new Date();
  const results: BenchResults = {
    mode,
    startedAt: started.toISOString(),
    finishedAt: '',
    commit: commit(),
    machine: machineInfo(),
    plan,
    targets: [],
    errors: {},
  };
  log(`bench --${mode}: ${only.join(', ')}; load average ${results.machine.loadavgAtStart.join(' ')}`);
  const removed = await removeBenchLeftovers();
  if (removed) log(`removed ${removed} containers left by aborted runs`);

  const stamp = started.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${mode}-${stamp}.json`);
  /** Written after every section, so an interrupted long run keeps what it measured. */
  const save = () => {
    results.finishedAt = new Date().toISOString();
    results.targets = evaluateTargets(results);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  };

  const attempt = async (section: Section, run: () => Promise<void>) => {
    if (!only.includes(section)) return;
    try {
      await run();
    } catch (err) {
      results.errors[section] = err instanceof Error ? err.message : String(err);
      log(`${section} FAILED: ${results.errors[section]}`);
    }
    save();
  };

  await attempt('reaction', async () => {
    results.reaction = await runReaction({ bursts: plan.bursts, log });
  });
  await attempt('pipeline', async () => {
    log(`pipeline: ${plan.pipelineEvents.toLocaleString('en')} events`);
    results.pipeline = await runPipeline(plan.pipelineEvents);
    log(
      `pipeline: ${Math.round(results.pipeline.eventsPerS)} events/s (received in ${results.pipeline.receiveMs.toFixed(0)} ms, handled in ${results.pipeline.elapsedMs.toFixed(0)} ms), ${Math.round(results.pipeline.eventsPerCpuS)} events per CPU second (GC ${results.pipeline.gcMs.toFixed(0)} ms), peak RSS ${results.pipeline.peakRssMiB.toFixed(0)} MiB (${results.pipeline.rssBeforeMiB.toFixed(0)} MiB before), ${results.pipeline.intakeDropped} merged or dropped; load ${results.pipeline.load1.mean}`,
    );
  });
  await attempt('store', async () => {
    results.store = [];
    for (const history of plan.storeHistories) {
      log(`store: ${history.toLocaleString('en')} events of history`);
      try {
        const s = await runStoreAt(history, undefined, history >= 1_000_000 ? 10 * 60_000 : 5 * 60_000);
        results.store.push(s);
        log(
          `store: ${Math.round(s.appendsPerS)} appends/s, blocked per write max ${s.blockedPerWriteCpuMs.max.toFixed(1)} ms CPU (${s.blockedPerWriteMs.max.toFixed(1)} ms wall)`,
        );
      } catch (err) {
        // One history size that cannot finish (1M on a slow disk) must not hide the others.
        results.errors[`store ${history}`] = err instanceof Error ? err.message : String(err);
        log(`store ${history} FAILED: ${results.errors[`store ${history}`]}`);
      }
    }
    log('store: GET /api/events?limit=100, 20 clients');
    results.api = await runApiLatency(5_000, plan.apiSeconds * 1000);
    log(
      `store: api p50 ${results.api.latencyMs.p50.toFixed(1)} ms, p99 ${results.api.latencyMs.p99.toFixed(1)} ms`,
    );
  });
  await attempt('idle', async () => {
    results.idle = await runIdle(plan.idleContainers, plan.idleSeconds, log);
    log(
      `idle: CPU ${results.idle.cpuPercent.toFixed(2)} %, peak RSS ${results.idle.hwmMiB.toFixed(0)} MiB, ${results.idle.engineCallsPerMin.toFixed(1)} engine calls/min`,
    );
  });

  save();
  log(`results: ${file}`);
  if (results.reaction) {
    const svgDir = mode === 'full' ? join(REPO_ROOT, 'docs', 'benchmarks') : dir;
    const prefix = mode === 'full' ? '' : `${mode}-${stamp}-`;
    mkdirSync(svgDir, { recursive: true });
    writeFileSync(join(svgDir, `${prefix}reaction-latency.svg`), reactionSvg(results));
    writeFileSync(join(svgDir, `${prefix}all-restarted.svg`), allRestartedSvg(results));
  }
  if (mode === 'full') {
    const doc = join(REPO_ROOT, 'docs', 'BENCHMARKS.md');
    const text = readFileSync(doc, 'utf8');
    const a = text.indexOf(FIGURES_START);
    const b = text.indexOf(FIGURES_END);
    if (a !== -1 && b > a) {
      writeFileSync(
        doc,
        `${text.slice(0, a + FIGURES_START.length)}\n${figuresMarkdown(results)}\n${text.slice(b)}`,
      );
      log(`figures written into ${doc}`);
    }
  }
  for (const t of results.targets) {
    log(
      `target ${t.met === null ? '-     ' : t.met ? 'met   ' : 'MISSED'} ${t.name}: ${t.measured} (want ${t.want})`,
    );
  }
  const failed = Object.keys(results.errors);
  if (failed.length) {
    log(`sections that could not run: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
