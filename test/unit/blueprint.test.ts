import { describe, expect, it } from 'vitest';
import { blueprintFromInspect, createBodyFor } from '../../src/engine/blueprint.js';

const OLD_PARENT = 'a'.repeat(64);
const NEW_PARENT = 'b'.repeat(64);
const ANON = 'f'.repeat(64);

/** An inspect as Docker 20.10 answers it for `docker run --network container:vpn -v /data -v media:/media …`. */
function inspect() {
  return {
    Id: 'c'.repeat(64),
    Name: '/torrent',
    State: { Status: 'running' },
    Config: {
      Hostname: OLD_PARENT.slice(0, 12),
      Domainname: '',
      Env: ['PUID=1000', 'PATH=/bin'],
      Cmd: ['sh', '-c', 'serve'],
      Image: 'torrent:4',
      Labels: { app: 'torrent', n: 3 },
      ExposedPorts: { '8080/tcp': {} },
      Volumes: { '/data': {} },
    },
    HostConfig: {
      NetworkMode: `container:${OLD_PARENT}`,
      Binds: ['media:/media:ro'],
      Mounts: [{ Type: 'bind', Source: '/srv/cfg', Target: '/config' }],
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
    },
    Mounts: [
      { Type: 'volume', Name: 'media', Destination: '/media', RW: false },
      { Type: 'bind', Source: '/srv/cfg', Destination: '/config', RW: true },
      { Type: 'volume', Name: ANON, Destination: '/data', RW: true },
    ],
  };
}

describe('the copy of a container', () => {
  it('keeps config, labels, env, restart policy and mounts, re-attaching anonymous volumes by name', () => {
    const bp = blueprintFromInspect(inspect());
    expect(bp).toMatchObject({
      id: 'c'.repeat(64),
      name: 'torrent',
      labels: { app: 'torrent' },
      state: 'running',
      networkMode: `container:${OLD_PARENT}`,
    });
    const body = createBodyFor(bp as NonNullable<typeof bp>, `container:${NEW_PARENT}`);
    expect(body).toMatchObject({
      Env: ['PUID=1000', 'PATH=/bin'],
      Cmd: ['sh', '-c', 'serve'],
      Image: 'torrent:4',
      Volumes: { '/data': {} },
      HostConfig: {
        NetworkMode: `container:${NEW_PARENT}`,
        Binds: ['media:/media:ro', `${ANON}:/data`],
        Mounts: [{ Type: 'bind', Source: '/srv/cfg', Target: '/config' }],
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      },
    });
  });

  it("drops what the engine refuses in another container's namespace: hostname, MAC, exposed ports", () => {
    const bp = blueprintFromInspect(inspect());
    const body = createBodyFor(bp as NonNullable<typeof bp>, `container:${NEW_PARENT}`);
    expect(body).not.toHaveProperty('Hostname');
    expect(body).not.toHaveProperty('Domainname');
    expect(body).not.toHaveProperty('ExposedPorts');
    expect(body).not.toHaveProperty('MacAddress');
  });

  it('an anonymous volume given by --mount keeps its volume too', () => {
    const info = inspect();
    info.HostConfig.Mounts = [
      { Type: 'volume', Target: '/data' } as { Type: string; Source: string; Target: string },
    ];
    expect(blueprintFromInspect(info)?.createBody.HostConfig).toMatchObject({
      Binds: ['media:/media:ro'],
      Mounts: [{ Type: 'volume', Source: ANON, Target: '/data' }],
    });
  });

  it('a read-only anonymous volume stays read-only', () => {
    const info = inspect();
    info.Mounts[2] = { Type: 'volume', Name: ANON, Destination: '/data', RW: false };
    expect(blueprintFromInspect(info)?.createBody.HostConfig).toMatchObject({
      Binds: ['media:/media:ro', `${ANON}:/data:ro`],
    });
  });

  it('an inspect without id, name or configuration gives no blueprint', () => {
    expect(blueprintFromInspect({ ...inspect(), Id: undefined })).toBeNull();
    expect(blueprintFromInspect({ ...inspect(), Config: null })).toBeNull();
    expect(blueprintFromInspect('nope')).toBeNull();
  });
});
