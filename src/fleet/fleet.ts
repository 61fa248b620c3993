/**
 * One view of a fleet: this autoheal and its peers, asked at once with a deadline (a slow or
 * down peer is reported with its error and never delays the others), their answers merged,
 * and their live streams followed into one. Read-only: changes stay on each host.
 */
import type { Logger } from '../log.js';
import type { PeerProblem } from './discovery.js';
import { deadlineSignal, errorText, gather } from './gather.js';
import { byHost, fallbackName, hostCard, mergeContainers, mergeEvents } from './merge.js';
import { PeerHost } from './peer-client.js';
import type {
  FleetEventQuery,
  FleetHost,
  HostAnswer,
  HostedContainer,
  HostedEvent,
  HostIdentity,
  HostSource,
} from './types.js';

/** How long a host may take to answer one fan-in. */
export const PEER_TIMEOUT_MS = 2_000;
/** Reconnect delays of a followed stream, doubling from the first to the last. */
const FOLLOW_RETRY_MS = [1_000, 10_000] as const;
/** How often a followed fleet stream looks for peers that appeared or went away. */
const FOLLOW_RESCAN_MS = 5_000;

/** The peers as the directory knows them right now. */
export interface PeerList {
  readonly configured: boolean;
  peers(): string[];
  problems(): PeerProblem[];
}

export interface FleetOptions {
  local: HostSource;
  directory: PeerList;
  peerToken: string | null;
  logger: Logger;
  timeoutMs?: number;
  /** Makes the source of a peer URL; tests pass fakes. */
  peerSource?: (url: string) => HostSource;
}

export interface FleetHosts {
  /** Peers are configured: the UI shows its fleet view. */
  configured: boolean;
  hosts: FleetHost[];
}

/** A change on the merged live stream: an event of some host, or a host going up or down. */
export type FleetStreamItem =
  | { kind: 'audit'; event: HostedEvent }
  | { kind: 'host'; host: { host: string; url: string; self: boolean; ok: boolean; error: string | null } };

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export class Fleet {
  readonly #local: HostSource;
  readonly #directory: PeerList;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #peerSource: (url: string) => HostSource;
  readonly #peers = new Map<string, HostSource>();

  constructor(options: FleetOptions) {
    this.#local = options.local;
    this.#directory = options.directory;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? PEER_TIMEOUT_MS;
    this.#peerSource = options.peerSource ?? ((url) => new PeerHost(url, options.peerToken));
  }

  get configured(): boolean {
    return this.#directory.configured;
  }

  /** This host, then one source per current peer (kept per URL). */
  sources(): HostSource[] {
    const urls = this.#directory.peers();
    for (const url of [...this.#peers.keys()]) if (!urls.includes(url)) this.#peers.delete(url);
    const peers = urls.map((url) => {
      let source = this.#peers.get(url);
      if (source === undefined) {
        source = this.#peerSource(url);
        this.#peers.set(url, source);
      }
      return source;
    });
    return [this.#local, ...peers];
  }

  /** Asks every host for who it is and for `what`, under one deadline. */
  async #ask<T>(
    what: (source: HostSource, signal: AbortSignal) => Promise<T>,
    deadline: AbortSignal = deadlineSignal(this.#timeoutMs),
  ): Promise<{ identity: HostAnswer<HostIdentity>; value: HostAnswer<T> }[]> {
    const sources = this.sources();
    const [identities, values] = await Promise.all([
      gather(sources, (s, signal) => s.identity(signal), deadline),
      gather(sources, what, deadline),
    ]);
    return sources.map((_, i) => ({
      identity: identities[i] as HostAnswer<HostIdentity>,
      value: values[i] as HostAnswer<T>,
    }));
  }

  /** Entries of AUTOHEAL_PEERS that gave no peer right now, as cards that are down. */
  #problemCards(): FleetHost[] {
    return this.#directory.problems().map((p) => ({
      host: p.peer,
      url: p.peer,
      ui_url: '',
      self: false,
      ok: false,
      error: p.error,
      version: null,
      engine_connected: null,
      counts: null,
    }));
  }

  async hosts(deadline?: AbortSignal): Promise<FleetHosts> {
    const answers = await this.#ask((s, signal) => s.containers(signal), deadline);
    const hosts = answers.map((a) => hostCard({ identity: a.identity, containers: a.value }));
    for (const h of hosts)
      if (!h.ok) this.#logger.debug({ peer: h.url, err: h.error }, 'a peer did not answer');
    return { configured: this.configured, hosts: [...hosts.sort(byHost), ...this.#problemCards()] };
  }

  async containers(deadline?: AbortSignal): Promise<{ containers: HostedContainer[]; hosts: FleetHost[] }> {
    const answers = await this.#ask((s, signal) => s.containers(signal), deadline);
    const hosts = answers.map((a) => hostCard({ identity: a.identity, containers: a.value }));
    const parts = answers.flatMap((a, i) =>
      a.value.ok ? [{ host: (hosts[i] as FleetHost).host, containers: a.value.value }] : [],
    );
    return { containers: mergeContainers(parts), hosts: [...hosts.sort(byHost), ...this.#problemCards()] };
  }

  async events(
    query: FleetEventQuery,
    deadline?: AbortSignal,
  ): Promise<{ events: HostedEvent[]; hosts: FleetHost[] }> {
    const answers = await this.#ask((s, signal) => s.events(query, signal), deadline);
    const noContainers = { ok: true as const, value: [] };
    const hosts = answers.map((a) => {
      const card = hostCard({
        identity: a.identity,
        containers: { source: a.identity.source, ...noContainers },
      });
      const error = a.value.ok ? card.error : a.value.error;
      return { ...card, ok: card.ok && a.value.ok, error, counts: null };
    });
    const parts = answers.flatMap((a, i) =>
      a.value.ok ? [{ host: (hosts[i] as FleetHost).host, events: a.value.value }] : [],
    );
    return {
      events: mergeEvents(parts, query.limit),
      hosts: [...hosts.sort(byHost), ...this.#problemCards()],
    };
  }

  /**
   * Follows every host's live stream until `signal` aborts, calling `emit` with each event
   * (with its host) and each host going down or coming back. A host that fails is retried
   * with back-off from the event after its last one; the others are not affected.
   */
  async follow(emit: (item: FleetStreamItem) => void, signal: AbortSignal): Promise<void> {
    const running = new Map<HostSource, AbortController>();
    const loops: Promise<void>[] = [];
    const scan = () => {
      const sources = this.sources();
      for (const [source, controller] of running) {
        if (!sources.includes(source)) {
          controller.abort();
          running.delete(source);
        }
      }
      for (const source of sources) {
        if (running.has(source)) continue;
        const controller = new AbortController();
        running.set(source, controller);
        loops.push(this.#followOne(source, emit, AbortSignal.any([signal, controller.signal])));
      }
    };
    scan();
    while (!signal.aborted) {
      await abortableSleep(FOLLOW_RESCAN_MS, signal);
      if (!signal.aborted) scan();
    }
    for (const controller of running.values()) controller.abort();
    await Promise.all(loops);
  }

  async #followOne(
    source: HostSource,
    emit: (item: FleetStreamItem) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let host = fallbackName(source.url, source.self);
    let lastId: number | null = null;
    let retryMs: number = FOLLOW_RETRY_MS[0];
    let up: boolean | null = null;
    const say = (ok: boolean, error: string | null) => {
      if (up === ok) return;
      up = ok;
      emit({ kind: 'host', host: { host, url: source.url, self: source.self, ok, error } });
    };
    while (!signal.aborted) {
      try {
        const deadline = AbortSignal.any([signal, deadlineSignal(this.#timeoutMs)]);
        host = (await source.identity(deadline)).host;
        // Starting from its newest event: the page loads what came before from /api/fleet/events.
        if (lastId === null) lastId = (await source.events({ limit: 1 }, deadline))[0]?.id ?? 0;
        say(true, null);
        retryMs = FOLLOW_RETRY_MS[0];
        await source.follow(
          (event) => {
            lastId = event.id;
            emit({ kind: 'audit', event: { ...event, host } });
          },
          lastId,
          signal,
        );
      } catch (err) {
        if (signal.aborted) break;
        say(false, errorText(err));
        this.#logger.debug({ peer: source.url, err: errorText(err) }, 'following a host failed; retrying');
      }
      await abortableSleep(retryMs, signal);
      retryMs = Math.min(FOLLOW_RETRY_MS[1], retryMs * 2);
    }
  }
}
