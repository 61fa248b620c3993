/**
 * `promtool check metrics`, the Prometheus project's own linter of the text exposition
 * format. It comes from Debian's `prometheus` package; a test that needs it fails, naming
 * the package and the command, when it is missing.
 */
import { spawn, spawnSync } from 'node:child_process';

export const PROMTOOL_INSTALL = 'apt-get install -y --no-install-recommends prometheus';

/** Throws a one-line explanation when promtool is not on the PATH. */
export function requirePromtool(): void {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `promtool is missing (it checks the /metrics output): install Debian's prometheus package with \`${PROMTOOL_INSTALL}\``,
    );
  }
}

/** What promtool says about a metrics text; `ok` is false when it found any problem. */
export async function promtoolCheckMetrics(text: string): Promise<{ ok: boolean; output: string }> {
  requirePromtool();
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  child.stdin.end(text);
  const code = await exit;
  return { ok: code === 0, output: output.trim() };
}
