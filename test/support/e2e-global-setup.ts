/**
 * Vitest global setup of the e2e project: the Docker engine must answer, Docker Compose and
 * Chromium must be installed (a missing one fails the run, naming it and its install
 * command), the offline test image must exist (built by scripts/make-test-image.sh when
 * missing), and test containers and images left by an aborted run are removed, before and
 * after the scenarios. It gives the run an id, which names the autoheal image the files
 * share (test/support/autoheal-image.ts), removed when the run ends.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { removeImage, runImageTag } from './autoheal-image.js';
import { REPO_ROOT } from './autoheal-process.js';
import { docker, removeLeftoverImages, removeLeftovers, TEST_IMAGE } from './docker-fixtures.js';
import { requireE2eTools } from './test-tools.js';

const execFileAsync = promisify(execFile);

async function engineAnswers(): Promise<string | null> {
  try {
    await docker(['info', '--format', '{{.ServerVersion}}'], 20_000);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

async function ensureTestImage(): Promise<void> {
  try {
    await docker(['image', 'inspect', TEST_IMAGE]);
    return;
  } catch {
    // Missing: build it below.
  }
  const script = join(REPO_ROOT, 'scripts', 'make-test-image.sh');
  try {
    await execFileAsync('bash', [script], { cwd: REPO_ROOT, timeout: 300_000 });
  } catch (err) {
    const e = err as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `the e2e test image ${TEST_IMAGE} is missing and ${script} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
    );
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const problem = await engineAnswers();
  if (problem !== null) {
    throw new Error(
      `The end-to-end tests need a Docker engine, and none answers (${problem}).\n` +
        'Start one with: sudo bash scripts/provision-docker.sh  (installs docker.io on Debian if needed and starts dockerd)',
    );
  }
  await requireE2eTools();
  await ensureTestImage();
  await removeLeftovers();
  await removeLeftoverImages();
  const run = { id: randomBytes(4).toString('hex'), pid: process.pid };
  project.provide('e2eRun', run);
  return async () => {
    await removeLeftovers().catch(() => undefined);
    await removeImage(runImageTag(run.id));
  };
}
