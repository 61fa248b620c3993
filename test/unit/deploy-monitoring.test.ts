/**
 * The Prometheus rules and the Grafana dashboard in deploy/: promtool accepts the rules and
 * their unit tests pass (each alert fires on the series it is about), every dashboard query
 * parses as PromQL, and every metric they name is one autoheal exports. promtool comes from
 * Debian's `prometheus` package (scripts/provision-test-tools.sh); without it these tests
 * fail and say so.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/autoheal-process.js';
import { promtoolCommand } from '../support/test-tools.js';

const execFileAsync = promisify(execFile);
const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy', 'prometheus');
const DASHBOARD = join(REPO_ROOT, 'deploy', 'grafana', 'autoheal.json');

async function promtool(args: string[], cwd = PROMETHEUS_DIR): Promise<string> {
  // A missing promtool fails here, naming it and its install command.
  const command = await promtoolCommand();
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd, timeout: 60_000 });
    return stdout + stderr;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

interface Panel {
  title: string;
  targets: { expr: string }[];
}

function dashboardExprs(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] };
  return dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
}

/** Every .ts file under src/, as one text. */
function sourceText(dir = join(REPO_ROOT, 'src')): string {
  return readdirSync(dir)
    .map((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory()
        ? sourceText(path)
        : name.endsWith('.ts')
          ? readFileSync(path, 'utf8')
          : '';
    })
    .join('\n');
}

describe('deploy/prometheus and deploy/grafana', () => {
  it('promtool accepts the alerting rules', async () => {
    const out = await promtool(['check', 'rules', 'alerts.yml']);
    expect(out).toContain('SUCCESS');
  });

  it('each alert fires on the series it is about (promtool test rules)', async () => {
    const out = await promtool(['test', 'rules', 'alerts.test.yml']);
    expect(out).toContain('SUCCESS');
  });

  it('every dashboard query is valid PromQL', async () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(5);
    // Grafana's variables replaced by what they stand for, each query a recording rule.
    const rules = exprs.map(({ expr }, i) => ({
      record: `dashboard:query_${i}`,
      expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$host', '.*'),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'autoheal-dashboard-'));
    writeFileSync(join(dir, 'rules.yml'), JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const out = await promtool(['check', 'rules', 'rules.yml'], dir);
    expect(out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('names only metrics autoheal exports', () => {
    const src = sourceText();
    const used = new Set<string>();
    const texts = [
      readFileSync(join(PROMETHEUS_DIR, 'alerts.yml'), 'utf8'),
      ...dashboardExprs().map((e) => e.expr),
    ];
    for (const text of texts) {
      for (const [name] of text.matchAll(/\bautoheal_[a-z_]+/g))
        used.add(name.replace(/_(bucket|sum|count)$/, ''));
    }
    expect(used.size).toBeGreaterThan(8);
    const missing = [...used].filter((name) => !src.includes(`'${name}'`));
    expect(missing, 'metric names used in deploy/ but not exported by src/').toEqual([]);
  });
});
