/**
 * The bench's own line to the Docker engine: plain HTTP on the unix socket, independent of
 * autoheal's engine code, so the limit and the polling baseline are not built on the thing
 * they are compared with. Also the event stream the bench reads its timestamps from.
 */
import http from 'node:http';

export const ENGINE_SOCKET = process.env.DOCKER_SOCK ?? '/var/run/docker.sock';

/** Unbounded keep-alive connections: the limit restarts everything at once. */
const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });

export interface EngineReply {
  status: number;
  body: string;
}

export function engineRequest(
  method: string,
  path: string,
  socketPath = ENGINE_SOCKET,
): Promise<EngineReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** One raw engine event, with the fields the bench reads. */
export interface RawEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  /** Exact digits, read from the line (JSON numbers lose them). */
  timeNano: string;
}

export interface EventSubscription {
  close(): void;
}

/**
 * Subscribes to container events with the given engine filters; resolves once the engine
 * has answered (so nothing after the call is missed).
 */
export function subscribeEvents(
  filters: Record<string, string[]>,
  onEvent: (event: RawEvent) => void,
  socketPath = ENGINE_SOCKET,
): Promise<EventSubscription> {
  const path = `/events?filters=${encodeURIComponent(JSON.stringify({ type: ['container'], ...filters }))}`;
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method: 'GET', path }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`the engine answered ${res.statusCode} to GET /events`));
        res.resume();
        return;
      }
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let nl = pending.indexOf('\n');
        while (nl !== -1) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          nl = pending.indexOf('\n');
          if (line.trim() === '') continue;
          const parsed = JSON.parse(line) as Omit<RawEvent, 'timeNano'>;
          const nano = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1] ?? '0';
          onEvent({ ...parsed, timeNano: nano });
        }
      });
      res.on('error', () => {});
      resolve({ close: () => req.destroy() });
    });
    req.on('error', (err) => reject(err));
    req.end();
  });
}
