/**
 * The test suite's own tool lookup: a missing tool is an error that names it and the
 * command that installs it, never a reason to skip.
 */
import { describe, expect, it } from 'vitest';
import {
  chromiumExecutable,
  findCompose,
  MissingToolError,
  PROVISION_COMMAND,
  promtoolCommand,
} from '../../support/test-tools.js';

const EMPTY_PATH = { ...process.env, PATH: '/nonexistent' };

describe('the tools the tests need', () => {
  it('a machine without Docker Compose gets an error naming it and its install command', async () => {
    const error = await findCompose(EMPTY_PATH).catch((err: Error) => err);
    expect(error).toBeInstanceOf(MissingToolError);
    expect((error as Error).message).toContain('Docker Compose is missing');
    expect((error as Error).message).toContain(PROVISION_COMMAND);
    expect((error as Error).message).toContain('apt-get install --no-install-recommends docker-compose');
  });

  it('a machine without Chromium gets an error naming it and its install command', () => {
    expect(() => chromiumExecutable('/nonexistent/chromium')).toThrow(
      /Chromium is missing \(no executable \/nonexistent\/chromium\)\. Install it with: sudo bash scripts\/provision-test-tools\.sh/,
    );
  });

  it('a machine without promtool gets an error naming it and the prometheus package', async () => {
    await expect(promtoolCommand(EMPTY_PATH)).rejects.toThrow(
      /promtool is missing.*apt-get install --no-install-recommends prometheus/,
    );
  });
});
