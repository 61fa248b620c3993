/**
 * Docker engines for the end-to-end scenarios, each targeted by its pidfile: the main
 * engine (started by scripts/start-dockerd.sh, which leaves dockerd's default pidfile
 * /var/run/docker.pid), stopped and started again by the engine-restart scenario; and a
 * second engine started for one test with its own socket, data-root, exec-root, pidfile
 * and bridge, so a test can have two hosts (or a Swarm) without touching the shared one.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './autoheal-process.js';
import { sleep } from './docker-fixtures.js';

const execFileAsync = promisify(execFile);

/** dockerd's default pidfile, the one scripts/start-dockerd.sh's engine writes. */
export const MAIN_PIDFILE = '/var/run/docker.pid';

/** The pid in a dockerd pidfile, when that process is alive and is a dockerd; else null. */
export async function dockerdPid(pidfile: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number((await readFile(pidfile, 'utf8')).trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1) return null;
  try {
    const comm = (await readFile(join('/proc', String(pid), 'comm'), 'utf8')).trim();
    return comm === 'dockerd' ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERMs the dockerd of `pidfile` and waits until that process is gone. */
export async function stopDockerd(pidfile = MAIN_PIDFILE, timeoutMs = 60_000): Promise<void> {
  const pid = await dockerdPid(pidfile);
  if (pid === null) {
    throw new Error(`no running dockerd is named by ${pidfile}, so this scenario cannot stop and restart it`);
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline)
      throw new Error(`dockerd (pid ${pid}, ${pidfile}) did not exit within ${timeoutMs} ms`);
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

async function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    return (await execFileAsync(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** A second engine on this machine, for one test file. */
export interface SecondEngine {
  /** `unix:///…/docker.sock`: DOCKER_HOST for a client of this engine. */
  readonly dockerHost: string;
  readonly socket: string;
  readonly pidfile: string;
  readonly bridge: string;
  /** The bridge's subnet (e.g. 172.29.12.0/24). */
  readonly subnet: string;
  readonly dir: string;
  readonly logFile: string;
  /** `docker -H <this engine> …`; resolves with stdout. */
  docker(args: string[], timeoutMs?: number): Promise<string>;
  /** Stops the engine by its pidfile, removes its bridge and its directories. Never rejects. */
  destroy(): Promise<void>;
}

/** A /24 in 172.28.x.0 that no route of this machine uses yet. */
async function freeSubnet(): Promise<string> {
  const routes = await run('ip', ['-4', 'route']);
  for (let i = 0; i < 50; i++) {
    const candidate = `172.28.${randomBytes(1)[0] ?? 0}`;
    if (!routes.includes(`${candidate}.`)) return `${candidate}.0/24`;
  }
  throw new Error('no free 172.28.x.0/24 subnet for the second engine’s bridge');
}

/** Networks the second engine makes (a Swarm's docker_gwbridge…) come from here, not 172.17-27. */
const SECOND_ENGINE_POOL = 'base=172.29.0.0/16,size=24';

async function links(): Promise<Set<string>> {
  const out = await run('ip', ['-o', 'link', 'show']);
  return new Set([...out.matchAll(/^\d+: ([^:@]+)/gm)].map((m) => m[1] ?? ''));
}

/**
 * Starts a second dockerd with its own socket, data-root, exec-root, pidfile and bridge
 * (created here: `--bridge none` would make dockerd delete the main engine's docker0). It
 * leaves iptables to the main engine, whose rules it would otherwise fight over.
 */
export async function startSecondEngine(timeoutMs = 90_000): Promise<SecondEngine> {
  const id = randomBytes(3).toString('hex');
  const dir = `/tmp/ah-engine-${id}`;
  const bridge = `ahbr${id}`;
  const subnet = await freeSubnet();
  const gateway = subnet.replace(/0\/24$/, '1/24');
  const socket = join(dir, 'docker.sock');
  const pidfile = join(dir, 'docker.pid');
  const logFile = join(dir, 'dockerd.log');
  const dockerHost = `unix://${socket}`;
  let pid: number | null = null;
  const linksBefore = await links();

  const docker = (args: string[], t = 60_000) => run('docker', ['-H', dockerHost, ...args], t);
  /** The host bridges of this engine's bridge networks (only this engine's, never the main one's). */
  const engineBridges = async (): Promise<string[]> => {
    const ids = (await docker(['network', 'ls', '-q', '--filter', 'driver=bridge'], 10_000))
      .split('\n')
      .filter(Boolean);
    if (ids.length === 0) return [];
    const out = await docker(
      [
        'network',
        'inspect',
        '--format',
        '{{.Id}} {{index .Options "com.docker.network.bridge.name"}}',
        ...ids,
      ],
      10_000,
    );
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id = '', name = ''] = line.split(' ');
        return name !== '' && name !== '<no value>' ? name : `br-${id.slice(0, 12)}`;
      });
  };
  const destroy = async () => {
    const made = await engineBridges().catch(() => [] as string[]);
    try {
      const running = (await dockerdPid(pidfile)) ?? pid;
      if (running !== null && alive(running)) {
        process.kill(running, 'SIGTERM');
        const deadline = Date.now() + 30_000;
        while (alive(running) && Date.now() < deadline) await sleep(200);
        if (alive(running)) process.kill(running, 'SIGKILL');
      }
    } catch {
      // Gone already.
    }
    await run('ip', ['link', 'delete', bridge]).catch(() => {});
    // Bridges this engine made on the host (docker_gwbridge for a Swarm) outlive it.
    const now = await links().catch(() => new Set<string>());
    for (const link of made) {
      if (link !== bridge && now.has(link) && !linksBefore.has(link))
        await run('ip', ['link', 'delete', link]).catch(() => {});
    }
    // The data-root may hold mounts of its containers' layers until they are gone.
    await run('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`]).catch(
      () => {},
    );
    await rm(dir, { recursive: true, force: true }).catch(() => {});
  };

  try {
    await mkdir(join(dir, 'data'), { recursive: true });
    await mkdir(join(dir, 'exec'), { recursive: true });
    await run('ip', ['link', 'add', bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', gateway, 'dev', bridge]);
    await run('ip', ['link', 'set', bridge, 'up']);
    const out = openSync(logFile, 'a');
    const child = spawn(
      'dockerd',
      [
        '--host',
        dockerHost,
        '--data-root',
        join(dir, 'data'),
        '--exec-root',
        join(dir, 'exec'),
        '--pidfile',
        pidfile,
        '--bridge',
        bridge,
        '--iptables=false',
        '--ip6tables=false',
        '--default-address-pool',
        SECOND_ENGINE_POOL,
      ],
      { detached: true, stdio: ['ignore', out, out] },
    );
    child.unref();
    pid = child.pid ?? null;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await docker(['info', '--format', '{{.ID}}'], 10_000);
        break;
      } catch (err) {
        if (Date.now() > deadline || child.exitCode !== null) {
          const log = existsSync(logFile)
            ? (await readFile(logFile, 'utf8')).split('\n').slice(-30).join('\n')
            : '';
          throw new Error(
            `the second dockerd did not answer on ${socket}: ${(err as Error).message}\n${log}`,
          );
        }
        await sleep(500);
      }
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { dockerHost, socket, pidfile, bridge, subnet, dir, logFile, docker, destroy };
}

/** Copies an image of the main engine into `engine` (`docker save | docker -H … load`). */
export async function copyImage(engine: SecondEngine, image: string): Promise<void> {
  await run(
    'sh',
    ['-c', `docker save "$1" | docker -H "$2" load`, 'copy-image', image, engine.dockerHost],
    300_000,
  );
}
