import { describe, expect, it } from 'vitest';
import { HashPool, HashPoolBusy } from '../../src/auth/hash-pool.ts';

/** A job that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { done, open };
}

describe('HashPool', () => {
  it('runs at most `concurrency` jobs at once, the rest in order as slots free up', async () => {
    const pool = new HashPool({ concurrency: 2, maxQueue: 10 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) => pool.run(async () => (started.push(i), await g.done, i)));
    expect(started).toEqual([0, 1]);
    expect(pool.stats()).toMatchObject({ running: 2, queued: 3 });
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it('refuses at once beyond maxQueue, saying when to try again', async () => {
    const pool = new HashPool({ concurrency: 1, maxQueue: 2 });
    const g = gate();
    const runs = [0, 1, 2].map(() => pool.run(() => g.done));
    await expect(pool.run(() => g.done)).rejects.toBeInstanceOf(HashPoolBusy);
    expect(pool.stats().refused).toBe(1);
    g.open();
    await Promise.all(runs);
  });

  it('refuses a job whose expected wait, from the recent job times, is longer than maxWaitMs', async () => {
    let t = 0;
    const pool = new HashPool({ concurrency: 1, maxQueue: 1000, maxWaitMs: 1000, now: () => t });
    // One job of 200 ms teaches the pool what a job costs.
    await pool.run(async () => void (t += 200));
    const g = gate();
    const runs = [pool.run(() => g.done)]; // running
    for (let i = 0; i < 5; i++) runs.push(pool.run(() => g.done)); // 5 waiting: 1 s of wait
    const refused = await pool.run(() => g.done).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HashPoolBusy);
    expect((refused as HashPoolBusy).retryAfterS).toBe(1);
    g.open();
    await Promise.all(runs);
  });

  it('a failing job frees its slot and rejects only its own caller', async () => {
    const pool = new HashPool({ concurrency: 1 });
    const bad = pool.run(() => Promise.reject(new Error('boom')));
    const good = pool.run(() => Promise.resolve('fine'));
    await expect(bad).rejects.toThrow('boom');
    await expect(good).resolves.toBe('fine');
  });
});
