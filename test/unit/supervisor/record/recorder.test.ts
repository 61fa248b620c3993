import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../../../src/metrics.js';
import { MemoryStore } from '../../../../src/store/memory-store.js';
import { auditEventOf } from '../../../../src/supervisor/record/messages.js';
import { Recorder } from '../../../../src/supervisor/record/recorder.js';
import { RecordingNotifier } from '../../../support/supervisor-harness.js';

const WEB = { id: 'a'.repeat(64), name: 'web' };
const DB = { id: 'b'.repeat(64), name: 'db' };

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const store = new MemoryStore({ eventsMax: 100, now: () => new Date(Date.UTC(2026, 0, 1)) });
  const metrics = new MetricsRegistry();
  const notifier = new RecordingNotifier();
  const recorder = new Recorder({ store, metrics, logger: pino({ level: 'debug' }, stream), notifier });
  return { store, metrics, recorder, lines, notifier };
}

/** The value of one sample in the exposition text, whatever order its labels are in. */
async function sample(
  metrics: MetricsRegistry,
  name: string,
  labels: Record<string, string>,
): Promise<number | null> {
  for (const line of (await metrics.render()).split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (
      Object.entries(labels).every(([k, v]) => have[k] === v) &&
      Object.keys(have).length === Object.keys(labels).length
    )
      return Number(m[3]);
  }
  return null;
}

describe('the recorder writes an outcome down once: audit event, metric, log line', () => {
  it('a skipped heal becomes a skipped event, counts by reason and logs its reason', async () => {
    const { store, metrics, recorder, lines } = setup();
    const event = recorder.record({
      kind: 'skipped',
      c: WEB,
      trigger: 'event',
      reason: 'not_running',
      detail: 'it is not running',
      details: { state: 'exited', health: null },
    });
    expect(event).toMatchObject({
      event_type: 'skipped',
      container_id: WEB.id,
      container_name: 'web',
      status: 'not_running',
      message: 'Did not restart web: it is not running',
      details: { trigger: 'event', state: 'exited', health: null },
    });
    expect((await store.find()).map((e) => e.id)).toEqual([event.id]);
    expect(await sample(metrics, 'autoheal_heals_skipped_total', { reason: 'not_running' })).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({
        component: 'heal',
        container: 'web',
        msg: 'not restarted: it is not running',
      }),
    ]);
  });

  it('a failed restart with a retry says when it retries and counts as failed', async () => {
    const { metrics, recorder } = setup();
    const event = recorder.record({
      kind: 'acted',
      c: WEB,
      action: 'restart',
      trigger: 'event',
      durationMs: 120,
      stopTimeoutS: 10,
      error: 'boom',
      retryAtMs: 31_000,
      endMs: 1_000,
    });
    expect(event.status).toBe('failed');
    expect(event.message).toBe(
      'Restart of web after health_status: unhealthy failed in 120 ms: boom; retrying in 30 s',
    );
    expect(event.details).toMatchObject({ error: 'boom', retry_at: new Date(31_000).toISOString() });
    expect(await sample(metrics, 'autoheal_restarts_total', { result: 'failed', action: 'restart' })).toBe(1);
  });

  it("a dependent's restart counts as a restart and names the container whose network it uses", async () => {
    const { metrics, recorder } = setup();
    const event = recorder.record({
      kind: 'dependent_acted',
      c: DB,
      parent: WEB,
      action: 'restart',
      durationMs: 5,
      stopTimeoutS: 10,
      error: null,
    });
    expect(event.message).toBe(
      'Restarted db because it uses the network of web, which was restarted (in 5 ms)',
    );
    expect(event.details).toMatchObject({ trigger: 'dependent', dependency: 'web', dependency_id: WEB.id });
    expect(await sample(metrics, 'autoheal_restarts_total', { result: 'success', action: 'restart' })).toBe(
      1,
    );
  });

  it('a re-create is written down under the new id and counted', async () => {
    const { metrics, recorder } = setup();
    const event = recorder.record({
      kind: 'recreated',
      c: DB,
      newId: 'c'.repeat(64),
      parentName: 'web',
      durationMs: 40,
      details: { trigger: 'parent_replaced' },
    });
    expect(event).toMatchObject({
      event_type: 'recreate',
      container_id: 'c'.repeat(64),
      details: { trigger: 'parent_replaced', old_id: DB.id, new_id: 'c'.repeat(64) },
    });
    expect(await sample(metrics, 'autoheal_dependents_recreated_total', { result: 'success' })).toBe(1);
  });

  it('events about no container carry no container', async () => {
    expect(
      auditEventOf({ kind: 'engine_disconnected', wasConnected: true, error: 'EPIPE', retryInMs: 2000 }),
    ).toEqual({
      event_type: 'engine',
      status: 'disconnected',
      message: 'Lost the Docker engine: EPIPE; retrying in 2 s',
      details: { error: 'EPIPE', retry_in_ms: 2000 },
    });
  });
});

describe('the recorder also sends the notification an outcome calls for', () => {
  it('a restart notifies with its reason, probe output and duration, and runs the post-restart script', () => {
    const { recorder, notifier, lines } = setup();
    recorder.record({
      kind: 'acted',
      c: WEB,
      action: 'restart',
      trigger: 'event',
      durationMs: 80,
      stopTimeoutS: 10,
      error: null,
      retryAtMs: null,
      endMs: 1_000,
      reason: 'curl: connection refused',
    });
    expect(notifier.sent).toEqual([
      {
        kind: 'restart',
        containerName: 'web',
        containerId: WEB.id,
        reason: 'health_status: unhealthy',
        probeOutput: 'curl: connection refused',
        durationMs: 80,
        stopTimeoutS: 10,
      },
    ]);
    expect(notifier.scripts).toEqual([{ containerName: 'web', state: 'running' }]);
    expect(lines).toEqual([
      expect.objectContaining({ component: 'heal', container: 'web', msg: 'restarted' }),
    ]);
  });

  it('a failed stop notifies the failure and runs no post-restart script', () => {
    const { recorder, notifier } = setup();
    recorder.record({
      kind: 'acted',
      c: WEB,
      action: 'stop',
      trigger: 'api',
      durationMs: 3,
      stopTimeoutS: 5,
      error: 'no such container',
      retryAtMs: null,
      endMs: 1_000,
    });
    expect(notifier.sent).toEqual([
      expect.objectContaining({
        kind: 'stop_failed',
        reason: 'a request through the API',
        error: 'no such container',
      }),
    ]);
    expect(notifier.scripts).toEqual([]);
  });

  it('a notify-only heal is a skipped event and an unhealthy notification; a dependent names its parent', () => {
    const { recorder, notifier } = setup();
    const own = recorder.record({
      kind: 'notified',
      c: WEB,
      trigger: 'reconcile',
      parent: null,
      probeOutput: null,
      details: { state: 'running', health: 'unhealthy' },
    });
    const dep = recorder.record({
      kind: 'notified',
      c: DB,
      trigger: 'dependent',
      parent: WEB,
      probeOutput: null,
      details: {},
    });
    expect([own.status, dep.status]).toEqual(['notify_only', 'notify_only']);
    expect(dep.message).toBe(
      'Did not restart db: it uses the network of web, which was restarted, and its label autoheal.action=notify asks only for a notification',
    );
    expect(notifier.sent.map((n) => [n.kind, n.containerName, n.reason])).toEqual([
      ['unhealthy_notify', 'web', 'the reconcile found it unhealthy'],
      ['unhealthy_notify', 'db', 'loss of its network: web was restarted'],
    ]);
  });

  it('giving up notifies with the limit; a skip, a detection or an enrolment notifies nothing', () => {
    const { recorder, notifier } = setup();
    recorder.record({
      kind: 'gave_up',
      c: WEB,
      trigger: 'event',
      restarts: 3,
      windowS: 60,
      reason: '3 restarts in 60 s',
    });
    recorder.record({ kind: 'detected', c: WEB, trigger: 'event', graceS: 0 });
    recorder.record({ kind: 'enrolled', c: DB, enrolledBy: 'label', labelKey: 'autoheal' });
    recorder.record({
      kind: 'skipped',
      c: WEB,
      trigger: 'event',
      reason: 'backoff',
      detail: 'waiting',
      details: {},
    });
    expect(notifier.sent).toEqual([
      { kind: 'gave_up', containerName: 'web', containerId: WEB.id, reason: '3 restarts in 60 s' },
    ]);
  });
});

describe('the operator’s holds are written down by the recorder too', () => {
  it('maintenance: one audit event and log line each time, the notice only when it starts', () => {
    const { store, recorder, lines, notifier } = setup();
    const until = '2026-01-01T00:30:00.000Z';
    recorder.record({ kind: 'maintenance_started', minutes: 30, reason: 'db', until, extended: false });
    recorder.record({ kind: 'maintenance_started', minutes: 45, reason: 'db', until, extended: true });
    recorder.record({ kind: 'maintenance_ended', how: 'ended by an operator', until, reason: 'db' });
    expect(store.list({}).map((e) => [e.status, e.message.split(':')[0]])).toEqual([
      ['maintenance_ended', 'Maintenance ended (ended by an operator)'],
      ['maintenance_started', 'Maintenance extended for 45 min (db)'],
      ['maintenance_started', 'Maintenance started for 30 min (db)'],
    ]);
    expect(notifier.notices).toEqual([
      `Maintenance started for 30 min (db): autoheal will not restart containers until ${until}`,
    ]);
    expect(lines.map((l) => [l.component, l.msg])).toEqual([
      ['holds', 'maintenance started'],
      ['holds', 'maintenance started'],
      ['holds', 'maintenance ended'],
    ]);
  });

  it('a silence and its end name the container on the event and the log line, even without its id', () => {
    const { store, recorder, lines } = setup();
    recorder.record({ kind: 'silenced', c: WEB, minutes: 5, until: '2026-01-01T00:05:00.000Z' });
    recorder.record({ kind: 'unsilenced', name: 'web', id: null, how: 'its time was up' });
    expect(store.list({}).map((e) => [e.status, e.container_name, e.container_id])).toEqual([
      ['unsilenced', 'web', null],
      ['silenced', 'web', WEB.id],
    ]);
    expect(lines.map((l) => [l.msg, l.container])).toEqual([
      ['container silenced', 'web'],
      ['silence ended', 'web'],
    ]);
  });
});
