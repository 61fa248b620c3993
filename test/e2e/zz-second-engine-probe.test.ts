import { it } from 'vitest';
import { sleep } from '../support/docker-fixtures.js';
import { copyImage, startSecondEngine } from '../support/dockerd.js';

it('probe', async () => {
  const e = await startSecondEngine();
  try {
    await copyImage(e, 'autoheal-test/busybox:latest');
    const gw = e.subnet.replace(/0\/24$/, '1');
    console.log(
      await e
        .docker(['swarm', 'init', '--advertise-addr', gw, '--listen-addr', `${gw}:2377`])
        .catch((x) => String(x)),
    );
    console.log(
      await e.docker(['network', 'create', '-d', 'overlay', '--attachable', 'ahnet']).catch((x) => String(x)),
    );
    console.log(
      await e
        .docker([
          'service',
          'create',
          '--detach',
          '--name',
          'probe',
          '--mode',
          'global',
          '--endpoint-mode',
          'dnsrr',
          '--network',
          'ahnet',
          'autoheal-test/busybox:latest',
          'sleep',
          '3600',
        ])
        .catch((x) => String(x)),
    );
    for (let i = 0; i < 20; i++) {
      await sleep(2000);
      const ps = await e
        .docker(['service', 'ps', '--no-trunc', '--format', '{{.CurrentState}} {{.Error}}', 'probe'])
        .catch((x) => String(x));
      console.log(ps);
      if ((await e.docker(['ps', '-q'])).trim() !== '') break;
    }
    const ids = (await e.docker(['ps', '-q'])).trim().split('\n');
    console.log(
      await e
        .docker(['exec', ids[0] ?? '', 'sh', '-c', 'nslookup tasks.probe 127.0.0.11; ip addr'])
        .catch((x) => String(x)),
    );
    console.log(
      (await import('node:fs'))
        .readFileSync(e.logFile, 'utf8')
        .split('\n')
        .filter((l) => /level=(error|warn)/.test(l) && !l.includes('net.ipv4.vs'))
        .slice(-15)
        .join('\n'),
    );
  } finally {
    await e.destroy();
  }
}, 300_000);
