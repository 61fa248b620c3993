/**
 * Test containers for the end-to-end scenarios, driven through the `docker` CLI. Every
 * container carries the label `autoheal-test.owner=e2e` and a name starting with
 * `ahtest-<random>-`, so a run never touches anything else on the host and leftovers are
 * easy to find; `removeAll()` force-removes what this process created.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const TEST_IMAGE = 'autoheal-test/busybox:latest';
/** Every test container carries this label, so leftovers can be removed by it. */
export const OWNER_LABEL = 'autoheal-test.owner';
export const OWNER_VALUE = 'e2e';
/** The pid of the test process that created the container, so a concurrent run's are spared. */
export const PID_LABEL = 'autoheal-test.pid';

/** This process's name prefix: `ahtest-<random>-`. */
export const NAME_PREFIX = `ahtest-${randomBytes(3).toString('hex')}-`;

/** A name for a test container, known before it exists (e.g. for AUTOHEAL_EXCLUDE). */
export function containerName(suffix: string): string {
  return `${NAME_PREFIX}${suffix}-${randomBytes(2).toString('hex')}`;
}

/** A fresh label key for one test file, so its autoheal enrolls only that file's containers. */
export function uniqueLabelKey(): string {
  return `ahtest.${randomBytes(4).toString('hex')}`;
}

export interface TestContainer {
  id: string;
  name: string;
}

export interface ContainerState {
  id: string;
  name: string;
  /** `running`, `paused`, `exited`, `restarting`, … */
  status: string;
  running: boolean;
  paused: boolean;
  startedAt: string;
  restartCount: number;
  /** `starting`, `healthy`, `unhealthy`, or `none` without a healthcheck. */
  health: string;
}

export interface HealthContainerOptions {
  /** Labels besides the owner label (e.g. `{ [labelKey]: 'true' }`). */
  labels?: Record<string, string>;
  /** Defaults to `containerName('c')`. */
  name?: string;
  /** Docker's own `--stop-timeout` (seconds); autoheal reads the label `autoheal.stop.timeout`. */
  stopTimeout?: number;
  /** PID 1 ignores SIGTERM, so a stop waits for the stop timeout and then kills. */
  ignoreSigterm?: boolean;
  /**
   * Default true. When false, the first start is unhealthy; later starts (after a restart)
   * are healthy, because a marker file in the container's own layer survives restarts.
   */
  healthy?: boolean;
  /** `--health-start-period` in seconds. */
  startPeriod?: number;
  /** Replaces the healthcheck command, e.g. `false` for a container that never recovers. */
  healthCmd?: string;
  /** `--network`, e.g. `container:<id>` to share another container's network namespace. */
  network?: string;
  /** `--env` entries besides START_HEALTHY. */
  env?: Record<string, string>;
  /** `--volume` arguments, e.g. `/data` for an anonymous volume. */
  volumes?: string[];
  /** `--mount` arguments, e.g. `type=bind,source=/tmp/x,target=/cfg`. */
  mounts?: string[];
}

const created = new Set<string>();

/** Runs the docker CLI; rejects with docker's stderr in the message. */
export async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync('docker', args, {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`docker ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/**
 * PID 1 is a shell that waits on a background sleep, so a trapped TERM ends it at once
 * (a bare `sleep` as PID 1 would ignore TERM and make every stop take the full timeout).
 * It creates /tmp/healthy on every start, except on a first start asked to be unhealthy.
 */
function containerScript(ignoreSigterm: boolean): string {
  return [
    ignoreSigterm ? 'trap "" TERM' : 'trap "exit 0" TERM',
    'if [ "$START_HEALTHY" = 1 ] || [ -f /tmp/.started-before ]; then touch /tmp/healthy; fi',
    'touch /tmp/.started-before',
    'while :; do sleep 3600 & wait $!; done',
  ].join('; ');
}

/** Starts a container whose health is `test -f /tmp/healthy`, checked every second (one failure is unhealthy). */
export async function createHealthContainer(options: HealthContainerOptions = {}): Promise<TestContainer> {
  const name = options.name ?? containerName('c');
  const labels = { ...options.labels, [OWNER_LABEL]: OWNER_VALUE, [PID_LABEL]: String(process.pid) };
  const args = ['run', '-d', '--name', name];
  for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
  args.push(
    '--health-cmd',
    options.healthCmd ?? 'test -f /tmp/healthy',
    '--health-interval',
    '1s',
    '--health-retries',
    '1',
    // A probe is `test -f`, done in milliseconds; a timeout of one interval would turn a
    // healthy container unhealthy whenever the machine is busy for a second.
    '--health-timeout',
    '10s',
    '--env',
    `START_HEALTHY=${options.healthy === false ? 0 : 1}`,
  );
  if (options.startPeriod !== undefined) args.push('--health-start-period', `${options.startPeriod}s`);
  if (options.stopTimeout !== undefined) args.push('--stop-timeout', String(options.stopTimeout));
  if (options.network !== undefined) args.push('--network', options.network);
  for (const [key, value] of Object.entries(options.env ?? {})) args.push('--env', `${key}=${value}`);
  for (const volume of options.volumes ?? []) args.push('--volume', volume);
  for (const mount of options.mounts ?? []) args.push('--mount', mount);
  args.push(TEST_IMAGE, 'sh', '-c', containerScript(options.ignoreSigterm === true));
  const id = await docker(args);
  created.add(id);
  return { id, name };
}

/**
 * Takes a container made from one of ours by something else (autoheal's re-create copies
 * the owner labels) into this process's care, so `removeAll()` removes it too.
 */
export function adopt(id: string): void {
  created.add(id);
}

/** Makes the healthcheck fail from now on (until `makeHealthy` or a restart). */
export async function makeUnhealthy(c: TestContainer): Promise<void> {
  await docker(['exec', c.id, 'rm', '-f', '/tmp/healthy']);
}

export async function makeHealthy(c: TestContainer): Promise<void> {
  await docker(['exec', c.id, 'touch', '/tmp/healthy']);
}

interface InspectJson {
  Id: string;
  Name: string;
  RestartCount: number;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    StartedAt: string;
    Health?: { Status: string };
  };
}

export async function inspect(c: TestContainer): Promise<ContainerState> {
  const out = await docker(['inspect', '--type', 'container', c.id]);
  const [json] = JSON.parse(out) as InspectJson[];
  if (!json) throw new Error(`docker inspect ${c.name} returned nothing`);
  return {
    id: json.Id,
    name: json.Name.replace(/^\//, ''),
    status: json.State.Status,
    running: json.State.Running,
    paused: json.State.Paused,
    startedAt: json.State.StartedAt,
    restartCount: json.RestartCount,
    health: json.State.Health?.Status ?? 'none',
  };
}

/** When the container last started; a different value means it was restarted. */
export async function startedAt(c: TestContainer): Promise<string> {
  return (await inspect(c)).startedAt;
}

/** Waits until the container's health is `status`; the error names the last one seen. */
export async function waitForHealth(c: TestContainer, status: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'unknown';
  while (Date.now() < deadline) {
    last = (await inspect(c)).health;
    if (last === status) return;
    await sleep(200);
  }
  throw new Error(`container ${c.name} did not turn ${status} within ${timeoutMs} ms (last health: ${last})`);
}

export async function pause(c: TestContainer): Promise<void> {
  await docker(['pause', c.id]);
}

export async function unpause(c: TestContainer): Promise<void> {
  await docker(['unpause', c.id]);
}

/** Force-removes every container this process created. Never throws (call it in afterAll). */
export async function removeAll(): Promise<void> {
  const ids = [...created];
  created.clear();
  if (ids.length === 0) return;
  try {
    await docker(['rm', '-f', '-v', ...ids]);
  } catch {
    // Some may already be gone (or the engine restarted); remove the rest one by one.
    await Promise.all(ids.map((id) => docker(['rm', '-f', '-v', id]).catch(() => undefined)));
  }
}

/**
 * Force-removes test containers left by aborted runs: those whose creating process (label
 * `autoheal-test.pid`) no longer exists. Containers of a run still going on are spared.
 */
export async function removeLeftovers(): Promise<number> {
  const rows = (
    await docker([
      'ps',
      '-a',
      '--filter',
      `label=${OWNER_LABEL}=${OWNER_VALUE}`,
      '--format',
      `{{.ID}} {{.Label "${PID_LABEL}"}}`,
    ])
  )
    .split('\n')
    .filter((row) => row !== '');
  const ids: string[] = [];
  for (const row of rows) {
    const [id, pid] = row.split(' ');
    if (id && !processAlive(Number(pid))) ids.push(id);
  }
  if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
  return ids.length;
}

/**
 * Removes the images test runs built and labelled with their process id (the shared
 * autoheal image of an aborted run) when that process no longer exists.
 */
export async function removeLeftoverImages(): Promise<number> {
  const tags = (
    await docker([
      'image',
      'ls',
      '--filter',
      `label=${OWNER_LABEL}=${OWNER_VALUE}`,
      '--format',
      '{{.Repository}}:{{.Tag}}',
    ])
  )
    .split('\n')
    .filter((tag) => tag !== '' && !tag.includes('<none>'));
  let removed = 0;
  for (const tag of tags) {
    const pid = await docker([
      'image',
      'inspect',
      '--format',
      `{{index .Config.Labels "${PID_LABEL}"}}`,
      tag,
    ]).catch(() => '');
    if (pid !== '' && !processAlive(Number(pid))) {
      await docker(['image', 'rm', tag]).catch(() => undefined);
      removed += 1;
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits until the engine has reported `action` (e.g. `kill`) for the container since
 * `sinceMs`, by asking `docker events` for the past only (so the call never blocks).
 */
export async function waitForEngineEvent(
  c: TestContainer,
  action: string,
  sinceMs: number,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const since = (sinceMs / 1000).toFixed(3);
  while (Date.now() < deadline) {
    const until = (Date.now() / 1000).toFixed(3);
    const out = await docker([
      'events',
      '--since',
      since,
      '--until',
      until,
      '--filter',
      `container=${c.id}`,
      '--filter',
      `event=${action}`,
      '--format',
      '{{.Action}}',
    ]);
    if (out !== '') return;
    await sleep(200);
  }
  throw new Error(`the engine reported no ${action} event for ${c.name} within ${timeoutMs} ms`);
}
