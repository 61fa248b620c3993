/**
 * Which peers there are: the URLs of `AUTOHEAL_PEERS` as given, and for each
 * `dns+tasks.<service>:<port>` every address Docker Swarm's DNS gives for `tasks.<service>`
 * (one per task), looked up again every `refreshMs`. This autoheal leaves itself out: an
 * address of one of its own interfaces on its own port is not a peer. A name that cannot
 * be resolved keeps its last addresses and is reported as a problem.
 */
import { lookup, Resolver } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import type { PeerSpec } from '../config/settings.js';
import type { Logger } from '../log.js';
import { errorText } from './gather.js';

/** Re-resolution period of `dns+` peers: Swarm adds and removes tasks as nodes come and go. */
export const PEER_REFRESH_MS = 30_000;

/** An entry that gave no peer right now, and why (shown in the fleet view). */
export interface PeerProblem {
  peer: string;
  error: string;
}

/** Resolves a name to all of its addresses. */
export type Resolve = (name: string) => Promise<string[]>;

/**
 * A and AAAA records asked of the DNS server separately, each given 2 s: Docker's embedded
 * DNS may pass an AAAA question it cannot answer on to an upstream server that never
 * replies, and that must not hold up the tasks' IPv4 addresses. When DNS gives nothing, the
 * system resolver (which also reads /etc/hosts) has the last word.
 */
const resolveAll: Resolve = async (name) => {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  const found = [
    ...(v4.status === 'fulfilled' ? v4.value : []),
    ...(v6.status === 'fulfilled' ? v6.value : []),
  ];
  if (found.length > 0) return found;
  return (await lookup(name, { all: true })).map((a) => a.address);
};

/** After a failed lookup (e.g. a task whose network is not up yet), the next one comes sooner. */
export const PEER_RETRY_MS = 5_000;

/** Every address of this machine's (or container's) interfaces. */
export function ownAddresses(): Set<string> {
  const out = new Set<string>(['127.0.0.1', '::1', 'localhost']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.add(a.address);
  return out;
}

/** `http://host:port` with IPv6 literals in brackets. */
export function baseUrl(address: string, port: number): string {
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function isSelf(url: string, self: { addresses: ReadonlySet<string>; port: number }): boolean {
  try {
    const u = new URL(url);
    const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
    return port === self.port && self.addresses.has(u.hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

/** The peers' base URLs, deduplicated, without this autoheal. Pure. */
export function expandPeers(
  specs: readonly PeerSpec[],
  resolved: ReadonlyMap<string, readonly string[]>,
  self: { addresses: ReadonlySet<string>; port: number },
): string[] {
  const urls: string[] = [];
  for (const spec of specs) {
    if (spec.kind === 'url') urls.push(spec.url);
    else for (const address of resolved.get(spec.name) ?? []) urls.push(baseUrl(address, spec.port));
  }
  return [...new Set(urls)].filter((url) => !isSelf(url, self));
}

export interface PeerDirectoryOptions {
  specs: readonly PeerSpec[];
  /** The port this autoheal's API listens on (to recognise itself). */
  ownPort: () => number;
  logger: Logger;
  resolve?: Resolve;
  addresses?: () => Set<string>;
  refreshMs?: number;
}

export class PeerDirectory {
  readonly #specs: readonly PeerSpec[];
  readonly #ownPort: () => number;
  readonly #logger: Logger;
  readonly #resolve: Resolve;
  readonly #addresses: () => Set<string>;
  readonly #refreshMs: number;
  readonly #resolved = new Map<string, string[]>();
  readonly #problems = new Map<string, string>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: PeerDirectoryOptions) {
    this.#specs = options.specs;
    this.#ownPort = options.ownPort;
    this.#logger = options.logger;
    this.#resolve = options.resolve ?? resolveAll;
    this.#addresses = options.addresses ?? ownAddresses;
    this.#refreshMs = options.refreshMs ?? PEER_REFRESH_MS;
  }

  /** Peers are configured (the UI shows the fleet view). */
  get configured(): boolean {
    return this.#specs.length > 0;
  }

  /** The peers' base URLs right now. */
  peers(): string[] {
    return expandPeers(this.#specs, this.#resolved, { addresses: this.#addresses(), port: this.#ownPort() });
  }

  problems(): PeerProblem[] {
    return [...this.#problems].map(([peer, error]) => ({ peer, error }));
  }

  /** Looks every `dns+` name up once. Never rejects. */
  async refresh(): Promise<void> {
    await Promise.all(
      this.#specs.map(async (spec) => {
        if (spec.kind !== 'dns') return;
        const peer = `dns+${spec.name}:${spec.port}`;
        try {
          const addresses = [...new Set(await this.#resolve(spec.name))].sort();
          const before = this.#resolved.get(spec.name)?.join(',');
          this.#resolved.set(spec.name, addresses);
          this.#problems.delete(peer);
          if (before !== addresses.join(','))
            this.#logger.info({ peer, addresses }, 'peer addresses resolved');
        } catch (err) {
          const error = `cannot resolve ${spec.name}: ${errorText(err)}`;
          if (this.#problems.get(peer) !== error)
            this.#logger.warn({ peer, err: errorText(err) }, 'peer lookup failed');
          this.#problems.set(peer, error);
        }
      }),
    );
  }

  /** Resolves now and then every `refreshMs` (sooner after a failure) until `stop`. */
  async start(): Promise<void> {
    if (!this.#specs.some((s) => s.kind === 'dns')) return;
    this.#stopped = false;
    await this.refresh();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const delay = this.#problems.size > 0 ? Math.min(PEER_RETRY_MS, this.#refreshMs) : this.#refreshMs;
    this.#timer = setTimeout(() => {
      void this.refresh().then(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
