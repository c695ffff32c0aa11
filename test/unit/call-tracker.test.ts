import { describe, expect, it } from 'vitest';
import { CallTracker, type CallChange } from '../../src/core/calls/call-tracker.ts';
import type { PbxCallEvent } from '../../src/pbx-adapters/pbx-port.ts';

function tracker() {
  let n = 0;
  return new CallTracker({
    newId: () => `c${++n}`,
    deviceKind: (d) => (d.length > 6 ? 'external' : d.startsWith('80') ? 'routing' : d.startsWith('89') ? 'queue' : 'agentPhone'),
  });
}
const m = { monitoredDevice: '2001' };
const conns = (t: CallTracker, id: string) => Object.fromEntries([...t.get(id)!.connections].map(([d, c]) => [d, c.state]));
const kinds = (changes: CallChange[]) => changes.map((c) => (c.type === 'connection' ? `${c.deviceId}:${c.from}->${c.to}` : c.type));

describe('call tracker', () => {
  it('follows an inbound call from the routing point to an agent and its clearing', () => {
    const t = tracker();
    const ev: PbxCallEvent[] = [
      { kind: 'delivered', callId: '7', deviceId: '8000', calling: '13800000001', called: '8000', ...m },
      { kind: 'diverted', callId: '7', deviceId: '8000', to: '2001', ...m },
      { kind: 'delivered', callId: '7', deviceId: '2001', calling: '13800000001', called: '8000', redirectedFrom: '8000', ...m },
    ];
    const changes = ev.flatMap((e) => t.apply(e, 1000));
    expect(kinds(changes)).toEqual(['created', '13800000001:null->connected', '8000:null->alerting', '8000:alerting->null', '2001:null->alerting']);
    const call = t.byPbx('7')!;
    expect(call).toMatchObject({ direction: 'inbound', from: '13800000001', to: '8000', dialled: '8000' });
    t.apply({ kind: 'established', callId: '7', deviceId: '2001', calling: '13800000001', called: '8000', ...m }, 3000);
    expect(call.answeredAt).toBe(3000);
    // The same event again (a second monitor) changes nothing.
    expect(t.apply({ kind: 'established', callId: '7', deviceId: '2001', calling: '13800000001', called: '8000', ...m }, 3100)).toEqual([]);
    t.apply({ kind: 'connectionCleared', callId: '7', deviceId: '13800000001', cause: 'normalClearing', ...m }, 9000);
    const end = t.apply({ kind: 'connectionCleared', callId: '7', deviceId: '2001', cause: 'normalClearing', ...m }, 9000);
    expect(kinds(end)).toEqual(['2001:connected->null', 'ended']);
    expect(t.get(call.id)).toBeUndefined();
    expect(call.endedAt).toBe(9000);
  });

  it('keeps the customer call id through a consultation transfer and merges the consultation', () => {
    const t = tracker();
    t.apply({ kind: 'delivered', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'established', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'held', callId: '1', deviceId: '2001', ...m }, 1);
    t.apply({ kind: 'originated', callId: '2', deviceId: '2001', calling: '2001', called: '2002', ...m }, 2);
    t.apply({ kind: 'delivered', callId: '2', deviceId: '2002', calling: '2001', called: '2002', ...m }, 2);
    t.apply({ kind: 'established', callId: '2', deviceId: '2002', calling: '2001', called: '2002', ...m }, 3);
    const customer = t.byPbx('1')!;
    const consult = t.byPbx('2')!;
    expect(consult.direction).toBe('internal');
    const changes = t.apply(
      {
        kind: 'transferred', primaryCallId: '1', secondaryCallId: '2', transferringDevice: '2001', transferredTo: '2002',
        connections: [{ old: { callId: '2', deviceId: '2002' }, new: { callId: '1', deviceId: '2002' } }, { new: { callId: '1', deviceId: '13800000002' } }], ...m,
      },
      4,
    );
    expect(conns(t, customer.id)).toEqual({ '13800000002': 'connected', '2002': 'connected' });
    const moved = changes.find((c) => c.type === 'connection' && c.deviceId === '2002' && c.call === customer);
    expect(moved).toMatchObject({ replaces: consult.id, to: 'connected' });
    expect(t.get(consult.id)).toBeUndefined();
    expect(consult.outcome).toBe('transferred');
    expect(t.byPbx('2')).toBe(customer);
  });

  it('makes a conference of three and keeps it when one party leaves', () => {
    const t = tracker();
    t.apply({ kind: 'established', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'held', callId: '1', deviceId: '2001', ...m }, 1);
    t.apply({ kind: 'originated', callId: '2', deviceId: '2001', calling: '2001', called: '2002', ...m }, 2);
    t.apply({ kind: 'established', callId: '2', deviceId: '2002', calling: '2001', called: '2002', ...m }, 3);
    t.apply(
      {
        kind: 'conferenced', primaryCallId: '1', secondaryCallId: '2', conferencingDevice: '2001', addedParty: '2002',
        connections: [{ new: { callId: '1', deviceId: '2001' } }, { new: { callId: '1', deviceId: '2002' } }, { new: { callId: '1', deviceId: '13800000002' } }], ...m,
      },
      4,
    );
    const call = t.byPbx('1')!;
    expect(conns(t, call.id)).toEqual({ '2001': 'connected', '2002': 'connected', '13800000002': 'connected' });
    t.apply({ kind: 'connectionCleared', callId: '1', deviceId: '2002', cause: 'normalClearing', ...m }, 5);
    expect(conns(t, call.id)).toEqual({ '2001': 'connected', '13800000002': 'connected' });
  });

  it('reconciles with a snapshot: ends calls the switch lost, adopts calls it did not know', () => {
    const t = tracker();
    t.apply({ kind: 'established', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'established', callId: '2', deviceId: '2002', calling: '13800000003', called: '2002', ...m }, 0);
    const lost = t.byPbx('2')!;
    const changes = t.reconcile(
      [
        { deviceId: '2001', calls: [{ callId: '1', state: 'hold' }] },
        { deviceId: '2002', calls: [] },
        { deviceId: '8900', calls: [{ callId: '9', state: 'queued' }] },
      ],
      'lostAtSwitch',
      10,
    );
    expect(conns(t, t.byPbx('1')!.id)['2001']).toBe('hold');
    expect(lost.endedAt).toBe(10);
    expect(lost.cause).toBe('lostAtSwitch');
    expect(changes.some((c) => c.type === 'ended' && c.call === lost)).toBe(true);
    expect(conns(t, t.byPbx('9')!.id)).toEqual({ '8900': 'queued' });
  });

  it('late news of an ended call raises no new call; the id is free again after a while', async () => {
    const { ENDED_MEMORY_MS } = await import('../../src/core/calls/call-tracker.ts');
    const t = tracker();
    t.apply({ kind: 'originated', callId: '5', deviceId: '2001', calling: '2001', called: '7777', ...m }, 0);
    const call = t.byPbx('5')!;
    t.apply({ kind: 'failed', callId: '5', deviceId: '2001', cause: 'invalidNumberFormat', ...m }, 1);
    t.apply({ kind: 'callCleared', callId: '5', cause: 'normalClearing', ...m }, 2);
    expect(call.endedAt).toBe(2);
    expect(call.cause).toBe('invalidNumberFormat');
    // The MakeCall answer read after the call's last events names the ended call, not a new one.
    expect(t.adopt('5', 3).call).toBe(call);
    expect(t.apply({ kind: 'established', callId: '5', deviceId: '2001', calling: '2001', called: '7777', ...m }, 4)).toEqual([]);
    expect(t.size).toBe(0);
    // A switch that reuses the id later starts a new call.
    const later = t.apply({ kind: 'delivered', callId: '5', deviceId: '2002', calling: '13800000002', called: '2002', ...m }, 2 + ENDED_MEMORY_MS);
    expect(later[0]).toMatchObject({ type: 'created' });
    expect(t.byPbx('5')).not.toBe(call);
  });
});
