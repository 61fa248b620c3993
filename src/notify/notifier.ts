/**
 * Tells people what autoheal did: the webhook, Apprise and the post-restart script, each
 * delivered in the background with a deadline and one retry, so a slow or dead receiver
 * never delays a heal. Failures are logged (without the URL's secret parts) and counted.
 * (A little over ~300 lines: the three channels share one delivery life — deadline, retry,
 * in-flight tracking and drain at shutdown — which splitting would scatter; the wording of a
 * message is in ./message.ts and the script runner in ./script.ts.)
 */
import type { Settings } from '../config/settings.js';
import { componentLogger, containerLogger, type Logger } from '../log.js';
import type { Counter, MetricsRegistry } from '../metrics.js';
import { shortId } from '../shared/container-ref.js';
import { redactUrl, redactUrlIn } from '../shared/redact.js';
import { formatNotification, type Notification } from './message.js';
import { type RunScript, runScriptFile } from './script.js';

export type { Notification, NotificationKind } from './message.js';
export { formatNotification } from './message.js';
export type { RunScript, ScriptResult } from './script.js';

export type Channel = 'webhook' | 'apprise' | 'script';

/** One channel's answer to a test message (`POST /api/notifications/test`). */
export interface ChannelResult {
  channel: 'webhook' | 'apprise';
  ok: boolean;
  /** Why it failed (the receiver's scheme and host only, never the URL's secret parts); null when ok. */
  error: string | null;
}

export interface NotifierDeps {
  settings: Settings;
  /** The root logger; lines carry `component: notify`. */
  logger: Logger;
  metrics: MetricsRegistry;
  fetch?: typeof globalThis.fetch;
  runScript?: RunScript;
  /** Deadline of one HTTP attempt. */
  timeoutMs?: number;
  /** Pause before the single retry of a failed HTTP attempt. */
  retryDelayMs?: number;
  /** Deadline of the post-restart script; it is killed after that. */
  scriptTimeoutMs?: number;
}

export interface PostRestartScriptCall {
  containerName: string;
  containerId: string;
  /** The container's state, passed on as the script's third argument (e.g. `running`). */
  state: string;
  stopTimeoutS: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_DELAY_MS = 2_000;
const DEFAULT_SCRIPT_TIMEOUT_MS = 60_000;

type Attempt = { ok: true; status: number } | { ok: false; status?: number; error: string; final?: boolean };

/**
 * The request a configured URL becomes. Node's fetch refuses a URL with user-info, so
 * `https://user:pass@host/…` is sent to `https://host/…` with `Authorization: Basic`.
 */
export function deliveryTarget(url: string): { url: string; authorization: string | null } {
  const u = new URL(url);
  if (u.username === '' && u.password === '') return { url, authorization: null };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

export class Notifier {
  private readonly settings: Settings;
  private readonly log: Logger;
  private readonly counter: Counter;
  private readonly fetch: typeof globalThis.fetch;
  private readonly runScript: RunScript;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly scriptTimeoutMs: number;
  private readonly inflight = new Set<Promise<void>>();

  constructor(deps: NotifierDeps) {
    this.settings = deps.settings;
    this.log = componentLogger(deps.logger, 'notify');
    this.counter = deps.metrics.counter(
      'autoheal_notifications_total',
      'Notifications by channel (webhook, apprise, script) and result (sent, failed).',
    );
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.runScript = deps.runScript ?? runScriptFile;
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryDelayMs = deps.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.scriptTimeoutMs = deps.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
  }

  /** Sends `n` to every configured channel in the background and returns at once; never throws. */
  notify(n: Notification): void {
    try {
      const { webhookUrl, webhookJsonKey, appriseUrl, hostname } = this.settings;
      if (webhookUrl === null && appriseUrl === null) return;
      const message = formatNotification(n, hostname);
      const log = containerLogger(this.log, n.containerName, n.containerId);
      if (webhookUrl !== null) {
        this.track(this.deliver('webhook', webhookUrl, { [webhookJsonKey]: message }, log));
      }
      if (appriseUrl !== null) {
        this.track(this.deliver('apprise', appriseUrl, { title: 'Autoheal', body: message }, log));
      }
    } catch (err) {
      this.log.error({ err, kind: n?.kind }, 'could not queue a notification');
    }
  }

  /** Sends a message about no single container (maintenance started) in the background. */
  notice(text: string): void {
    try {
      const { webhookUrl, webhookJsonKey, appriseUrl, hostname } = this.settings;
      const message = `[${hostname}] ${text}`;
      if (webhookUrl !== null)
        this.track(this.deliver('webhook', webhookUrl, { [webhookJsonKey]: message }, this.log));
      if (appriseUrl !== null)
        this.track(this.deliver('apprise', appriseUrl, { title: 'Autoheal', body: message }, this.log));
    } catch (err) {
      this.log.error({ err }, 'could not queue a notice');
    }
  }

  /**
   * Sends a test message through every configured channel, once each (no retry), and
   * answers with each one's result; [] when none is configured.
   */
  async test(): Promise<ChannelResult[]> {
    const { webhookUrl, webhookJsonKey, appriseUrl, hostname } = this.settings;
    const message = `[${hostname}] Test message from autoheal: notifications reach you`;
    const channels: Array<{
      channel: ChannelResult['channel'];
      url: string;
      payload: Record<string, string>;
    }> = [];
    if (webhookUrl !== null)
      channels.push({ channel: 'webhook', url: webhookUrl, payload: { [webhookJsonKey]: message } });
    if (appriseUrl !== null)
      channels.push({ channel: 'apprise', url: appriseUrl, payload: { title: 'Autoheal', body: message } });
    return Promise.all(
      channels.map(async ({ channel, url, payload }) => {
        const result = await this.attempt(url, JSON.stringify(payload));
        this.counter.inc({ channel, result: result.ok ? 'sent' : 'failed' });
        const target = redactUrl(url);
        if (result.ok) {
          this.log.info({ channel, target }, 'test notification sent');
          return { channel, ok: true, error: null };
        }
        this.log.warn(
          { channel, target, error: result.error },
          `test ${channel} notification to ${target} failed`,
        );
        return { channel, ok: false, error: `${target}: ${result.error}` };
      }),
    );
  }

  /**
   * Runs `POST_RESTART_SCRIPT <name> <short id> <state> <stop timeout>` in the background,
   * the arguments willfarrell/docker-autoheal passes; returns at once, never throws.
   */
  runPostRestartScript(call: PostRestartScriptCall): void {
    const file = this.settings.postRestartScript;
    if (file === null) return;
    try {
      const args = [call.containerName, shortId(call.containerId), call.state, String(call.stopTimeoutS)];
      const log = containerLogger(this.log, call.containerName, call.containerId);
      this.track(this.execute(file, args, log));
    } catch (err) {
      this.log.error({ err }, 'could not queue the post-restart script');
    }
  }

  /** Deliveries and scripts still running. */
  pending(): number {
    return this.inflight.size;
  }

  /** Waits for in-flight deliveries, at most `timeoutMs`; those still running are left to finish alone. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Loop: a notification queued while draining is waited for too.
    while (this.inflight.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      const expired = await Promise.race([
        Promise.all([...this.inflight]).then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), remaining);
        }),
      ]);
      clearTimeout(timer);
      if (expired) return;
    }
  }

  private track(work: Promise<void>): void {
    const settled: Promise<void> = work
      .catch((err: unknown) => {
        this.log.error({ err }, 'notification delivery crashed');
      })
      .finally(() => {
        this.inflight.delete(settled);
      });
    this.inflight.add(settled);
  }

  private async deliver(
    channel: 'webhook' | 'apprise',
    url: string,
    payload: Record<string, string>,
    log: Logger,
  ): Promise<void> {
    const target = redactUrl(url);
    const body = JSON.stringify(payload);
    let result = await this.attempt(url, body);
    let attempts = 1;
    // A redirect is refused, not retried: the receiver answered, just not as a receiver should.
    if (!result.ok && result.final !== true) {
      log.debug(
        { channel, target, status: result.status, error: result.error },
        'notification failed, retrying',
      );
      await sleep(this.retryDelayMs);
      result = await this.attempt(url, body);
      attempts = 2;
    }
    if (result.ok) {
      this.counter.inc({ channel, result: 'sent' });
      log.debug({ channel, target, status: result.status, attempts }, 'notification sent');
    } else {
      this.counter.inc({ channel, result: 'failed' });
      log.warn(
        { channel, target, status: result.status, error: result.error, attempts },
        `${channel} notification to ${target} failed: ${result.error}`,
      );
    }
  }

  private async attempt(url: string, body: string): Promise<Attempt> {
    try {
      const target = deliveryTarget(url);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (target.authorization !== null) headers.authorization = target.authorization;
      const res = await this.fetch(target.url, {
        method: 'POST',
        headers,
        body,
        // A followed 307 would repeat this POST, body included, wherever the receiver points
        // (e.g. a socket proxy on the same network): never follow.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is not needed; cancelling it frees the connection.
      await res.body?.cancel().catch(() => undefined);
      if (res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400)) {
        return {
          ok: false,
          status: res.status,
          error: `the receiver answered a redirect (HTTP ${res.status}), which autoheal does not follow`,
          final: true,
        };
      }
      return res.ok
        ? { ok: true, status: res.status }
        : { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, error: redactUrlIn(describeFetchError(err, this.timeoutMs), url) };
    }
  }

  private async execute(file: string, args: string[], log: Logger): Promise<void> {
    let result: Awaited<ReturnType<RunScript>>;
    try {
      result = await this.runScript(file, args, this.scriptTimeoutMs, this.settings.scriptEnv);
    } catch (err) {
      this.counter.inc({ channel: 'script', result: 'failed' });
      const code = errorCode(err);
      const why =
        code === 'ENOENT'
          ? 'it does not exist'
          : code === 'EACCES'
            ? 'it is not executable'
            : err instanceof Error
              ? err.message
              : String(err);
      log.warn(
        { channel: 'script', script: file, code },
        `POST_RESTART_SCRIPT ${file} could not be started: ${why}`,
      );
      return;
    }
    if (result.code === 0 && !result.timedOut) {
      this.counter.inc({ channel: 'script', result: 'sent' });
      log.debug({ channel: 'script', script: file }, 'post-restart script ran');
      return;
    }
    this.counter.inc({ channel: 'script', result: 'failed' });
    const how = result.timedOut
      ? `was killed after ${this.scriptTimeoutMs} ms`
      : result.code !== null
        ? `exited with code ${result.code}`
        : `was ended by ${result.signal ?? 'a signal'}`;
    log.warn(
      {
        channel: 'script',
        script: file,
        exit_code: result.code,
        signal: result.signal ?? null,
        timed_out: result.timedOut === true,
        stderr: result.stderr,
      },
      `POST_RESTART_SCRIPT ${file} ${how}`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return undefined;
}

/** fetch hides the useful part ("ECONNREFUSED", "timeout") behind "fetch failed" and `cause`. */
function describeFetchError(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    const code = errorCode(cause);
    return code ? `${code}: ${cause.message}` : `${err.message}: ${cause.message}`;
  }
  return err.message;
}
