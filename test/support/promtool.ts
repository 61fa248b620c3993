/**
 * `promtool check metrics`, the Prometheus project's own linter of the text exposition
 * format. A missing promtool fails the test with the tool and its install command
 * (`promtoolCommand`, test-tools.ts).
 */
import { spawn } from 'node:child_process';
import { promtoolCommand } from './test-tools.js';

/** What promtool says about a metrics text; `ok` is false when it found any problem. */
export async function promtoolCheckMetrics(text: string): Promise<{ ok: boolean; output: string }> {
  const child = spawn(await promtoolCommand(), ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
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
