/**
 * The UI's live stream (web/lib/stream.js) in Node, with a stand-in EventSource the test
 * drives: what reaches the views when autoheal comes back with a store that started over.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

type Listener = (message: { data: string }) => void;

class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  private readonly listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    FakeEventSource.opened.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
  emit(type: string, data: unknown = {}): void {
    if (type === 'open') this.readyState = FakeEventSource.OPEN;
    for (const l of this.listeners.get(type) ?? []) l({ data: JSON.stringify(data) });
  }
  /** The server went away and the browser gave up on this source. */
  fail(): void {
    this.readyState = FakeEventSource.CLOSED;
    for (const l of this.listeners.get('error') ?? []) l({ data: '' });
  }
}

interface StreamClient {
  start(lastId: number | null): void;
  onEvent(listener: (event: { id: number }) => void): () => void;
  onReset(listener: () => void): () => void;
  reconnectNow(): void;
}

const globals = globalThis as unknown as { EventSource?: unknown };

beforeEach(() => {
  FakeEventSource.opened = [];
  globals.EventSource = FakeEventSource;
});

afterEach(() => {
  delete globals.EventSource;
});

async function client(): Promise<StreamClient> {
  // @ts-expect-error: plain browser JavaScript without type declarations.
  const { LiveStream } = (await import('../../../web/lib/stream.js')) as {
    LiveStream: new () => StreamClient;
  };
  return new LiveStream();
}

describe('the live stream in the browser', () => {
  it('after the store started over (a new epoch), new events reach the views and they start over', async () => {
    const stream = await client();
    const seen: number[] = [];
    let resets = 0;
    stream.onEvent((e) => seen.push(e.id));
    stream.onReset(() => {
      resets += 1;
    });
    stream.start(498);
    const first = FakeEventSource.opened[0] as FakeEventSource;
    first.emit('open');
    first.emit('epoch', { epoch: 'epoch-a' });
    first.emit('audit', { id: 499 });
    first.emit('audit', { id: 500 });
    expect(seen).toEqual([499, 500]);

    // autoheal comes back with a fresh store: ids start at 1 again.
    first.fail();
    stream.reconnectNow();
    const second = FakeEventSource.opened[1] as FakeEventSource;
    expect(second.url).toBe('/api/events/stream?last_event_id=500&epoch=epoch-a');
    second.emit('open');
    second.emit('epoch', { epoch: 'epoch-b' });
    second.emit('audit', { id: 1 });
    second.emit('audit', { id: 2 });
    expect(seen).toEqual([499, 500, 1, 2]);
    expect(resets).toBe(1);
  });

  it('the same epoch again drops nothing new and replays nothing twice', async () => {
    const stream = await client();
    const seen: number[] = [];
    let resets = 0;
    stream.onEvent((e) => seen.push(e.id));
    stream.onReset(() => {
      resets += 1;
    });
    stream.start(null);
    const first = FakeEventSource.opened[0] as FakeEventSource;
    first.emit('epoch', { epoch: 'epoch-a' });
    first.emit('audit', { id: 7 });
    first.emit('epoch', { epoch: 'epoch-a' });
    first.emit('audit', { id: 7 });
    first.emit('audit', { id: 8 });
    expect(seen).toEqual([7, 8]);
    expect(resets).toBe(0);
  });
});
