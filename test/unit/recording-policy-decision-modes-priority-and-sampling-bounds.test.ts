import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decideRecording, hashDraw, type CallFacts, type RecordingPolicy } from '../../src/recording/policies/decide.ts';
import { DEMO_RECORDING_POLICIES } from '../../src/storage/demo-seed.ts';

const policy = (id: number, p: Partial<RecordingPolicy> & Pick<RecordingPolicy, 'mode'>): RecordingPolicy => ({
  id,
  name: `p${id}`,
  numbers: [],
  agents: [],
  services: [],
  samplePercent: 100,
  priority: 100,
  enabled: true,
  version: 1,
  ...p,
});
const call = (c: Partial<CallFacts> = {}): CallFacts => ({ callId: 'c1', caller: '0611000000', callee: '8001', pilot: '8001', queue: 'support', agents: ['a1007'], ...c });
const demo = DEMO_RECORDING_POLICIES.map((p, i) => policy(i + 1, { numbers: [], agents: [], services: [], samplePercent: 100, priority: 100, enabled: true, ...p }));

describe('recording policy decision', () => {
  it('each mode matches its calls: all, numbers (prefix, caller or callee), agents, services (queue, pilot, business service)', () => {
    expect(decideRecording([policy(1, { mode: 'all', version: 3 })], call())).toEqual({ record: true, decision: 'recorded', policyId: 1, policyVersion: 3 });
    const numbers = [policy(2, { mode: 'numbers', numbers: ['138000'] })];
    expect(decideRecording(numbers, call({ caller: '13800000002' })).decision).toBe('recorded');
    expect(decideRecording(numbers, call({ caller: '2001', callee: '13800000009' })).decision).toBe('recorded');
    expect(decideRecording(numbers, call()).decision).toBe('noPolicy');
    const agents = [policy(3, { mode: 'agents', agents: ['a1010'] })];
    expect(decideRecording(agents, call({ agents: ['a1007', 'a1010'] })).decision).toBe('recorded');
    expect(decideRecording(agents, call()).decision).toBe('noPolicy');
    const services = [policy(4, { mode: 'services', services: ['sales', '8009', 'ivr:main/vip'] })];
    expect(decideRecording(services, call({ queue: 'sales' })).decision).toBe('recorded');
    expect(decideRecording(services, call({ queue: null, pilot: '8009' })).decision).toBe('recorded');
    expect(decideRecording(services, call({ queue: null, service: 'ivr:main/vip' })).decision).toBe('recorded');
    expect(decideRecording(services, call()).decision).toBe('noPolicy');
  });

  it('the first enabled matching policy by priority decides; a disabled one is skipped; 0 % is sampledOut', () => {
    const ps = [policy(1, { mode: 'all', samplePercent: 0, priority: 50 }), policy(2, { mode: 'agents', agents: ['a1007'], priority: 10, enabled: false })];
    expect(decideRecording(ps, call())).toEqual({ record: false, decision: 'sampledOut', policyId: 1, policyVersion: 1 });
    expect(decideRecording([], call())).toEqual({ record: false, decision: 'noPolicy' });
  });

  it('the demo policies: sales, vip, 13800000002, a1010 always; other support calls sampled', () => {
    expect(decideRecording(demo, call({ queue: 'sales', pilot: '8000' })).decision).toBe('recorded');
    expect(decideRecording(demo, call({ queue: 'vip' })).decision).toBe('recorded');
    expect(decideRecording(demo, call({ caller: '13800000002' })).decision).toBe('recorded');
    expect(decideRecording(demo, call({ agents: ['a1010'] })).decision).toBe('recorded');
    const support = decideRecording(demo, call());
    expect(support.policyId).toBe(4);
    expect(decideRecording(demo, call({ queue: null, pilot: '2003', callee: '2003' })).decision).toBe('noPolicy');
  });

  it('the draw is deterministic per call: the same call decided again agrees', () => {
    const ps = [policy(7, { mode: 'all', samplePercent: 50 })];
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      expect(decideRecording(ps, call({ callId: id }))).toEqual(decideRecording(ps, call({ callId: id, agents: ['a1007', 'a1008'] })));
      expect(hashDraw(id, 7)).toBe(hashDraw(id, 7));
    }
  });

  it('sampling at 50 %: over 200 calls the recorded share is within the binomial bounds', () => {
    // Binomial(200, 0.5): mean 100, sd ≈ 7.07; [70, 130] is ±4.24 sd, P(outside) ≈ 2.3e-5 per
    // round. One round on random call ids (UUIDs, as the daemon makes), one on fixed ids.
    const ps = [policy(1, { mode: 'services', services: ['support'], samplePercent: 50 })];
    for (const ids of [() => randomUUID(), (i: number) => `call-${i}`]) {
      let recorded = 0;
      for (let i = 0; i < 200; i++) if (decideRecording(ps, call({ callId: ids(i) })).record) recorded++;
      expect(recorded).toBeGreaterThanOrEqual(70);
      expect(recorded).toBeLessThanOrEqual(130);
    }
    // 10 %: Binomial(2000, 0.1) mean 200, sd ≈ 13.4; ±5 sd.
    const ten = [policy(1, { mode: 'all', samplePercent: 10 })];
    let n = 0;
    for (let i = 0; i < 2000; i++) if (decideRecording(ten, call({ callId: randomUUID() })).record) n++;
    expect(n).toBeGreaterThanOrEqual(133);
    expect(n).toBeLessThanOrEqual(267);
  });
});
