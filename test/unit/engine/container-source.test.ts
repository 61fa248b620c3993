import { describe, expect, it } from 'vitest';
import { ThrottledContainerSource } from '../../../src/engine/container-source.js';
import type { ContainerSnapshot } from '../../../src/engine/types.js';

/** An engine that counts list calls and answers when told to. */
function countingEngine() {
  const pending: Array<{ resolve: (c: ContainerSnapshot[]) => void; reject: (e: Error) => void }> = [];
  return {
    calls: 0,
    pending,
    listContainers(): Promise<ContainerSnapshot[]> {
      this.calls += 1;
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
}

const one: ContainerSnapshot[] = [
  { id: 'a'.repeat(64), name: 'web', image: 'x', labels: {}, state: 'running', health: 'healthy' },
];

describe('the throttled container source', () => {
  it('many callers at once share one engine call', async () => {
    const engine = countingEngine();
    let now = 0;
    const source = new ThrottledContainerSource(engine, { now: () => now });
    const asks = Array.from({ length: 50 }, () => source.list());
    expect(engine.calls).toBe(1);
    engine.pending[0]?.resolve(one);
    for (const answer of await Promise.all(asks)) expect(answer).toBe(one);
    now = 999;
    await source.list();
    expect(engine.calls).toBe(1);
  });

  it('asks the engine again once the answer is a second old', async () => {
    const engine = countingEngine();
    let now = 1000;
    const source = new ThrottledContainerSource(engine, { now: () => now });
    const first = source.list();
    engine.pending[0]?.resolve(one);
    await first;
    now = 2000;
    const second = source.list();
    expect(engine.calls).toBe(2);
    engine.pending[1]?.resolve([]);
    expect(await second).toEqual([]);
  });

  it('does not keep a failure: the next caller asks again', async () => {
    const engine = countingEngine();
    const source = new ThrottledContainerSource(engine, { now: () => 0 });
    const first = source.list();
    engine.pending[0]?.reject(new Error('connect ENOENT'));
    await expect(first).rejects.toThrow('ENOENT');
    const second = source.list();
    expect(engine.calls).toBe(2);
    engine.pending[1]?.resolve(one);
    expect(await second).toBe(one);
  });
});
