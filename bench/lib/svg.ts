/**
 * Plots for docs/BENCHMARKS.md, written by the bench itself as plain SVG text: a grouped bar
 * chart on a logarithmic axis (reaction times span milliseconds to minutes). Hand-written
 * because the one chart needed is ~100 lines, while a charting library would pull a DOM or
 * a canvas into a dev tool that must run on a bare CI machine.
 */

export interface BarSeries {
  name: string;
  color: string;
  /** One value per group; null draws no bar (the contender did not finish). */
  values: readonly (number | null)[];
  /** Optional [low, high] per group, drawn as a whisker (e.g. p10..p90). */
  ranges?: readonly ([number, number] | null)[];
}

export interface BarChart {
  title: string;
  /** Unit of the values, used on the axis labels: `ms`. */
  unit: 'ms';
  groups: readonly string[];
  series: readonly BarSeries[];
}

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { top: 48, right: 170, bottom: 48, left: 72 };

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `1 ms`, `10 ms`, `1 s`, `1 min` for an axis tick. */
export function tickLabel(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000) return `${ms / 1000} s`;
  return `${ms} ms`;
}

/** Powers of ten covering [min, max] (at least one decade). */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-3)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, 1e-3))));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += 1) ticks.push(10 ** e);
  return ticks;
}

export function barChartSvg(chart: BarChart): string {
  const all: number[] = [];
  for (const s of chart.series) {
    for (const v of s.values) if (v !== null && v > 0) all.push(v);
    for (const r of s.ranges ?? []) if (r) all.push(...r.filter((x) => x > 0));
  }
  const ticks = logTicks(all.length ? Math.min(...all) : 1, all.length ? Math.max(...all) : 10);
  const lo = Math.log10(ticks[0] as number);
  const hi = Math.log10(ticks.at(-1) as number);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (v: number) =>
    MARGIN.top + plotH - ((Math.log10(Math.max(v, ticks[0] as number)) - lo) / (hi - lo)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12" role="img" aria-label="${escapeXml(chart.title)}">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  );
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${ty}" y2="${ty}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(tickLabel(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
  );
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = (groupW * 0.7) / Math.max(1, chart.series.length);
  chart.groups.forEach((group, g) => {
    const gx = MARGIN.left + g * groupW;
    out.push(
      `<text x="${(gx + groupW / 2).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
    chart.series.forEach((s, i) => {
      const x = gx + groupW * 0.15 + i * barW;
      const v = s.values[g] ?? null;
      if (v === null || !Number.isFinite(v)) {
        out.push(
          `<text x="${(x + barW / 2).toFixed(1)}" y="${MARGIN.top + plotH - 4}" text-anchor="middle" font-size="10">n/a</text>`,
        );
        return;
      }
      const top = y(v);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(MARGIN.top + plotH - top).toFixed(1)}" fill="${escapeXml(s.color)}"><title>${escapeXml(`${s.name}, ${group}: ${Math.round(v)} ms`)}</title></rect>`,
      );
      const r = s.ranges?.[g];
      if (r) {
        const cx = (x + (barW - 2) / 2).toFixed(1);
        out.push(
          `<line x1="${cx}" x2="${cx}" y1="${y(r[1]).toFixed(1)}" y2="${y(r[0]).toFixed(1)}" stroke="#222"/>`,
        );
      }
    });
  });
  chart.series.forEach((s, i) => {
    const ly = MARGIN.top + 10 + i * 20;
    const lx = WIDTH - MARGIN.right + 16;
    out.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${escapeXml(s.color)}"/>`,
      `<text x="${lx + 18}" y="${ly + 1}">${escapeXml(s.name)}</text>`,
    );
  });
  out.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" text-anchor="middle">containers made unhealthy at once</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.unit)} (log scale)</text>`,
    '</svg>',
    '',
  );
  return out.join('\n');
}
