/**
 * The grammar of `AUTOHEAL_PEERS`: a comma-separated list of peer autoheals, each a base URL
 * (`http(s)://host:port`) or `dns+tasks.<service>:<port>`, Docker Swarm's name for every
 * task of a service. Parsing only; resolving the names is `src/fleet/discovery.ts`'s job.
 */
import type { PeerSpec } from './settings.js';

export const PEERS_ACCEPTS =
  'accepts comma-separated base URLs (http://host:port or https://host:port) and/or dns+tasks.<service>:<port>';

/** Docker service names: letters, digits, `_`, `.` and `-`, starting with a letter or digit. */
const DNS_PEER = /^dns\+(tasks\.[A-Za-z0-9][A-Za-z0-9_.-]{0,62}):(\d{1,5})$/;
const MAX_PEERS = 100;

/** One entry, or a reason (a sentence fragment) why it is not one. */
function parseEntry(entry: string): PeerSpec | string {
  if (entry.startsWith('dns+')) {
    const match = DNS_PEER.exec(entry);
    const port = Number(match?.[2]);
    if (!match?.[1] || !Number.isInteger(port) || port < 1 || port > 65_535) {
      return `${JSON.stringify(entry)} is not dns+tasks.<service>:<port> with a port from 1 to 65535`;
    }
    return { kind: 'dns', name: match[1], port };
  }
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `${JSON.stringify(entry)} is neither a URL nor dns+tasks.<service>:<port>`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${JSON.stringify(entry)} is not an http:// or https:// URL`;
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    // The entry itself is not echoed: it may carry a password.
    return `the entry for ${url.host} must be a bare base URL (no credentials, query or fragment; the token is AUTOHEAL_PEER_TOKEN)`;
  }
  // A base URL: `http://h:1/` and `http://h:1` are the same peer; a path prefix is kept.
  return { kind: 'url', url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** Parses the list; throws an Error whose message is one line naming the bad entry. */
export function parsePeers(value: string): PeerSpec[] {
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length > MAX_PEERS) throw new Error(`it ${PEERS_ACCEPTS}, at most ${MAX_PEERS} of them`);
  const peers: PeerSpec[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const peer = parseEntry(entry);
    if (typeof peer === 'string') throw new Error(`${peer}; it ${PEERS_ACCEPTS}`);
    const key = peer.kind === 'url' ? peer.url : `${peer.name}:${peer.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    peers.push(peer);
  }
  return peers;
}
