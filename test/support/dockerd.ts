/**
 * Stops and starts the local Docker engine for the engine-restart scenario. dockerd is
 * found through /proc (no procps needed) and started again by scripts/start-dockerd.sh,
 * exactly as scripts/provision-docker.sh starts it.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './autoheal-process.js';
import { sleep } from './docker-fixtures.js';

const execFileAsync = promisify(execFile);

/** Pids of the processes named `dockerd` on this machine. */
export async function dockerdPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = (await readFile(join('/proc', entry, 'comm'), 'utf8')).trim();
      if (comm === 'dockerd') pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERMs every dockerd and waits until they are gone. Rejects when there is none. */
export async function stopDockerd(timeoutMs = 60_000): Promise<void> {
  const pids = await dockerdPids();
  if (pids.length === 0) {
    throw new Error('no dockerd process runs on this machine, so this scenario cannot stop and restart it');
  }
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline)
      throw new Error(`dockerd (pid ${pids.join(', ')}) did not exit within ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Starts dockerd as scripts/provision-docker.sh does; a no-op when the engine answers. */
export async function startDockerd(): Promise<void> {
  const script = join(REPO_ROOT, 'scripts', 'start-dockerd.sh');
  try {
    await execFileAsync('bash', [script], { cwd: REPO_ROOT, timeout: 120_000 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(`${script} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}
