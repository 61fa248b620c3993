import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DockerEngine,
  healthFromStatusText,
  snapshotFromInspect,
  snapshotFromListEntry,
} from '../../../src/engine/docker-engine.js';
import { MetricsRegistry } from '../../../src/metrics.js';
import { FakeEngineServer } from '../../support/fake-engine-server.js';

const ID = 'c'.repeat(64);

describe('snapshots from the engine JSON', () => {
  it('reads health from the list status text', () => {
    expect(healthFromStatusText('Up 3 minutes (unhealthy)')).toBe('unhealthy');
    expect(healthFromStatusText('Up 3 minutes (healthy)')).toBe('healthy');
    expect(healthFromStatusText('Up 5 seconds (health: starting)')).toBe('starting');
    expect(healthFromStatusText('Up 2 hours')).toBe('none');
    expect(healthFromStatusText('Exited (1) 2 minutes ago')).toBe('none');
  });

  it('maps a list entry, preferring the own name over link aliases', () => {
    expect(
      snapshotFromListEntry({
        Id: ID,
        Names: ['/front/web-link', '/web'],
        Image: 'nginx:1',
        Labels: { autoheal: 'true', bad: 3 },
        State: 'running',
        Status: 'Up 3 minutes (unhealthy)',
      }),
    ).toEqual({
      id: ID,
      name: 'web',
      image: 'nginx:1',
      labels: { autoheal: 'true' },
      state: 'running',
      health: 'unhealthy',
    });
  });

  it('prefers a Health field in the list when a newer engine sends one', () => {
    expect(
      snapshotFromListEntry({
        Id: ID,
        Names: ['/x'],
        State: 'running',
        Status: 'Up',
        Health: { Status: 'healthy' },
      })?.health,
    ).toBe('healthy');
  });

  it('rejects list entries without id or state', () => {
    expect(snapshotFromListEntry({ Names: ['/x'], State: 'running' })).toBeNull();
    expect(snapshotFromListEntry({ Id: ID })).toBeNull();
    expect(snapshotFromListEntry('nope')).toBeNull();
  });

  it('maps an inspect answer with health and network mode', () => {
    expect(
      snapshotFromInspect({
        Id: ID,
        Name: '/db',
        Image: 'sha256:abc',
        Config: { Image: 'postgres:16', Labels: null },
        State: {
          Status: 'running',
          Health: {
            Status: 'unhealthy',
            FailingStreak: 2,
            Log: [
              {
                Start: '2026-11-21T12:00:00Z',
                End: '2026-11-21T12:00:01Z',
                ExitCode: 1,
                Output: 'refused\n',
              },
              'not a probe',
            ],
          },
        },
        HostConfig: { NetworkMode: 'container:abc' },
      }),
    ).toEqual({
      id: ID,
      name: 'db',
      image: 'postgres:16',
      labels: {},
      state: 'running',
      health: 'unhealthy',
      networkMode: 'container:abc',
      probes: {
        failingStreak: 2,
        log: [
          { start: '2026-11-21T12:00:00Z', end: '2026-11-21T12:00:01Z', exit_code: 1, output: 'refused\n' },
        ],
      },
    });
    expect(snapshotFromInspect({ Id: ID, Name: '/db', State: { Status: 'exited' } })?.health).toBe('none');
    expect(snapshotFromInspect({ Id: ID, State: {} })).toBeNull();
  });
});

describe('DockerEngine against a fake engine', () => {
  let engine: FakeEngineServer;
  let docker: DockerEngine;
  beforeEach(async () => {
    engine = new FakeEngineServer();
    await engine.listen();
    docker = new DockerEngine({
      endpoint: { kind: 'unix', socketPath: engine.socketPath },
      requestTimeoutS: 0.3,
    });
  });
  afterEach(() => engine.dispose());

  it('lists all containers, including stopped ones', async () => {
    let query = '';
    engine.routes.set('GET /containers/json', (_req, res, url) => {
      query = url.search;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify([
          { Id: ID, Names: ['/web'], Image: 'i', Labels: {}, State: 'exited', Status: 'Exited (0)' },
          { junk: true },
        ]),
      );
    });
    expect(await docker.listContainers()).toEqual([
      { id: ID, name: 'web', image: 'i', labels: {}, state: 'exited', health: 'none' },
    ]);
    expect(query).toBe('?all=true');
  });

  it('inspect returns null on 404', async () => {
    expect(await docker.inspect('gone')).toBeNull();
  });

  it('rejects with the engine message', async () => {
    engine.routes.set(`POST /containers/${ID}/restart`, (_req, res) => {
      res
        .writeHead(500, { 'Content-Type': 'application/json' })
        .end('{"message":"Cannot restart container web: oci runtime error"}');
    });
    await expect(docker.restart(ID, 10)).rejects.toThrow(/^Cannot restart container web: oci runtime error$/);
  });

  it('gives a restart its stop timeout on top of the request timeout', async () => {
    let t = '';
    engine.routes.set(`POST /containers/${ID}/restart`, (_req, res, url) => {
      t = url.searchParams.get('t') ?? '';
      // Answers after 1 s: longer than the 0.3 s request timeout, shorter than 0.3 + 1.
      setTimeout(() => res.writeHead(204).end(), 1000);
    });
    const started = Date.now();
    await docker.restart(ID, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(t).toBe('1');
  });

  it('cuts a restart that outlives request timeout + stop timeout, with a readable error', async () => {
    engine.routes.set(`POST /containers/${ID}/restart`, () => undefined);
    await expect(docker.restart(ID, 0)).rejects.toThrow(
      /^POST \/containers\/c+\/restart: no answer from the Docker engine at unix:\/\/.* within 0\.3 s$/,
    );
  });

  it('ping fails after the request timeout when the engine hangs', async () => {
    await docker.ping();
    engine.pingMode = 'hang';
    const started = Date.now();
    await expect(docker.ping()).rejects.toThrow(/no answer/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('creates a copy with its name in the query and the configuration as the JSON body', async () => {
    let query = '';
    let body: Record<string, unknown> = {};
    engine.routes.set('POST /containers/create', (req, res, url) => {
      query = url.search;
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        text += c;
      });
      req.on('end', () => {
        body = JSON.parse(text) as Record<string, unknown>;
        res
          .writeHead(201, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ Id: 'd'.repeat(64) }));
      });
    });
    const blueprint = {
      id: ID,
      name: 'torrent',
      labels: {},
      state: 'running',
      networkMode: 'container:old',
      createBody: { Image: 'img', Hostname: 'old', HostConfig: { NetworkMode: 'container:old' } },
    };
    expect(await docker.create(blueprint, 'torrent', 'container:new')).toBe('d'.repeat(64));
    expect(query).toBe('?name=torrent');
    expect(body).toEqual({ Image: 'img', HostConfig: { NetworkMode: 'container:new' } });
  });

  it('renames, starts (already running counts) and removes without the anonymous volumes', async () => {
    const seen: string[] = [];
    const answer =
      (status: number) =>
      (req: { method?: string }, res: { writeHead(s: number): { end(): void } }, url: URL) => {
        seen.push(`${req.method} ${url.pathname}${url.search}`);
        res.writeHead(status).end();
      };
    engine.routes.set(`POST /containers/${ID}/rename`, answer(204));
    engine.routes.set(`POST /containers/${ID}/start`, answer(304));
    engine.routes.set(`DELETE /containers/${ID}`, answer(204));
    await docker.rename(ID, 'torrent_old');
    await docker.start(ID);
    await docker.remove(ID);
    expect(seen).toEqual([
      `POST /containers/${ID}/rename?name=torrent_old`,
      `POST /containers/${ID}/start`,
      `DELETE /containers/${ID}?force=true&v=false`,
    ]);
    // One already gone counts as removed; any other refusal is an error.
    await docker.remove('gone');
    engine.routes.set(`DELETE /containers/${ID}`, (_req, res) => {
      res.writeHead(409, { 'Content-Type': 'application/json' }).end('{"message":"removal in progress"}');
    });
    await expect(docker.remove(ID)).rejects.toThrow(/^removal in progress$/);
  });

  it('says the engine is unreachable when the socket is gone', async () => {
    await engine.close();
    await expect(docker.ping()).rejects.toThrow(
      /^cannot reach the Docker engine at unix:\/\/.*docker\.sock: connect ENOENT/,
    );
  });

  it('counts every engine API call by call, failed ones included', async () => {
    const metrics = new MetricsRegistry();
    const counted = new DockerEngine({
      endpoint: { kind: 'unix', socketPath: engine.socketPath },
      requestTimeoutS: 0.3,
      metrics,
    });
    const value = async (call: string) => {
      const line = (await metrics.render())
        .split('\n')
        .find((l) => l.startsWith(`autoheal_engine_requests_total{call="${call}"} `));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(await value('restart')).toBe(0);
    await counted.ping();
    await counted.ping();
    await counted.inspect('gone');
    await counted.listContainers().catch(() => undefined);
    await counted.restart(ID, 0).catch(() => undefined);
    expect(await value('ping')).toBe(2);
    expect(await value('inspect')).toBe(1);
    expect(await value('list')).toBe(1);
    expect(await value('restart')).toBe(1);
    expect(await value('stop')).toBe(0);
  });
});
