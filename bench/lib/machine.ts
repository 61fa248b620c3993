/** What the figures were measured on, and how busy the machine was meanwhile. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  docker: string;
  /** 1, 5 and 15 minute load averages when the run started. */
  loadavgAtStart: number[];
}

function dockerVersion(): string {
  try {
    return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    docker: dockerVersion(),
    loadavgAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Samples the 1-minute load average every few seconds, for the JSON next to each figure. */
export class LoadSampler {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  start(everyMs = 5000): void {
    this.samples.push(os.loadavg()[0] ?? 0);
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0] ?? 0), everyMs);
    this.timer.unref();
  }

  stop(): { min: number; max: number; mean: number } {
    clearInterval(this.timer);
    this.samples.push(os.loadavg()[0] ?? 0);
    const mean = this.samples.reduce((a, b) => a + b, 0) / this.samples.length;
    const r = (x: number) => Math.round(x * 100) / 100;
    return { min: r(Math.min(...this.samples)), max: r(Math.max(...this.samples)), mean: r(mean) };
  }
}
