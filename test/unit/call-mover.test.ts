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
