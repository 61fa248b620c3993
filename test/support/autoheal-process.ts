/**
 * Runs the real, built autoheal (`node dist/main.js`) as a child process for the
 * end-to-end scenarios: a fresh data directory, its own label key, JSON logs captured line
 * by line, and the audit trail read back from the history segments in `<data dir>/events/`. A wait that
 * times out throws with the last log lines and audit events, so a failure explains itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditEvent } from '../../src/store/types.js';
import { sleep, uniqueLabelKey } from './docker-fixtures.js';

export type { AuditEvent } from '../../src/store/types.js';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const MAIN = join(REPO_ROOT, 'dist', 'main.js');

export interface LogLine {
  /** The parsed JSON object, or null for a line that is not JSON. */
  json: Record<string, unknown> | null;
  raw: string;
  stream: 'stdout' | 'stderr';
}

export interface StartOptions {
  /** Extra environment (wins over the defaults below). */
  env?: Record<string, string>;
  /** Wait for the `engine`/`connected` audit event before resolving (default true). */
  waitConnected?: boolean;
  /** How long to wait for it (default 30 s). */
  connectTimeoutMs?: number;
  /** Reuse a data directory (e.g. of a stopped autoheal) instead of a fresh one. */
  dataDir?: string;
}

export interface AutohealProcess {
  readonly labelKey: string;
  readonly dataDir: string;
  readonly logs: readonly LogLine[];
  /** `http://127.0.0.1:<port>`, once the API listens. */
  apiUrl(): Promise<string>;
  /** The API token autoheal generated into its data directory. */
  token(): Promise<string>;
  /** Resolves with the first log line matching the predicate (past or future). */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** The audit events on disk, oldest first ([] while the file does not exist yet). */
  readAudit(): Promise<AuditEvent[]>;
  /** Polls the file until an event matches; resolves with the first match. */
  waitForAudit(
    predicate: (event: AuditEvent) => boolean,
    timeoutMs?: number,
    what?: string,
  ): Promise<AuditEvent>;
  /** Polls until `check(events)` returns something other than undefined/false. */
  waitUntilAudit<T>(
    check: (events: AuditEvent[]) => T | undefined | false,
    timeoutMs?: number,
    what?: string,
  ): Promise<T>;
  isRunning(): boolean;
  /** Resolves with the exit code (null if killed by a signal) once the process has exited. */
  exited(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, as the OOM killer or `docker kill` does: no shutdown, no flush. */
  kill(): Promise<void>;
  /**
   * SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code (null if killed by
   * a signal). The data directory stays until `stopAllAutoheals()`.
   */
  stop(timeoutMs?: number): Promise<number | null>;
  /** The last lines of the log and the audit trail, for error messages. */
  diagnostics(lines?: number): Promise<string>;
}

const started = new Set<AutohealProcess>();

/** The events of one container, oldest first. */
export function eventsFor(events: AuditEvent[], containerId: string): AuditEvent[] {
  return events.filter((e) => e.container_id === containerId);
}

/** Environment inherited by the child: the parent's, minus autoheal's own settings. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (key.startsWith('AUTOHEAL_') || key === 'LOG_LEVEL' || key === 'WEBHOOK_URL' || key === 'APPRISE_URL')
      continue;
    env[key] = value;
  }
  // Vitest sets NODE_ENV=test, which makes lowdb's presets keep the store in memory only.
  env.NODE_ENV = 'production';
  return env;
}

export async function startAutoheal(options: StartOptions = {}): Promise<AutohealProcess> {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} does not exist: run \`npm run build\` first (\`npm test\` does it)`);
  }
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'autoheal-e2e-')));
  const labelKey = options.env?.AUTOHEAL_CONTAINER_LABEL ?? uniqueLabelKey();
  const env = {
    ...baseEnv(),
    AUTOHEAL_DATA_DIR: dataDir,
    AUTOHEAL_API_PORT: '0',
    AUTOHEAL_CONTAINER_LABEL: labelKey,
    AUTOHEAL_INTERVAL: '2',
    LOG_LEVEL: 'debug',
    ...options.env,
  };
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const logs: LogLine[] = [];
  const logWaiters = new Set<() => void>();
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      for (const wake of logWaiters) wake();
      resolveExit();
    });
  });

  const collect = (stream: 'stdout' | 'stderr', source: NodeJS.ReadableStream | null) => {
    if (!source) return;
    let pending = '';
    source.setEncoding('utf8');
    source.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const raw of parts) {
        if (raw.trim() === '') continue;
        let json: Record<string, unknown> | null = null;
        try {
          const parsed: unknown = JSON.parse(raw);
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
            json = parsed as Record<string, unknown>;
          }
        } catch {
          json = null;
        }
        logs.push({ json, raw, stream });
      }
      for (const wake of logWaiters) wake();
    });
  };
  collect('stdout', child.stdout);
  collect('stderr', child.stderr);

  const eventsDir = join(dataDir, 'events');
  const readAudit = async (): Promise<AuditEvent[]> => {
    let names: string[];
    try {
      names = (await readdir(eventsDir)).filter((name) => /^segment-\d+\.json$/.test(name)).sort();
    } catch {
      return [];
    }
    const events: AuditEvent[] = [];
    for (const name of names) {
      try {
        const parsed = JSON.parse(await readFile(join(eventsDir, name), 'utf8')) as { events?: AuditEvent[] };
        if (Array.isArray(parsed.events)) events.push(...parsed.events);
      } catch {
        // Dropped by the cap between the listing and the read; the next poll sees the rest.
      }
    }
    return events;
  };

  const exitCode = (): number | null => exit?.code ?? null;
  const exitText = () => (exit ? `autoheal exited (code ${exit.code}, signal ${exit.signal}); ` : '');

  const diagnostics = async (lines = 50): Promise<string> => {
    const events = await readAudit();
    const tail = logs.slice(-lines).map((l) => `  ${l.stream === 'stderr' ? '[stderr] ' : ''}${l.raw}`);
    const audit = events.slice(-30).map((e) => `  ${JSON.stringify(e)}`);
    return [
      exitText(),
      `--- last ${tail.length} autoheal log lines (data dir ${dataDir}) ---`,
      ...tail,
      `--- last ${audit.length} of ${events.length} audit events ---`,
      ...audit,
    ].join('\n');
  };

  const waitUntilAudit = async <T>(
    check: (events: AuditEvent[]) => T | undefined | false,
    timeoutMs = 30_000,
    what = 'the expected audit events',
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = check(await readAudit());
      if (found !== undefined && found !== false) return found;
      if (Date.now() > deadline || exit !== null) {
        throw new Error(
          `${exitText()}timed out after ${timeoutMs} ms waiting for ${what}\n${await diagnostics()}`,
        );
      }
      await sleep(100);
    }
  };

  const handle: AutohealProcess = {
    labelKey,
    dataDir,
    logs,
    async waitForLog(predicate, timeoutMs = 30_000, what = 'a matching log line') {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < logs.length; seen++) {
          const line = logs[seen];
          if (line && predicate(line)) return line;
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0 || exit) {
          throw new Error(`${exitText()}timed out waiting for ${what}\n${await diagnostics()}`);
        }
        await new Promise<void>((wake) => {
          const timer = setTimeout(done, Math.min(remaining, 500));
          function done() {
            clearTimeout(timer);
            logWaiters.delete(done);
            wake();
          }
          logWaiters.add(done);
        });
      }
    },
    async apiUrl() {
      const line = await handle.waitForLog(
        (l) => l.json?.msg === 'API listening',
        30_000,
        'the API to listen',
      );
      return `http://127.0.0.1:${String(line.json?.port)}`;
    },
    async token() {
      return (await readFile(join(dataDir, 'api-token'), 'utf8')).trim();
    },
    readAudit,
    waitForAudit(predicate, timeoutMs = 30_000, what = 'a matching audit event') {
      return waitUntilAudit((events) => events.find(predicate), timeoutMs, what);
    },
    waitUntilAudit,
    isRunning: () => exit === null,
    async exited(timeoutMs = 30_000) {
      const timedOut = await Promise.race([exited.then(() => false), sleep(timeoutMs).then(() => true)]);
      if (timedOut) throw new Error(`autoheal did not exit within ${timeoutMs} ms\n${await diagnostics()}`);
      return exitCode();
    },
    async kill() {
      if (exit === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop(timeoutMs = 15_000) {
      if (exit === null) {
        child.kill('SIGTERM');
        const killed = await Promise.race([exited.then(() => false), sleep(timeoutMs).then(() => true)]);
        if (killed) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      return exitCode();
    },
    diagnostics,
  };
  started.add(handle);

  if (options.waitConnected !== false) {
    try {
      await handle.waitForAudit(
        (e) => e.event_type === 'engine' && e.status === 'connected',
        options.connectTimeoutMs ?? 30_000,
        'the engine/connected audit event',
      );
    } catch (err) {
      await handle.stop();
      throw err;
    }
  }
  return handle;
}

/** Stops every autoheal this process started and removes their data directories (for afterAll). */
export async function stopAllAutoheals(): Promise<void> {
  const all = [...started];
  started.clear();
  await Promise.all(
    all.map(async (p) => {
      await p.stop();
      await rm(p.dataDir, { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}
