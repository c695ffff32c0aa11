import { describe, expect, it } from 'vitest';
import { CallTracker, type CallChange } from '../../src/core/calls/call-tracker.ts';
import type { PbxCallEvent } from '../../src/core/pbx-port.ts';
import { holdTimeMs } from '../../src/core/calls/call.ts';
import { toRow } from '../../src/services/call-rows.ts';

/** Internal numbers are monitored, except the IVR ports 81xx (no monitor in these tests). */
function tracker(unmonitored: ReadonlySet<string> = new Set()) {
  let n = 0;
  return new CallTracker({
    newId: () => `c${++n}`,
    deviceKind: (d) => (d.length > 6 ? 'external' : d.startsWith('80') ? 'routing' : d.startsWith('89') ? 'queue' : d.startsWith('81') ? 'ivr' : 'agentPhone'),
    isMonitored: (d) => d.length <= 6 && !d.startsWith('81') && !unmonitored.has(d),
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

  it('counts hold time: each hold from held to retrieved, an open hold up to a transfer that ends it, and the call end', () => {
    const t = tracker();
    t.apply({ kind: 'delivered', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'established', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 1000);
    const call = t.byPbx('1')!;
    t.apply({ kind: 'held', callId: '1', deviceId: '2001', ...m }, 5000);
    expect(call).toMatchObject({ holdMs: 0, heldSince: 5000 });
    expect(holdTimeMs(call, 6500)).toBe(1500);
    t.apply({ kind: 'retrieved', callId: '1', deviceId: '2001', ...m }, 8000);
    expect(call).toMatchObject({ holdMs: 3000, heldSince: null });
    t.apply({ kind: 'held', callId: '1', deviceId: '2001', ...m }, 10_000);
    // Still on hold when the call is cleared: the hold ends with it.
    t.apply({ kind: 'connectionCleared', callId: '1', deviceId: '13800000002', cause: 'normalClearing', ...m }, 12_000);
    t.apply({ kind: 'connectionCleared', callId: '1', deviceId: '2001', cause: 'normalClearing', ...m }, 12_000);
    expect(call).toMatchObject({ holdMs: 5000, heldSince: null, endedAt: 12_000 });
    expect(toRow(call)).toMatchObject({ talkMs: 11_000, holdMs: 5000 });
  });

  it('a consultation transfer: the customer’s hold lasts until the transferring agent leaves', () => {
    const t = tracker();
    t.apply({ kind: 'delivered', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'established', callId: '1', deviceId: '2001', calling: '13800000002', called: '2001', ...m }, 0);
    t.apply({ kind: 'held', callId: '1', deviceId: '2001', ...m }, 1000);
    t.apply({ kind: 'originated', callId: '2', deviceId: '2001', calling: '2001', called: '2002', ...m }, 1000);
    t.apply({ kind: 'established', callId: '2', deviceId: '2002', calling: '2001', called: '2002', ...m }, 2000);
    const customer = t.byPbx('1')!;
    t.apply(
      {
        kind: 'transferred', primaryCallId: '1', secondaryCallId: '2', transferringDevice: '2001', transferredTo: '2002',
        connections: [{ old: { callId: '2', deviceId: '2002' }, new: { callId: '1', deviceId: '2002' } }, { new: { callId: '1', deviceId: '13800000002' } }], ...m,
      },
      9000,
    );
    expect(customer).toMatchObject({ holdMs: 8000, heldSince: null });
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
      { complete: true },
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

const CALLER = '13800000002';
const OUTSIDE = '0755123456';
/** An inbound call from CALLER talking to agent phone 2001 (switch call id `id`). */
function talking(t: CallTracker, id = '1', at = 0) {
  t.apply({ kind: 'delivered', callId: id, deviceId: '2001', calling: CALLER, called: '2001', ...m }, at);
  t.apply({ kind: 'established', callId: id, deviceId: '2001', calling: CALLER, called: '2001', ...m }, at);
  return t.byPbx(id)!;
}

describe('calls that leave the devices we monitor', () => {
  it('a blind transfer to an outside number ends the call after the grace time, with its cause and where it went', async () => {
    const { DEPARTURE_GRACE_MS } = await import('../../src/core/calls/call-tracker.ts');
    const t = tracker();
    const call = talking(t);
    t.apply({ kind: 'transferred', primaryCallId: '1', transferringDevice: '2001', transferredTo: OUTSIDE, connections: [{ new: { callId: '1', deviceId: CALLER } }], ...m }, 100);
    expect(call.endedAt).toBeNull();
    expect(call.departing).toMatchObject({ since: 100, cause: 'transferred', leftTo: OUTSIDE });
    expect(t.sweep(100 + DEPARTURE_GRACE_MS - 1)).toEqual([]);
    const ended = t.sweep(100 + DEPARTURE_GRACE_MS);
    expect(kinds(ended)).toEqual([`${CALLER}:connected->null`, 'ended']);
    expect(call).toMatchObject({ endedAt: 100 + DEPARTURE_GRACE_MS, cause: 'transferred', leftTo: OUTSIDE });
    expect(t.size).toBe(0);
    expect(t.memorySize.departing).toBe(0);
  });

  it('a call diverted to an unmonitored IVR port leaves; one diverted to a monitored device is on its way there', () => {
    const t = tracker();
    t.apply({ kind: 'delivered', callId: '3', deviceId: '8000', calling: CALLER, called: '8000', ...m }, 0);
    t.apply({ kind: 'diverted', callId: '3', deviceId: '8000', to: '8900', cause: 'redirected', ...m }, 1);
    const call = t.byPbx('3')!;
    expect(call.departing).toBeNull();
    expect(call.headingTo).toBe('8900');
    t.apply({ kind: 'queued', callId: '3', deviceId: '8900', queue: '8900', calling: CALLER, called: '8000', ...m }, 2);
    expect(call.headingTo).toBeNull();
    t.apply({ kind: 'diverted', callId: '3', deviceId: '8900', to: '8120', cause: 'redirected', ...m }, 3);
    expect(call.departing).toMatchObject({ cause: 'redirected', leftTo: '8120' });
    t.sweep(10_000);
    expect(call).toMatchObject({ cause: 'redirected', leftTo: '8120' });
    expect(call.endedAt).toBe(10_000);
  });

  it('a two-party call the agent hangs up ends the ordinary way when the CallClearedEvent follows', () => {
    const t = tracker();
    const call = talking(t);
    t.apply({ kind: 'connectionCleared', callId: '1', deviceId: '2001', cause: 'normalClearing', ...m }, 5);
    expect(call.departing).not.toBeNull(); // only the caller is left, at no device of ours
    t.apply({ kind: 'callCleared', callId: '1', cause: 'normalClearing', ...m }, 6);
    expect(call).toMatchObject({ endedAt: 6, cause: null, leftTo: null });
    expect(t.memorySize.departing).toBe(0);
  });

  it('a departed call that arrives at a device of ours again is the same call; late news of its departure is not', () => {
    const t = tracker();
    const call = talking(t);
    const transfer: PbxCallEvent = { kind: 'transferred', primaryCallId: '1', transferringDevice: '2001', transferredTo: OUTSIDE, connections: [{ new: { callId: '1', deviceId: CALLER } }], ...m };
    t.apply(transfer, 10);
    t.sweep(5000);
    expect(call.endedAt).toBe(5000);
    expect(t.apply(transfer, 5001)).toEqual([]); // a second monitor's copy
    const back = t.apply({ kind: 'delivered', callId: '1', deviceId: '8000', calling: CALLER, called: '8000', ...m }, 6000);
    expect(back[0]).toMatchObject({ type: 'revived', call });
    expect(t.byPbx('1')).toBe(call);
    expect(call).toMatchObject({ endedAt: null, leftTo: null, departing: null });
  });
});

describe('reconciliation with snapshots that fail for some devices', () => {
  it('a call at a device whose snapshot failed is kept; a later answer for that device settles it', () => {
    const t = tracker();
    const up = talking(t, '1');
    const lost = talking(t, '2');
    lost.connections.delete('2001');
    t.apply({ kind: 'established', callId: '2', deviceId: '2002', calling: CALLER, called: '2002', ...m }, 0);
    // 2001 could not be asked; 2002 says it has nothing
    t.reconcile([{ deviceId: '2002', calls: [] }], { complete: true, unproven: new Set(['2001']) }, 'lostAtSwitch', 10);
    expect(up.endedAt).toBeNull();
    expect(lost.endedAt).toBe(10);
    // 2001 answers later: still there
    t.reconcile([{ deviceId: '2001', calls: [{ callId: '1', state: 'connected' }] }], { complete: false }, 'lostAtSwitch', 20);
    expect(up.endedAt).toBeNull();
    expect(up.lastEventAt).toBe(20);
    // and later without it: gone
    t.reconcile([{ deviceId: '2001', calls: [] }], { complete: false }, 'lostAtSwitch', 30);
    expect(up).toMatchObject({ endedAt: 30, cause: 'lostAtSwitch' });
  });

  it('a call ended because a snapshot missed it comes back under its own id when the switch lists it', () => {
    const t = tracker();
    const call = talking(t, '1');
    t.reconcile([{ deviceId: '2001', calls: [] }], { complete: true }, 'lostAtSwitch', 10);
    expect(call.endedAt).toBe(10);
    const changes = t.reconcile([{ deviceId: '2001', calls: [{ callId: '1', state: 'connected' }] }], { complete: true }, 'lostAtSwitch', 20);
    expect(changes.map((c) => c.type)).toContain('revived');
    expect(changes.some((c) => c.type === 'created')).toBe(false);
    expect(t.byPbx('1')).toBe(call);
    expect(call).toMatchObject({ endedAt: null, cause: null });
  });

  it('forceEnd and forceClear: what the switch says it does not have goes here too', () => {
    const t = tracker();
    const call = talking(t, '1');
    t.apply({ kind: 'conferenced', primaryCallId: '1', conferencingDevice: '2001', addedParty: '2002', connections: [{ new: { callId: '1', deviceId: '2002' } }], ...m }, 1);
    t.forceClear(call.id, '2002', 'lostAtSwitch', 2);
    expect(conns(t, call.id)).toEqual({ '2001': 'connected', [CALLER]: 'connected' });
    expect(kinds(t.forceEnd(call.id, 'lostAtSwitch', 3)).at(-1)).toBe('ended');
    expect(call).toMatchObject({ endedAt: 3, cause: 'lostAtSwitch' });
  });
});
