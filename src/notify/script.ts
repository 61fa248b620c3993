/**
 * Runs the user's `POST_RESTART_SCRIPT` as a plain executable (no shell), with a deadline
 * after which its whole process group is killed, and keeps the tail of its stderr.
 */
import { spawn } from 'node:child_process';

export interface ScriptResult {
  /** Exit code, or null when the process ended by a signal. */
  code: number | null;
  /** The last few hundred characters of stderr. */
  stderr: string;
  signal?: NodeJS.Signals | null;
  timedOut?: boolean;
}

/** Resolves when the script ends; rejects only when it cannot be started (ENOENT, EACCES, …). */
export type RunScript = (
  file: string,
  args: readonly string[],
  timeoutMs: number,
  /** The script's whole environment (autoheal's minus its secrets, see `Settings.scriptEnv`). */
  env: Readonly<Record<string, string>>,
) => Promise<ScriptResult>;

const STDERR_TAIL_CHARS = 1000;
const STDERR_GRACE_MS = 200;

export const runScriptFile: RunScript = (file, args, timeoutMs, env) =>
  new Promise<ScriptResult>((resolve, reject) => {
    // A process group of its own, so a timeout also ends whatever the script started
    // (`sleep`, `curl`, …); otherwise those would hold the script's pipes open.
    const child = spawn(file, [...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      shell: false,
      env: { ...env },
    });
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    child.once('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    });
    // `exit` rather than `close`: a grandchild that outlives the script must not keep us waiting.
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Wait for stderr's end, but only briefly: a stray holder of the pipe must not keep us.
      const finish = () => {
        clearTimeout(grace);
        child.stderr?.destroy();
        resolve({ code, signal, stderr: stderr.trim(), timedOut });
      };
      const grace = setTimeout(finish, STDERR_GRACE_MS);
      if (!child.stderr || child.stderr.readableEnded) finish();
      else child.stderr.once('end', finish);
    });
  });
