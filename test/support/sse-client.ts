/**
 * A minimal server-sent-events reader for the end-to-end tests: connects with fetch,
 * parses `event:`/`id:`/`data:` blocks, and keeps every `audit` event it saw.
 */
import type { AuditEvent } from '../../src/store/types.js';
import { sleep } from './docker-fixtures.js';

export interface SseClient {
  readonly events: AuditEvent[];
  waitFor(predicate: (e: AuditEvent) => boolean, timeoutMs: number, what: string): Promise<AuditEvent>;
  close(): void;
}

export async function openAuditStream(
  url: string,
  lastEventId?: number,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: lastEventId === undefined ? headers : { ...headers, 'last-event-id': String(lastEventId) },
    signal: controller.signal,
  });
  if (!res.ok || !res.body) throw new Error(`SSE ${url} answered ${res.status}`);
  const events: AuditEvent[] = [];
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const type = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (type === 'audit' && data) events.push(JSON.parse(data) as AuditEvent);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close(): nothing to do.
    }
  })();
  return {
    events,
    async waitFor(predicate, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) {
          throw new Error(
            `SSE: no ${what} within ${timeoutMs} ms; saw ${events.map((e) => e.event_type).join(', ')}`,
          );
        }
        await sleep(100);
      }
    },
    close: () => controller.abort(),
  };
}
