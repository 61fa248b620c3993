// @ts-check
/**
 * Hooks the views share: polling a read while the view is shown, and following the live
 * stream's events.
 */
import { useEffect, useRef } from '/vendor/htm-preact.js';

/**
 * Calls `fn` now and every `ms` while the calling view is mounted.
 * @param {() => unknown} fn
 * @param {number} ms
 */
export function usePoll(fn, ms) {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    latest.current();
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/**
 * Calls `listener(event)` for every live audit event while the calling view is mounted.
 * @param {import('./stream.js').LiveStream} stream
 * @param {(event: import('./types.js').AuditEvent) => void} listener
 */
export function useStreamEvents(stream, listener) {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => stream.onEvent((event) => latest.current(event)), [stream]);
}
