/**
 * The programs the tests run besides Docker itself — Docker Compose, Chromium, promtool —
 * found once, or a failure that names the missing tool and the command that installs it
 * (scripts/provision-test-tools.sh, which `npm test` runs first). A test never skips for
 * want of one of them.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PROVISION_COMMAND = 'sudo bash scripts/provision-test-tools.sh';
export const CHROMIUM = '/usr/bin/chromium';

export class MissingToolError extends Error {
  constructor(tool: string, debianPackage: string, detail: string) {
    super(
      `${tool} is missing (${detail}). Install it with: ${PROVISION_COMMAND} ` +
        `(or: apt-get install --no-install-recommends ${debianPackage})`,
    );
    this.name = 'MissingToolError';
  }
}

async function answers(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    await execFileAsync(file, args, { timeout: 20_000, env });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Compose command line found on `env.PATH`: the `docker compose` plugin when the Docker
 * CLI has it, else the standalone `docker-compose` (Debian's v1). Both take the same
 * arguments for what the tests do.
 */
export async function findCompose(env: NodeJS.ProcessEnv = process.env): Promise<readonly string[]> {
  if (await answers('docker', ['compose', 'version'], env)) return ['docker', 'compose'];
  if (await answers('docker-compose', ['version'], env)) return ['docker-compose'];
  throw new MissingToolError(
    'Docker Compose',
    'docker-compose',
    'neither `docker compose version` nor `docker-compose version` runs',
  );
}

let compose: Promise<readonly string[]> | undefined;

/** This machine's Compose command line ({@link findCompose}), looked up once. */
export function composeCommand(): Promise<readonly string[]> {
  compose ??= findCompose();
  return compose;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian's Chromium, which playwright-core drives (no browser is downloaded). */
export function chromiumExecutable(path: string = CHROMIUM): string {
  if (!executable(path)) throw new MissingToolError('Chromium', 'chromium', `no executable ${path}`);
  return path;
}

/** promtool, Prometheus' checker of metrics and rule files (Debian package prometheus). */
export async function promtoolCommand(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (await answers('promtool', ['--version'], env)) return 'promtool';
  throw new MissingToolError('promtool', 'prometheus', '`promtool --version` does not run');
}

/** Every tool the end-to-end files need, checked up front: one message naming all that miss. */
export async function requireE2eTools(): Promise<void> {
  const problems: string[] = [];
  await composeCommand().catch((err: Error) => problems.push(err.message));
  try {
    chromiumExecutable();
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}
