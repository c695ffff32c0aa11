import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LOW_WATER, MemoryBudget, MIN_CUT_UNSENT_BYTES, planRelief } from '../../src/gateway/memory-budget.ts';
import { Session } from '../../src/gateway/session.ts';

const MiB = 1024 * 1024;
const log = pino({ level: 'silent' });

describe('planRelief', () => {
  it('does nothing under budget', () => {
    expect(planRelief([{ who: 'a', unsent: 10 * MiB, resume: 10 * MiB }], 64 * MiB)).toEqual({ cut: [], shed: [] });
  });

  it('cuts off the clients with most bytes unsent first, down to the low-water mark', () => {
    const r = planRelief(
      [
        { who: 'reader', unsent: 0, resume: 1 * MiB },
        { who: 'slow', unsent: 30 * MiB, resume: 1 * MiB },
        { who: 'slower', unsent: 50 * MiB, resume: 1 * MiB },
      ],
      64 * MiB,
    );
    // 83 MiB held, low water 48 MiB: cutting `slower` (50 MiB) is enough.
    expect(r).toEqual({ cut: ['slower'], shed: [] });
  });

  it('never cuts a client that reads (little unsent); sheds the biggest resume buffers instead', () => {
    const r = planRelief(
      [
        { who: 'a', unsent: MIN_CUT_UNSENT_BYTES - 1, resume: 40 * MiB },
        { who: 'b', unsent: 0, resume: 30 * MiB },
      ],
      64 * MiB,
    );
    expect(r.cut).toEqual([]);
    const freed = r.shed.reduce((s, x) => s + x.bytes, 0);
    expect(r.shed[0]!.who).toBe('a');
    expect(70 * MiB + MIN_CUT_UNSENT_BYTES - 1 - freed).toBeLessThanOrEqual(Math.floor(64 * MiB * LOW_WATER));
  });
});

/** A socket stand-in with the three things the budget reads or calls. */
function fakeSocket(unsent: number) {
  const s = { OPEN: 1, readyState: 1, bufferedAmount: unsent, closed: null as number | null, send() {}, close(code: number) { s.closed = code; s.readyState = 2; }, terminate() {} };
  return s;
}

describe('MemoryBudget', () => {
  it('keeps a running total of resume buffers as sessions buffer and go, and relieves when the sum crosses the budget', async () => {
    const sessions = new Set<Session>();
    const cut: string[] = [];
    const budget = new MemoryBudget({ budgetBytes: 1 * MiB, sessions: () => sessions, cutOff: (s) => cut.push(s.user.username), log });
    const mk = (name: string) => {
      const s = new Session({ id: 1, username: name, displayName: name, roles: ['agent'] }, Infinity, { bufferEvents: 10_000, bufferBytes: 64 * MiB }, { meter: budget });
      sessions.add(s);
      return s;
    };
    const quiet = mk('quiet');
    const chatty = mk('chatty');
    const big = JSON.stringify({ text: 'x'.repeat(10_000) });
    for (let i = 0; i < 10; i++) quiet.emit('announce', big, 0);
    expect(budget.stats().resumeBytes).toBeGreaterThan(100_000);
    quiet.dispose();
    sessions.delete(quiet);
    expect(budget.stats().resumeBytes).toBe(0);
    for (let i = 0; i < 150; i++) chatty.emit('announce', big, 0); // ~1.5 MiB buffered
    await new Promise((r) => setImmediate(r));
    expect(chatty.bufferedBytes).toBeLessThanOrEqual(Math.floor(1 * MiB * LOW_WATER));
    expect(budget.stats().shedBytes).toBeGreaterThan(0);
    expect(cut).toEqual([]);
    // The events kept are the newest: a resume from before them gets a snapshot.
    expect(chatty.since(0)).toBeNull();
    expect(chatty.since(149)).toHaveLength(1);
  });

  it('cuts off the socket holding most unsent bytes, not a reading one', () => {
    const sessions: Session[] = [];
    const cut: string[] = [];
    const budget = new MemoryBudget({ budgetBytes: 4 * MiB, sessions: () => sessions, cutOff: (s) => cut.push(s.user.username), log });
    for (const [name, unsent] of [['reader', 1000], ['stuck', 5 * MiB]] as const) {
      const s = new Session({ id: 1, username: name, displayName: name, roles: ['agent'] }, Infinity, { bufferEvents: 10, bufferBytes: MiB }, { meter: budget });
      s.socket = fakeSocket(unsent) as unknown as WebSocket;
      sessions.push(s);
    }
    budget.sweep();
    expect(cut).toEqual(['stuck']);
    expect(budget.stats()).toMatchObject({ cut: 1, unsentBytes: 5 * MiB + 1000 });
  });
});
