/**
 * The built autoheal (`dist/main.js`) as a child process with default settings, except a
 * unique label key (so it enrolls only the bench's containers), a fresh data directory and
 * a free API port. Reads its JSON log lines to know when it has enrolled the fleet.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../../test/support/docker-fixtures.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const MAIN = join(REPO_ROOT, 'dist', 'main.js');

/** Every autoheal this bench started and has not stopped, so an interrupted run can end them. */
const running = new Set<ChildProcess>();

/** Kills every autoheal the bench started (on SIGINT/SIGTERM of the bench). */
export function killAutoheals(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export class AutohealChild {
  private child: ChildProcess | null = null;
  private dataDir = '';
  /** Containers it said it monitors. */
  monitored = 0;
  apiUrl: string | null = null;
  private readonly tail: string[] = [];
  private exited = false;

  constructor(
    private readonly labelKey: string,
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  get pid(): number {
    if (!this.child?.pid) throw new Error('autoheal is not running');
    return this.child.pid;
  }

  async start(options: { dataDir?: string } = {}): Promise<void> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} does not exist: run \`npm run build\` first`);
    this.dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'autoheal-bench-')));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith('AUTOHEAL_') && k !== 'LOG_LEVEL') env[k] = v;
    }
    Object.assign(env, {
      NODE_ENV: 'production',
      AUTOHEAL_CONTAINER_LABEL: this.labelKey,
      AUTOHEAL_DATA_DIR: this.dataDir,
      AUTOHEAL_API_PORT: '0',
      ...this.extraEnv,
    });
    const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    child.once('exit', () => {
      this.exited = true;
      running.delete(child);
    });
    let pending = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.keep(chunk));
  }

  private keep(line: string): void {
    this.tail.push(line);
    if (this.tail.length > 30) this.tail.shift();
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    this.keep(line);
    let json: { msg?: string; api?: string };
    try {
      json = JSON.parse(line) as typeof json;
    } catch {
      return;
    }
    if (json.msg === 'container monitored') this.monitored += 1;
    if (json.msg === 'autoheal starting' && typeof json.api === 'string') this.apiUrl = json.api;
  }

  /** Waits until autoheal has enrolled `count` containers (and its API listens). */
  async waitMonitored(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.monitored < count || this.apiUrl === null) {
      if (this.exited) throw new Error(`autoheal exited during start-up:\n${this.tail.join('\n')}`);
      if (Date.now() > deadline) {
        throw new Error(
          `autoheal enrolled ${this.monitored} of ${count} containers within ${timeoutMs} ms:\n${this.tail.join('\n')}`,
        );
      }
      await sleep(50);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && !this.exited) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** CPU seconds (user + system) and memory of a process, from /proc (Linux). */
export async function processStats(pid: number): Promise<{ cpuS: number; rssKiB: number; hwmKiB: number }> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces), which ends with ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { cpuS: ticks / 100, rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}
