import { describe, expect, it } from 'vitest';
import { MinimalRouter } from '../../src/acd/minimal-router.ts';

describe('minimal router', () => {
  it('picks the longest-idle ready agent of the queue', () => {
    const r = new MinimalRouter();
    r.agentAvailable('a2', ['sales'], 200);
    r.agentAvailable('a1', ['sales'], 100);
    r.agentAvailable('a3', ['support'], 50);
    // Availability order is arrival order: a2 became ready first in this sequence.
    expect(r.pickAgent('sales')).toBe('a2');
    r.agentUnavailable('a2');
    expect(r.pickAgent('sales')).toBe('a1');
    r.agentAvailable('a2', ['sales'], 300);
    expect(r.pickAgent('sales')).toBe('a1');
    expect(r.pickAgent('sales', new Set(['a1']))).toBe('a2');
    expect(r.pickAgent('nobody')).toBeNull();
  });

  it('gives a freed agent the longest-waiting call across its queues, and a call put back keeps its place', () => {
    const r = new MinimalRouter();
    r.enqueue({ callId: 'c1', queue: 'sales', queuedAt: 10 });
    r.enqueue({ callId: 'c2', queue: 'support', queuedAt: 5 });
    r.enqueue({ callId: 'c3', queue: 'sales', queuedAt: 20 });
    expect(r.pickCall(['sales', 'support'])?.callId).toBe('c2');
    expect(r.pickCall(['sales'])?.callId).toBe('c1');
    r.dequeue('c1');
    expect(r.pickCall(['sales'])?.callId).toBe('c3');
    r.enqueue({ callId: 'c1', queue: 'sales', queuedAt: 10 });
    expect(r.waitingIn('sales').map((c) => c.callId)).toEqual(['c1', 'c3']);
    expect(r.isWaiting('c3')).toBe(true);
  });
});
