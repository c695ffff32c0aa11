import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HashPool, HashPoolBusy } from '../../src/auth/hash-pool.ts';
import { hashPassword, libuvScrypt, verifyPassword } from '../../src/auth/password.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';

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
    // The line drains in 1 s, then its own 200 ms: come back in 2 s.
    expect((refused as HashPoolBusy).retryAfterS).toBe(2);
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

describe('HashPool.scrypt on worker threads', () => {
  it('derives the same key as node:crypto, on a thread of its own at a low CPU priority', async () => {
    const pool = new HashPool({ concurrency: 1 });
    const job = { password: 'pässword', salt: Buffer.from('0123456789abcdef'), keylen: 32, options: { N: 1024, r: 8, p: 1, maxmem: 32 * 1024 * 1024 } };
    const [viaPool, direct] = await Promise.all([pool.scrypt(job), libuvScrypt(job)]);
    expect(viaPool.equals(direct)).toBe(true);
    if (process.platform === 'linux') {
      // On Linux the nice value is per thread: the worker lowered its own, the event loop kept 0.
      const nice = (task: string) => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      const tasks = readdirSync('/proc/self/task');
      expect(tasks.map(nice)).toContain(10);
      expect(nice(String(process.pid))).toBe(0);
    }
    await pool.close();
  });

  it('warm() starts every worker before the first job, once; the jobs then reuse them', async () => {
    const pool = new HashPool({ concurrency: 2 });
    expect(pool.stats().workers).toBe(0);
    await pool.warm();
    expect(pool.stats().workers).toBe(2);
    await pool.warm();
    expect(pool.stats().workers).toBe(2);
    const job = { password: 'p', salt: Buffer.from('0123456789abcdef'), keylen: 32, options: { N: 1024, r: 8, p: 1, maxmem: 32 * 1024 * 1024 } };
    const keys = await Promise.all([pool.scrypt(job), pool.scrypt(job), pool.scrypt(job)]);
    expect(keys.every((k) => k.equals(keys[0]!))).toBe(true);
    expect(pool.stats().workers).toBe(2);
    await pool.close();
    expect(pool.stats().workers).toBe(0);
  });

  it('verifies and hashes through the pool like password.ts does on its own', async () => {
    const pool = new HashPool({ concurrency: 2 });
    const stored = await hashPassword('secret-1', TEST_SCRYPT, pool.scrypt);
    expect(await verifyPassword('secret-1', stored)).toBe(true);
    expect(await verifyPassword('secret-1', stored, pool.scrypt)).toBe(true);
    expect(await verifyPassword('secret-2', stored, pool.scrypt)).toBe(false);
    await pool.close();
  });
});

describe('HashPool retry advice', () => {
  it('spreads refused jobs over the coming seconds instead of sending them all back at once', async () => {
    let t = 0;
    const pool = new HashPool({ concurrency: 1, maxQueue: 1000, maxWaitMs: 1000, now: () => t });
    await pool.run(async () => void (t += 100)); // a job costs 100 ms
    const g = gate();
    const runs = Array.from({ length: 11 }, () => pool.run(() => g.done)); // 1 running, 10 waiting: 1 s
    const advice: number[] = [];
    for (let i = 0; i < 40; i++) advice.push(((await pool.run(() => g.done).catch((e: unknown) => e)) as HashPoolBusy).retryAfterS);
    // The line drains in 1 s; then ten refused jobs fit in each further second.
    expect(advice.slice(0, 9).every((s) => s === 2)).toBe(true);
    expect(advice.at(-1)).toBe(5);
    expect([...advice].sort((a, b) => a - b)).toEqual(advice);
    g.open();
    await Promise.all(runs);
  });
});
