/**
 * The composition root: read the settings, build the store, the engine adapter, the
 * supervisor and the API, wire them, start, and stop cleanly on SIGTERM/SIGINT. No
 * decision is made here. (Longer than ~300 lines because it is the one list of what is
 * built and in which order it starts and stops; the domain's own wiring is
 * supervisor/parts.ts.)
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createApp } from './api/app.js';
import { startServer } from './api/server.js';
import { resolveApiToken } from './api/token.js';
import { ConfigError, loadSettings } from './config/load.js';
import type { Settings } from './config/settings.js';
import { ContainerMirror, MirrorContainerSource, MirroredEngine } from './engine/container-mirror.js';
import { ThrottledContainerSource } from './engine/container-source.js';
import { DockerEngine } from './engine/docker-engine.js';
import { DockerEventSource } from './engine/event-source.js';
import { detectOwnContainerId } from './engine/self.js';
import { PeerDirectory } from './fleet/discovery.js';
import { Fleet } from './fleet/fleet.js';
import { LocalHost } from './fleet/local-host.js';
import { registerFleetMetrics } from './fleet/metrics.js';
import { componentLogger, createRootLogger } from './log.js';
import { MetricsRegistry } from './metrics.js';
import { NOTICES } from './notify/notices.js';
import { Notifier } from './notify/notifier.js';
import { errorText } from './shared/errors.js';
import { LockHeldError } from './store/data-lock.js';
import { LowdbStore } from './store/lowdb-store.js';
import { OutageNotices } from './supervisor/outage-notices.js';
import { Supervisor } from './supervisor/supervisor.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** How long a shutdown may take, inside Docker's default 10 s stop grace. */
const SHUTDOWN_BUDGET_MS = 8_000;

/** A user's mistake at start-up: one line on stderr, no stack trace, exit code 2. */
function refuseToStart(message: string): never {
  process.stderr.write(`autoheal: ${message}\n`);
  process.exit(2);
}

function readSettings(): Settings {
  try {
    return loadSettings();
  } catch (err) {
    if (err instanceof ConfigError) refuseToStart(`configuration error: ${err.message}`);
    throw err;
  }
}

function registerEngineMetrics(metrics: MetricsRegistry, events: DockerEventSource): void {
  metrics.family(
    'autoheal_engine_events_total',
    'Engine events received, by action',
    'counter',
    ['action'],
    () => Object.entries(events.status().eventsByAction).map(([action, n]) => [{ action }, n] as const),
  );
  metrics.family(
    'autoheal_engine_parse_errors_total',
    'Lines of the event stream that did not parse',
    'counter',
    [],
    () => [[{}, events.status().parseErrors]],
  );
  metrics.family(
    'autoheal_engine_reconnects_total',
    'Times the event stream was re-established',
    'counter',
    [],
    () => [[{}, events.status().reconnects]],
  );
  metrics.family(
    'autoheal_engine_duplicates_dropped_total',
    'Replayed events dropped after a reconnect',
    'counter',
    [],
    () => [[{}, events.status().duplicatesDropped]],
  );
  metrics.family('autoheal_engine_connected', '1 while the event stream is up', 'gauge', [], () => [
    [{}, events.status().connected ? 1 : 0],
  ]);
}

/** What has been started so far; a stop closes exactly these, whenever it comes. */
interface Running {
  /** Set as soon as the store starts opening; a stop waits for the open before flushing. */
  store?: { store: LowdbStore; opened: Promise<void> };
  server?: Awaited<ReturnType<typeof startServer>>;
  events?: DockerEventSource;
  supervisor?: Supervisor;
  notifier?: Notifier;
  peers?: PeerDirectory;
  outages?: OutageNotices;
}

async function main(): Promise<void> {
  const settings = readSettings();
  const root = createRootLogger(settings.logLevel);
  const log = componentLogger(root, 'main');
  const metrics = new MetricsRegistry({ processMetrics: true });
  const running: Running = {};

  // Installed before anything starts: a stop during start-up still flushes what was recorded.
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    // Docker sends SIGKILL 10 s after SIGTERM by default: everything below fits in about 8 s,
    // and what is already recorded is on disk before anything that might overrun.
    const deadline = Date.now() + SHUTDOWN_BUDGET_MS;
    const left = (reserveMs: number) => Math.max(0, deadline - Date.now() - reserveMs);
    // An open that fails ends the process on its own (refuseToStart).
    const store = running.store ? await running.store.opened.then(() => running.store?.store) : undefined;
    const { server, events, supervisor, notifier, peers, outages } = running;
    await store?.flush();
    // A stop is no outage: the engine stream closing below must not start a notice's clock.
    outages?.stop();
    peers?.stop();
    await server?.close();
    await events?.stop();
    await supervisor?.stop(left(1_500));
    await notifier?.drain(Math.min(1_000, left(500)));
    await store?.close();
    log.info(store ? 'stopped; the store is flushed' : 'stopped before the store was open');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => {
    log.error({ err: errorText(reason) }, 'unhandled rejection (autoheal keeps running)');
  });
  process.on('uncaughtException', (err) => {
    log.fatal(
      { err: errorText(err), stack: err.stack },
      'uncaught exception: flushing the store and exiting',
    );
    void (running.store?.store.close() ?? Promise.resolve()).finally(() => process.exit(1));
  });

  const selfId = settings.selfId ?? detectOwnContainerId();
  const store = new LowdbStore({
    dataDir: settings.dataDir,
    eventsMax: settings.eventsMax,
    logger: componentLogger(root, 'store'),
    identity: { containerId: selfId },
    // Another autoheal writes here now: writing on would corrupt its files, and a flush too.
    onLockLost: () => process.exit(1),
  });
  const opened = store.open();
  running.store = { store, opened: opened.catch(() => new Promise<void>(() => {})) };
  try {
    await opened;
  } catch (err) {
    if (err instanceof LockHeldError) refuseToStart(err.message);
    refuseToStart(`cannot open the store in AUTOHEAL_DATA_DIR=${settings.dataDir}: ${errorText(err)}`);
  }
  // A stop came while the store opened: the shutdown flushes it and exits.
  if (stopping) return;

  const engineLogger = componentLogger(root, 'engine');
  let engine: DockerEngine;
  let events: DockerEventSource;
  try {
    const options = {
      endpoint: settings.docker,
      requestTimeoutS: settings.requestTimeoutS,
      logger: engineLogger,
    };
    engine = new DockerEngine({ ...options, metrics });
    events = new DockerEventSource(options);
  } catch (err) {
    // e.g. a tcps:// endpoint whose certificate files are missing from DOCKER_CERT_PATH.
    await store.close();
    refuseToStart(`cannot set up the connection to the Docker engine: ${errorText(err)}`);
  }
  registerEngineMetrics(metrics, events);
  const notifier = new Notifier({ settings, logger: root, metrics });
  // The engine out of reach for over AUTOHEAL_ENGINE_NOTICE_AFTER, or the store unwritable: the operator is told.
  const outages = new OutageNotices({
    notice: (text) => notifier.notice(text),
    store,
    dataDir: settings.dataDir,
    logger: root,
    engineGraceMs: settings.engineNoticeAfterS * 1000,
  });
  // Heals decide on the mirror instead of an inspect round trip while the stream is up, and
  // the API's container views read it instead of listing the engine per request.
  const mirror = new ContainerMirror();
  const mirrored = new MirroredEngine(engine, mirror);
  const supervisor = new Supervisor({
    engine: mirrored,
    store,
    settings,
    logger: root,
    metrics,
    notifier,
    selfId,
    containers: new MirrorContainerSource(mirror, new ThrottledContainerSource(mirrored)),
  });
  running.notifier = notifier;
  running.supervisor = supervisor;

  let token: string;
  try {
    token = (await resolveApiToken(settings, componentLogger(root, 'api'))).token;
  } catch (err) {
    await store.close();
    refuseToStart(`cannot set up the API token: ${errorText(err)}`);
  }
  if (stopping) return;
  const webDir = fileURLToPath(new URL('../web', import.meta.url));
  const fleetLogger = componentLogger(root, 'fleet');
  let listeningPort = settings.apiPort;
  const peers = new PeerDirectory({
    specs: settings.peers,
    ownPort: () => listeningPort,
    logger: fleetLogger,
  });
  const fleet = new Fleet({
    local: new LocalHost({
      settings,
      store,
      supervisor,
      engineStatus: () => events.status(),
      version: VERSION,
    }),
    directory: peers,
    peerToken: settings.peerToken,
    logger: fleetLogger,
  });
  registerFleetMetrics({
    metrics,
    store,
    host: settings.hostname,
    version: VERSION,
    peers: () => peers.peers().length,
  });
  const api = createApp({
    settings,
    store,
    supervisor,
    engineStatus: () => events.status(),
    queueStatus: () => supervisor.queueStatus(),
    metrics,
    token,
    readToken: settings.apiReadToken,
    logger: root,
    version: VERSION,
    startedAt: new Date(),
    notifications: notifier,
    ...(existsSync(webDir) ? { webDir } : {}),
    fleet,
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(
      api,
      { host: settings.apiHost, port: settings.apiPort, graceMs: 2_000 },
      componentLogger(root, 'api'),
    );
  } catch (err) {
    await store.close();
    refuseToStart(
      `cannot listen on AUTOHEAL_API_HOST=${settings.apiHost} AUTOHEAL_API_PORT=${settings.apiPort}: ${errorText(err)}`,
    );
  }
  running.server = server;
  if (stopping) {
    await server.close();
    return;
  }

  log.info(
    {
      version: VERSION,
      label: settings.containerLabel,
      interval_s: settings.intervalS,
      concurrency: settings.concurrency,
      data_dir: settings.dataDir,
      self_id: selfId?.slice(0, 12) ?? null,
      api: `http://${settings.apiHost.includes(':') ? `[${settings.apiHost}]` : settings.apiHost}:${server.port}`,
      host: settings.hostname,
      peers: settings.peers.length,
    },
    'autoheal starting',
  );

  listeningPort = server.port;
  running.peers = peers;
  void peers.start();
  supervisor.start();
  outages.start();
  running.outages = outages;
  if (settings.notifyStartup)
    notifier.notice(
      NOTICES.started({ version: VERSION, label: settings.containerLabel, intervalS: settings.intervalS }),
    );
  events.start({
    onEvent: (event) => {
      mirror.apply(event);
      supervisor.onEngineEvent(event);
    },
    onConnected: (info) => {
      mirror.streamConnected();
      outages.engineUp();
      supervisor.onEngineConnected(info);
    },
    onDisconnected: (info) => {
      mirror.streamLost();
      outages.engineDown(info.error);
      supervisor.onEngineDisconnected(info);
    },
  });
  running.events = events;
}

await main();
