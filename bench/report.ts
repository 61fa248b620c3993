/**
 * Turns a run's results into what people read: the target verdicts, the figures table of
 * docs/BENCHMARKS.md and the SVG plots. Pure functions of the results.
 */
import type { IdleResult } from './idle/run.js';
import type { MachineInfo } from './lib/machine.js';
import { formatMs, formatRatio, ratio } from './lib/stats.js';
import { type BarChart, barChartSvg } from './lib/svg.js';
import type { PipelineResult } from './pipeline/run.js';
import type { ContenderName } from './reaction/contenders.js';
import type { BurstSummary } from './reaction/run.js';
import type { ApiLatencyResult } from './store/run.js';
import type { StoreWorkerResult } from './store/worker.js';

export type Mode = 'smoke' | 'quick' | 'full';

export interface BenchResults {
  mode: Mode;
  startedAt: string;
  finishedAt: string;
  commit: string;
  machine: MachineInfo;
  /** What was run: bursts and rounds, sizes, durations. */
  plan: object;
  reaction?: { summary: BurstSummary[]; rounds: unknown[] };
  pipeline?: PipelineResult;
  store?: StoreWorkerResult[];
  api?: ApiLatencyResult;
  idle?: IdleResult;
  targets: Target[];
  /** Sections that failed, with why: a bench that breaks says so instead of dropping figures. */
  errors: Record<string, string>;
}

export interface Target {
  name: string;
  want: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

const COLORS: Record<ContenderName, string> = { autoheal: '#2b7bb9', limit: '#7fb800', polling: '#d9534f' };

function burst(results: BenchResults, contender: ContenderName, size: number): BurstSummary | undefined {
  return results.reaction?.summary.find((s) => s.contender === contender && s.burst === size);
}

export function evaluateTargets(r: BenchResults): Target[] {
  const targets: Target[] = [];
  const one = burst(r, 'autoheal', 1);
  const oneLimit = burst(r, 'limit', 1);
  const q1 = ratio(one?.latencyMs.p50, oneLimit?.latencyMs.p50);
  targets.push({
    name: 'one container: reaction p50',
    want: '≤ 1.25× the limit',
    measured: `${formatMs(one?.latencyMs.p50)} vs ${formatMs(oneLimit?.latencyMs.p50)} (${formatRatio(q1)})`,
    met: q1 === null ? null : q1 <= 1.25,
  });
  const fifty = burst(r, 'autoheal', 50);
  const fiftyLimit = burst(r, 'limit', 50);
  const q50 = ratio(fifty?.allRestartedMs, fiftyLimit?.allRestartedMs);
  targets.push({
    name: 'burst of 50: all restarted',
    want: '≤ 1.1× the limit',
    measured: `${formatMs(fifty?.allRestartedMs)} vs ${formatMs(fiftyLimit?.allRestartedMs)} (${formatRatio(q50)})`,
    met: fifty ? (q50 === null ? false : q50 <= 1.1) : null,
  });
  const p = r.pipeline;
  targets.push({
    name: 'pipeline throughput',
    want: '≥ 100,000 events/s',
    measured: p
      ? `${Math.round(p.eventsPerS).toLocaleString('en')} events/s (${p.events.toLocaleString('en')} events; ${Math.round(p.eventsPerCpuS).toLocaleString('en')} per CPU second; load ${p.load1.mean})`
      : 'n/a',
    met: p && p.events >= 200_000 ? p.eventsPerS >= 100_000 : null,
  });
  targets.push({
    name: 'pipeline peak RSS',
    want: '≤ 150 MB in a 200,000-event flood',
    measured: p ? `${p.peakRssMiB.toFixed(0)} MiB` : 'n/a',
    met: p && p.events >= 200_000 ? p.peakRssMiB * 1.048576 <= 150 : null,
  });
  const idle = r.idle;
  const idleFull = idle !== undefined && idle.containers >= 200 && idle.durationS >= 55;
  targets.push({
    name: 'idle: CPU',
    want: '< 0.5 % with 200 containers over 60 s',
    measured: idle
      ? `${idle.cpuPercent.toFixed(2)} % (${idle.containers} containers, ${idle.durationS.toFixed(0)} s)`
      : 'n/a',
    met: idleFull ? idle.cpuPercent < 0.5 : null,
  });
  targets.push({
    name: 'idle: peak RSS',
    want: '< 100 MB',
    measured: idle
      ? `${idle.peakRssMiB.toFixed(0)} MiB in the window, ${idle.hwmMiB.toFixed(0)} MiB since start`
      : 'n/a',
    met: idleFull ? idle.hwmMiB * 1.048576 < 100 : null,
  });
  const perApi = idle ? Math.max(...Object.values(idle.engineCallsPerApiRequest)) : null;
  targets.push({
    name: 'engine calls per API request',
    want: 'none',
    measured: idle
      ? Object.entries(idle.engineCallsPerApiRequest)
          .map(([k, v]) => `${k}: ${v.toFixed(2)}`)
          .join(', ')
      : 'n/a',
    met: perApi === null ? null : perApi < 0.5,
  });
  // Judged on the CPU time of the stall: on a loaded machine the wall time also counts the
  // time the process waited for a core, which is not the write's doing.
  const worst = r.store?.length ? Math.max(...r.store.map((s) => s.blockedPerWriteCpuMs.max)) : null;
  targets.push({
    name: 'store: one write blocks the event loop',
    want: '≤ 5 ms at any history size (CPU time of the stall)',
    measured: r.store?.length
      ? r.store
          .map(
            (s) =>
              `${s.history.toLocaleString('en')}: ${s.blockedPerWriteCpuMs.max.toFixed(1)} ms CPU (${s.blockedPerWriteMs.max.toFixed(1)} ms wall)`,
          )
          .join(', ')
      : 'n/a',
    met: worst === null ? null : worst <= 5,
  });
  return targets;
}

function mark(met: boolean | null): string {
  return met === null ? '–' : met ? 'met' : '**missed**';
}

/** The markdown that docs/BENCHMARKS.md shows between its figure markers. */
export function figuresMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines: string[] = [
    `Run: \`npm run bench -- --${r.mode}\`, ${r.startedAt} → ${r.finishedAt}, commit \`${r.commit}\`; plan \`${JSON.stringify(r.plan)}\`.`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Docker ${m.docker}; load average at start ${m.loadavgAtStart.join(' / ')}.`,
    '',
    '### Targets',
    '',
    '| target | wanted | measured | |',
    '|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.want} | ${t.measured} | ${mark(t.met)} |`),
    '',
  ];
  if (r.reaction) {
    lines.push(
      '### Reaction (engine time: `health_status: unhealthy` → `kill`)',
      '',
      '| burst | contender | rounds | p50 | p90 | max | all restarted (median of rounds) | fewest restarted in a round | p50 / limit | all / limit |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const s of r.reaction.summary) {
      const limit = burst(r, 'limit', s.burst);
      lines.push(
        `| ${s.burst} | ${s.contender} | ${s.rounds} | ${formatMs(s.latencyMs.p50)} | ${formatMs(s.latencyMs.p90)} | ${formatMs(s.latencyMs.max)} | ${formatMs(s.allRestartedMs)} | ${s.minRestarted} of ${s.burst} | ${formatRatio(ratio(s.latencyMs.p50, limit?.latencyMs.p50))} | ${formatRatio(ratio(s.allRestartedMs, limit?.allRestartedMs))} |`,
      );
    }
    lines.push('', '![Reaction latency per burst size](benchmarks/reaction-latency.svg)', '');
    lines.push('![Time until the whole burst is restarted](benchmarks/all-restarted.svg)', '');
  }
  if (r.pipeline) {
    const p = r.pipeline;
    lines.push(
      '### Pipeline (fake engine on a unix socket → parse → dedupe → enrol → decide)',
      '',
      `${p.events.toLocaleString('en')} events in ${formatMs(p.elapsedMs)}: **${Math.round(p.eventsPerS).toLocaleString('en')} events/s**, ${Math.round(p.eventsPerCpuS).toLocaleString('en')} events per CPU second (${formatMs(p.cpuMs)} of CPU, ${formatMs(p.gcMs)} of it in garbage collection pauses), peak RSS ${p.peakRssMiB.toFixed(0)} MiB (${p.rssBeforeMiB.toFixed(0)} MiB before the flood, the fleet enrolled); ${p.restarts.toLocaleString('en')} restarts decided, ${p.intakeDropped.toLocaleString('en')} events coalesced or dropped by the intake; load average ${p.load1.min}–${p.load1.max} meanwhile.`,
      '',
    );
  }
  if (r.store?.length) {
    lines.push(
      '### Store',
      '',
      '| history | seed | sustained appends/s | longest stall while appending | blocked per write, wall p50 / max | blocked per write, CPU p50 / max | on disk |',
      '|---|---|---|---|---|---|---|',
      ...r.store.map(
        (s) =>
          `| ${s.history.toLocaleString('en')} | ${formatMs(s.seedMs)} | ${Math.round(s.appendsPerS).toLocaleString('en')} | ${formatMs(s.sustainedMaxBlockedMs)} | ${formatMs(s.blockedPerWriteMs.p50)} / ${formatMs(s.blockedPerWriteMs.max)} | ${formatMs(s.blockedPerWriteCpuMs.p50)} / ${formatMs(s.blockedPerWriteCpuMs.max)} | ${s.fileMiB === null ? 'n/a' : `${s.fileMiB.toFixed(1)} MiB`} |`,
      ),
      '',
    );
  }
  if (r.api) {
    const a = r.api;
    lines.push(
      `\`GET /api/events?limit=100\` with ${a.history.toLocaleString('en')} events of history, ${a.clients} concurrent clients: p50 ${formatMs(a.latencyMs.p50)}, p99 ${formatMs(a.latencyMs.p99)}, ${Math.round(a.requestsPerS)} requests/s (${a.requests} requests).`,
      '',
    );
  }
  if (r.idle) {
    const i = r.idle;
    lines.push(
      '### Idle',
      '',
      `${i.containers} healthy monitored containers, ${i.durationS.toFixed(0)} s: CPU ${i.cpuPercent.toFixed(2)} % of one core, peak RSS ${i.peakRssMiB.toFixed(0)} MiB (${i.hwmMiB.toFixed(0)} MiB since start), ${i.engineCallsPerMin.toFixed(1)} engine calls per minute (${Object.entries(
        i.engineCallsByShape,
      )
        .map(([k, v]) => `\`${k}\` ×${v}`)
        .join(', ')}).`,
      '',
    );
  }
  const errors = Object.entries(r.errors);
  if (errors.length) {
    lines.push('### Sections that failed', '', ...errors.map(([k, v]) => `- ${k}: ${v.split('\n')[0]}`), '');
  }
  return lines.join('\n');
}

function chart(
  r: BenchResults,
  title: string,
  pick: (s: BurstSummary) => number | null,
  withRange: boolean,
): string {
  const sizes = [...new Set(r.reaction?.summary.map((s) => s.burst) ?? [])].sort((a, b) => a - b);
  const contenders = [...new Set(r.reaction?.summary.map((s) => s.contender) ?? [])];
  const c: BarChart = {
    title,
    unit: 'ms',
    groups: sizes.map((s) => (s === 1 ? '1 container' : `${s} containers`)),
    series: contenders.map((name) => ({
      name,
      color: COLORS[name],
      values: sizes.map((size) => {
        const s = burst(r, name, size);
        return s ? pick(s) : null;
      }),
      ranges: withRange
        ? sizes.map((size) => {
            const s = burst(r, name, size);
            return s && s.latencyMs.n > 0 ? ([s.latencyMs.min, s.latencyMs.p90] as [number, number]) : null;
          })
        : undefined,
    })),
  };
  return barChartSvg(c);
}

export function reactionSvg(r: BenchResults): string {
  return chart(
    r,
    'Reaction: unhealthy → kill, p50 (whisker: min..p90)',
    (s) => (s.latencyMs.n ? s.latencyMs.p50 : null),
    true,
  );
}

export function allRestartedSvg(r: BenchResults): string {
  return chart(r, 'Whole burst restarted (median of rounds)', (s) => s.allRestartedMs, false);
}
