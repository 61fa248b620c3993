// @ts-check
/**
 * The live audit stream: one EventSource on `/api/events/stream` shared by every view, with
 * the connection state the header shows. The browser reconnects by itself (sending
 * Last-Event-ID); when it gives up (the server answered an error, or autoheal was down),
 * this reopens the stream with back-off and `?last_event_id=`, so no event is missed. Before
 * reopening it calls `beforeReopen` (the UI logs in again when its session has ended: the
 * stream is authenticated by the session cookie, never by a token in its URL).
 * The stream first names the store's epoch; when it is not the one this page last saw,
 * the ids started over (a fresh store) and everything the page holds is stale: the
 * `onReset` listeners start over, and ids are compared within the new epoch.
 */

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/** @typedef {'connecting' | 'live' | 'offline'} StreamState */
/** @typedef {import('./types.js').AuditEvent} AuditEvent */

/** States: `connecting`, `live`, `offline` (retrying after a delay). */
export class LiveStream {
  /** @type {EventSource | null} */
  #source = null;
  /** @type {number | null} */
  #lastId = null;
  /** @type {string | null} */
  #epoch = null;
  /** @type {Set<() => void>} */
  #resetListeners = new Set();
  #retryMs = RETRY_MIN_MS;
  /** @type {ReturnType<typeof setTimeout> | null} */
  #retryTimer = null;
  /** @type {Set<(event: AuditEvent) => void>} */
  #eventListeners = new Set();
  /** @type {Set<(state: StreamState) => void>} */
  #stateListeners = new Set();
  /** @type {() => Promise<void>} */
  #beforeReopen;
  /** @type {StreamState} */
  state = 'connecting';
  /** @type {number | null} */
  retryAt = null;

  /**
   * @param {() => Promise<void>} [beforeReopen]  Run before the stream is reopened after a failure.
   */
  constructor(beforeReopen = async () => {}) {
    this.#beforeReopen = beforeReopen;
  }

  /**
   * Starts streaming the events after `lastId` (null: only new ones).
   * @param {number | null} lastId
   */
  start(lastId) {
    this.#lastId = lastId;
    this.#open();
  }

  /**
   * `listener(event)` for every audit event, in id order.
   * @param {(event: AuditEvent) => void} listener
   * @returns {() => void} unsubscribe
   */
  onEvent(listener) {
    this.#eventListeners.add(listener);
    return () => {
      this.#eventListeners.delete(listener);
    };
  }

  /**
   * `listener()` when the store's ids started over: what the view holds is from before.
   * @param {() => void} listener
   * @returns {() => void} unsubscribe
   */
  onReset(listener) {
    this.#resetListeners.add(listener);
    return () => {
      this.#resetListeners.delete(listener);
    };
  }

  /**
   * `listener(state)` now and whenever the connection state changes.
   * @param {(state: StreamState) => void} listener
   * @returns {() => void} unsubscribe
   */
  onState(listener) {
    this.#stateListeners.add(listener);
    listener(this.state);
    return () => {
      this.#stateListeners.delete(listener);
    };
  }

  /** @param {StreamState} state */
  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.#stateListeners) listener(state);
  }

  #open() {
    this.#retryTimer = null;
    this.retryAt = null;
    this.#setState('connecting');
    const params = new URLSearchParams();
    if (this.#lastId !== null) params.set('last_event_id', String(this.#lastId));
    if (this.#epoch !== null) params.set('epoch', this.#epoch);
    const query = params.toString();
    const source = new EventSource(query === '' ? '/api/events/stream' : `/api/events/stream?${query}`);
    this.#source = source;
    source.addEventListener('open', () => {
      this.#retryMs = RETRY_MIN_MS;
      this.#setState('live');
    });
    source.addEventListener('epoch', (message) => {
      /** @type {unknown} */
      let epoch;
      try {
        epoch = JSON.parse(message.data)?.epoch;
      } catch {
        return;
      }
      if (typeof epoch !== 'string') return;
      const previous = this.#epoch;
      this.#epoch = epoch;
      if (previous === null || previous === epoch) return;
      // The store started over: an id kept from before means nothing now.
      this.#lastId = null;
      for (const listener of this.#resetListeners) listener();
    });
    source.addEventListener('audit', (message) => {
      /** @type {AuditEvent | null} */
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof event?.id !== 'number') return;
      if (this.#lastId !== null && event.id <= this.#lastId) return;
      this.#lastId = event.id;
      for (const listener of this.#eventListeners) listener(event);
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CONNECTING) {
        // The browser retries by itself, with Last-Event-ID.
        this.#setState('connecting');
        return;
      }
      source.close();
      this.#source = null;
      this.#scheduleRetry();
    });
  }

  #scheduleRetry() {
    const delay = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.retryAt = Date.now() + delay;
    this.#setState('offline');
    this.#retryTimer = setTimeout(async () => {
      try {
        await this.#beforeReopen();
      } catch {
        // Still not possible: the next retry asks again.
      }
      this.#open();
    }, delay);
  }

  /** Reconnects now (the indicator's button). */
  reconnectNow() {
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#source?.close();
    this.#retryMs = RETRY_MIN_MS;
    this.#open();
  }
}
