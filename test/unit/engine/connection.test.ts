import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createDockerClient,
  describeEndpoint,
  EngineClient,
  modemOptions,
  toEngineError,
} from '../../../src/engine/connection.js';
import { FakeEngineServer } from '../../support/fake-engine-server.js';

/** The modem's own fields, which its type declarations do not list. */
function modem(docker: Docker): Record<string, unknown> {
  return Object.fromEntries(Object.entries(docker.modem));
}

const ENV_KEYS = ['DOCKER_HOST', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY', 'DOCKER_CLIENT_TIMEOUT'] as const;

describe('DOCKER_HOST in the environment never beats the configured endpoint', () => {
  let engine: FakeEngineServer;
  const saved = new Map<string, string | undefined>();

  beforeEach(async () => {
    for (const k of ENV_KEYS) saved.set(k, process.env[k]);
    engine = new FakeEngineServer();
    await engine.listen();
  });

  afterEach(async () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await engine.dispose();
  });

  it('is a real hazard: plain dockerode given a socketPath talks to DOCKER_HOST instead', () => {
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    const naive = new Docker({ socketPath: engine.socketPath });
    expect(modem(naive).host).toBe('127.0.0.1');
    expect(modem(naive).socketPath).toBeUndefined();
  });

  it('talks to the unix socket even when DOCKER_HOST points elsewhere', async () => {
    process.env.DOCKER_HOST = 'tcp://127.0.0.1:9';
    process.env.DOCKER_CLIENT_TIMEOUT = '1';
    const docker = createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
    expect(modem(docker).host).toBeUndefined();
    expect(modem(docker).socketPath).toBe(engine.socketPath);
    expect(modem(docker).timeout).toBeUndefined();
    const client = new EngineClient({ kind: 'unix', socketPath: engine.socketPath });
    await client.request({ method: 'GET', path: '/_ping', ok: [200], timeoutMs: 2000 });
    expect(engine.pings).toBe(1);
    // The environment is left as it was.
    expect(process.env.DOCKER_HOST).toBe('tcp://127.0.0.1:9');
    expect(process.env.DOCKER_CLIENT_TIMEOUT).toBe('1');
  });

  it('does not trip over a DOCKER_CERT_PATH without cert.pem or an unparsable DOCKER_HOST', () => {
    process.env.DOCKER_HOST = 'tcp://[not a host';
    expect(() => new Docker({ socketPath: engine.socketPath })).toThrow(/DOCKER_HOST/);
    expect(() => createDockerClient({ kind: 'unix', socketPath: engine.socketPath })).not.toThrow();

    process.env.DOCKER_HOST = 'tcp://127.0.0.1:2376';
    process.env.DOCKER_CERT_PATH = '/nonexistent-cert-dir';
    expect(() => new Docker({ socketPath: engine.socketPath })).toThrow(/ENOENT/);
    const docker = createDockerClient({ kind: 'unix', socketPath: engine.socketPath });
    expect(modem(docker).protocol).toBe('http');
    expect(modem(docker).socketPath).toBe(engine.socketPath);
  });

  it('sets every connection key explicitly, so docker-modem env defaults merged underneath are overwritten', () => {
    const o = modemOptions({ kind: 'unix', socketPath: '/run/docker.sock' });
    for (const key of ['host', 'port', 'protocol', 'ca', 'cert', 'key', 'timeout', 'version', 'pathPrefix'])
      expect(key in o, key).toBe(true);
    expect(o).toMatchObject({
      socketPath: '/run/docker.sock',
      host: undefined,
      timeout: undefined,
      protocol: 'http',
    });
  });

  it('uses the tcp endpoint, not DOCKER_HOST', () => {
    process.env.DOCKER_HOST = 'unix:///var/run/other.sock';
    const docker = createDockerClient({ kind: 'tcp', host: 'docker-proxy', port: 2375 });
    expect(modem(docker).host).toBe('docker-proxy');
    expect(modem(docker).port).toBe(2375);
    expect(modem(docker).socketPath).toBeUndefined();
    expect(modem(docker).protocol).toBe('http');
  });
});

describe('TLS files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoheal-certs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads ca.pem, cert.pem and key.pem', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(join(dir, 'key.pem'), 'KEY');
    const o = modemOptions({ kind: 'tls', host: 'h', port: 2376, certPath: dir });
    expect(o).toMatchObject({ protocol: 'https', host: 'h', port: 2376, socketPath: undefined });
    expect([o.ca?.toString(), o.cert?.toString(), o.key?.toString()]).toEqual(['CA', 'CERT', 'KEY']);
  });

  it('accepts client-cert.pem and client-key.pem', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'client-cert.pem'), 'CCERT');
    writeFileSync(join(dir, 'client-key.pem'), 'CKEY');
    const o = modemOptions({ kind: 'tls', host: 'h', port: 2376, certPath: dir });
    expect([o.cert?.toString(), o.key?.toString()]).toEqual(['CCERT', 'CKEY']);
    const docker = createDockerClient({ kind: 'tls', host: 'h', port: 2376, certPath: dir });
    expect(modem(docker).protocol).toBe('https');
  });

  it('names the missing file', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    expect(() => modemOptions({ kind: 'tls', host: 'h', port: 2376, certPath: dir })).toThrow(
      `TLS client key not found in DOCKER_CERT_PATH ${dir} (looked for key.pem or client-key.pem)`,
    );
    rmSync(join(dir, 'ca.pem'));
    expect(() => modemOptions({ kind: 'tls', host: 'h', port: 2376, certPath: dir })).toThrow(/ca\.pem/);
  });
});

describe('endpoint and errors', () => {
  it('describes endpoints as a user writes them', () => {
    expect(describeEndpoint({ kind: 'unix', socketPath: '/var/run/docker.sock' })).toBe(
      'unix:///var/run/docker.sock',
    );
    expect(describeEndpoint({ kind: 'tcp', host: 'h', port: 2375 })).toBe('tcp://h:2375');
    expect(describeEndpoint({ kind: 'tls', host: 'h', port: 2376, certPath: '/certs' })).toBe(
      'tcps://h:2376',
    );
  });

  it('prefers the engine message of a docker-modem error', () => {
    const err = Object.assign(new Error('(HTTP code 409) unexpected - Container abc is paused '), {
      statusCode: 409,
      json: { message: 'Container abc is paused, unpause the container before stopping or killing' },
    });
    const e = toEngineError(err, 'unix:///x');
    expect(e.message).toBe('Container abc is paused, unpause the container before stopping or killing');
    expect(e.statusCode).toBe(409);
    const net = toEngineError(
      Object.assign(new Error('connect ECONNREFUSED /x'), { code: 'ECONNREFUSED' }),
      'unix:///x',
    );
    expect(net.message).toBe('cannot reach the Docker engine at unix:///x: connect ECONNREFUSED /x');
    expect(net.statusCode).toBeUndefined();
  });
});
