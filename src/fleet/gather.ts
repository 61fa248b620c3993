/**
 * The fan-in: asks every host at once and waits for each at most until the deadline
 * signal fires. A host that has not answered by then is reported with an error; it never
 * delays the others, even when its call ignores the signal.
 */
import type { HostAnswer, HostSource } from './types.js';

/** The text of a failure, one line, without a stack. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

function deadlineReached(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

export async function gather<T>(
  sources: readonly HostSource[],
  ask: (source: HostSource, signal: AbortSignal) => Promise<T>,
  deadline: AbortSignal,
): Promise<HostAnswer<T>[]> {
  const late = deadlineReached(deadline);
  late.catch(() => {});
  return Promise.all(
    sources.map(async (source): Promise<HostAnswer<T>> => {
      try {
        const value = await Promise.race([ask(source, deadline), late]);
        return { source, ok: true, value };
      } catch (err) {
        return { source, ok: false, error: errorText(err) };
      }
    }),
  );
}

/** The reason a deadline signal carries, so a late host's error says what happened. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
  constructor(ms: number) {
    super(`no answer within ${ms / 1000} s`);
  }
}

/** An AbortSignal that fires after `ms` with a NoAnswerError. */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new NoAnswerError(ms)), ms);
  timer.unref();
  return controller.signal;
}
