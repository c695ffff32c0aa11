import { describe, expect, it } from 'vitest';
import type { PbxPort } from '../../src/core/pbx-port.ts';
import { Directory } from '../../src/services/directory.ts';
import { Phones } from '../../src/services/phones.ts';

function phones(signedIn: string[]) {
  const news: [string, boolean][] = [];
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
  const p = new Phones({ pbx: {} as PbxPort, directory: new Directory({ internalNumber: /^[0-9]{4}$/ }), log: silent });
  p.tell({ phoneService: (ext, inService) => news.push([ext, inService]), signedInPhones: () => signedIn });
  return { p, news };
}

describe('Phones: monitors the switch refuses', () => {
  it('a phone refused as out of service is out; back when its monitor is in place', () => {
    const { p, news } = phones([]);
    p.onPbxEvent({ kind: 'monitor', deviceId: '2001', monitored: false, error: { category: 'operation', value: 'resourceOutOfService' } });
    expect(p.isOutOfService('2001')).toBe(true);
    p.onPbxEvent({ kind: 'monitor', deviceId: '2001', monitored: true });
    expect(news).toEqual([
      ['2001', false],
      ['2001', true],
    ]);
  });

  it('a monitor refused for another reason at a phone nobody is signed in at only blocks sign-in there', () => {
    const { p, news } = phones([]);
    p.onPbxEvent({ kind: 'monitor', deviceId: '2002', monitored: false, error: { category: 'systemResourceAvailability', value: 'resourceLimitExceeded' } });
    expect(p.isOutOfService('2002')).toBe(false);
    expect(p.refusedMonitors().get('2002')).toMatchObject({ value: 'resourceLimitExceeded' });
    expect(news).toEqual([]);
  });

  it('…but at a phone an agent signed in at while the link was down, it counts as out of service until the monitor is in place', () => {
    const { p, news } = phones(['2003']);
    p.onPbxEvent({ kind: 'monitor', deviceId: '2003', monitored: false, error: { category: 'systemResourceAvailability', value: 'resourceLimitExceeded' } });
    expect(p.isOutOfService('2003')).toBe(true);
    p.onPbxEvent({ kind: 'monitor', deviceId: '2003', monitored: true });
    expect(p.isOutOfService('2003')).toBe(false);
    expect(news).toEqual([
      ['2003', false],
      ['2003', true],
    ]);
  });

  it('a monitor stopped because it is no longer wanted changes nothing', () => {
    const { p, news } = phones(['2004']);
    p.onPbxEvent({ kind: 'monitor', deviceId: '2004', monitored: false });
    expect(news).toEqual([]);
  });
});
