/**
 * The PBX link's transports, for tests and benchmarks that run the same scenario over each:
 * CSTA XML in Annex G frames over TCP (`annex-g`, today's default), or in SIP INFO requests
 * inside one dialog (uaCSTA, ECMA TR/87) over UDP or TCP (`sip-csta-udp`, `sip-csta-tcp`).
 *
 *   describe.each(TRANSPORTS)('inbound call … over %s', (transport) => {
 *     let w: World;
 *     beforeAll(async () => { w = await startWorld({ transport }); });
 *     afterAll(async () => w?.close());
 *     it(…);
 *   });
 *
 * One name per transport, used in test names, `startWorld({ transport })` and `bench/e2e.ts
 * --transport`; this file maps it to the daemon's config (`pbx`) and to its `PBX=` URL.
 */
import type { PbxTarget } from '../../src/config.ts';

export const TRANSPORTS = ['annex-g', 'sip-csta-udp', 'sip-csta-tcp'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** The switch's listening ports that matter to a transport (the simulator's `cstaPort` and
 * `sipPort`; the latter is null when the simulator was not asked for SIP). */
export interface SwitchPorts {
  cstaPort: number;
  sipPort?: number | null;
}

export function isTransport(x: string): x is Transport {
  return (TRANSPORTS as readonly string[]).includes(x);
}

export function isSip(t: Transport): boolean {
  return t !== 'annex-g';
}

/** The SIP transport protocol of a SIP/CSTA transport name. */
function sipTransport(t: Exclude<Transport, 'annex-g'>): 'udp' | 'tcp' {
  return t === 'sip-csta-udp' ? 'udp' : 'tcp';
}

function sipPortOf(t: Transport, sw: SwitchPorts): number {
  if (sw.sipPort === null || sw.sipPort === undefined) throw new Error(`transport ${t}: the switch has no SIP port (start the simulator with sipPort: 0)`);
  return sw.sipPort;
}

/** The daemon's `pbx` config for a switch on `host` (Annex G: `annexGPort` overrides the switch's
 * CSTA port, e.g. a relay in between). */
export function pbxTarget(t: Transport, host: string, sw: SwitchPorts, annexGPort?: number): PbxTarget {
  if (t === 'annex-g') return { kind: 'csta', host, port: annexGPort ?? sw.cstaPort };
  return { kind: 'sip-csta', host, port: sipPortOf(t, sw), transport: sipTransport(t) };
}

/** The daemon's `PBX=` environment value for the same target. */
export function pbxUrl(t: Transport, host: string, sw: SwitchPorts, annexGPort?: number): string {
  if (t === 'annex-g') return `csta://${host}:${annexGPort ?? sw.cstaPort}`;
  return `sip-csta://${host}:${sipPortOf(t, sw)};transport=${sipTransport(t)}`;
}
