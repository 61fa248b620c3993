/**
 * The e2e fixtures themselves, against the real engine: a test container really turns
 * unhealthy and back, a restart brings it back healthy, and one created unhealthy stays so
 * until restarted. The scenarios rely on all of this.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createHealthContainer,
  docker,
  inspect,
  makeHealthy,
  makeUnhealthy,
  OWNER_LABEL,
  removeAll,
  startedAt,
  waitForHealth,
} from '../support/docker-fixtures.js';

describe('e2e fixtures', () => {
  afterAll(removeAll);

  it('a health container turns unhealthy and healthy again on demand', async () => {
    const c = await createHealthContainer({ labels: { 'ahtest.fixture': 'true' } });
    await waitForHealth(c, 'healthy', 15_000);
    const labels = JSON.parse(
      await docker(['inspect', '--format', '{{json .Config.Labels}}', c.id]),
    ) as Record<string, string>;
    expect(labels).toMatchObject({ 'ahtest.fixture': 'true', [OWNER_LABEL]: 'e2e' });

    await makeUnhealthy(c);
    await waitForHealth(c, 'unhealthy', 15_000);
    await makeHealthy(c);
    await waitForHealth(c, 'healthy', 15_000);
  });

  it('a restart changes StartedAt and brings the container back healthy', async () => {
    const c = await createHealthContainer({});
    await waitForHealth(c, 'healthy', 15_000);
    const before = await startedAt(c);
    await makeUnhealthy(c);
    await waitForHealth(c, 'unhealthy', 15_000);

    await docker(['restart', '-t', '5', c.id]);
    expect(await startedAt(c)).not.toBe(before);
    await waitForHealth(c, 'healthy', 15_000);
  });

  it('a container created unhealthy is unhealthy until its first restart', async () => {
    const c = await createHealthContainer({ healthy: false });
    await waitForHealth(c, 'unhealthy', 15_000);
    expect((await inspect(c)).running).toBe(true);
    await docker(['restart', '-t', '5', c.id]);
    await waitForHealth(c, 'healthy', 15_000);
  });
});
