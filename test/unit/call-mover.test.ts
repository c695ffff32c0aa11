import { describe, expect, it } from 'vitest';
import { PbxError } from '../../src/core/pbx-port.ts';
import { CallMover, type CallMoverDeps } from '../../src/services/call-mover.ts';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;

describe('CallMover.command', () => {
  // Routing counts a miss and excludes the agent only when the switch refused the offer; a
  // command it did not answer in time says nothing about the phone (routing-service.ts).
  it.each([
    ['refused by the switch', new PbxError('PBX_REJECTED', 'no', { category: 'operation', value: 'invalidDestination' }), 'invalidDestination', true],
    ['not answered in time', new PbxError('PBX_UNAVAILABLE', 'CSTA request timed out'), 'CSTA request timed out', false],
    ['link lost', new PbxError('PBX_UNAVAILABLE', 'CSTA link is down'), 'CSTA link is down', false],
    ['any other failure', new Error('boom'), 'boom', false],
  ])('a command %s tells onFail the reason and whether it was a refusal', async (_what, err, reason, refused) => {
    const mover = new CallMover({ log: silent } as unknown as CallMoverDeps);
    const got = await new Promise<[string, boolean]>((resolve) => mover.command(Promise.reject(err), silent, 'deflectCall', (r, ref) => resolve([r, ref])));
    expect(got).toEqual([reason, refused]);
  });
});

describe('CallMover.command on a call the switch no longer has', () => {
  // A deflection answered invalidCallID / invalidConnectionID: the call (or its connection at the
  // device it was moved from) is gone — it ends here too, and nobody refused anything.
  it.each([
    ['invalidCallID', 'endLost', ['call-1']],
    ['invalidConnectionID', 'dropConnection', ['call-1', '8900']],
  ])('%s: %s here, and onFail hears no refusal', async (value, method, args) => {
    const done: [string, string[]][] = [];
    const calls = {
      endLost: (call: { id: string }) => done.push(['endLost', [call.id]]),
      dropConnection: (call: { id: string }, device: string) => done.push(['dropConnection', [call.id, device]]),
    };
    const mover = new CallMover({ log: silent, calls } as unknown as CallMoverDeps);
    const call = { id: 'call-1' } as never;
    const err = new PbxError('PBX_REJECTED', 'no', { category: 'operation', value });
    const got = await new Promise<[string, boolean]>((resolve) => mover.command(Promise.reject(err), silent, 'deflectCall', (r, ref) => resolve([r, ref]), { call, at: '8900' }));
    expect(got).toEqual([value, false]);
    expect(done).toEqual([[method, args]]);
  });

  it('a RouteSelect (no device it is moved from): invalidCallID ends the call, invalidConnectionID is an ordinary refusal', async () => {
    const ended: string[] = [];
    const mover = new CallMover({ log: silent, calls: { endLost: (c: { id: string }) => ended.push(c.id) } } as unknown as CallMoverDeps);
    const call = { id: 'call-2' } as never;
    const fail = (value: string) =>
      new Promise<[string, boolean]>((resolve) => mover.command(Promise.reject(new PbxError('PBX_REJECTED', 'no', { category: 'operation', value })), silent, 'routeSelect', (r, ref) => resolve([r, ref]), { call, at: null }));
    expect(await fail('invalidCallID')).toEqual(['invalidCallID', false]);
    expect(ended).toEqual(['call-2']);
    expect(await fail('invalidConnectionID')).toEqual(['invalidConnectionID', true]);
    expect(ended).toEqual(['call-2']);
  });
});
