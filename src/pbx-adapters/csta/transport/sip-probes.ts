/**
 * Fault injection on the switch's side of a SIP/CSTA dialog: the simulator plays a switch that
 * misbehaves at the SIP level, and reports how the CTI answered (`POST /sim/link/sip-probe`).
 * Each probe is one request of a kind RFC 3261 says how to answer:
 *
 * | probe             | what is sent                                            | RFC 3261 answer |
 * |-------------------|---------------------------------------------------------|-----------------|
 * | noContentType     | INFO in the dialog, a CSTA body, no Content-Type        | 415 (§21.4.13)  |
 * | wrongContentType  | INFO in the dialog, the body as `text/plain`            | 415             |
 * | outsideDialog     | INFO with a Call-ID and tags of no dialog               | 481 (§12.2.2)   |
 * | outOfOrder        | INFO with a CSeq below the last one                     | 500 (§12.2.2)   |
 * | malformed         | INFO whose CSeq names another method                    | 400 (§8.2, §21.4.1) |
 * | oversized         | INFO of 70,000 bytes, sound Content-Length (TCP only)   | 413 (§18.3)     |
 * | unknownMethod     | MESSAGE in the dialog (not in the CTI's Allow)          | 405 (§8.2.1)    |
 *
 * Over UDP no datagram exceeds 65,507 bytes, under the 65,535-byte message limit: `oversized` is
 * refused there (`SIP_PROBE_NOT_POSSIBLE`).
 */
import {
  newBranch,
  newCallId,
  newTag,
  newVia,
  parseVia,
  serializeSip,
  SipDialog,
  type SipRequest,
  type SipResponse,
  type SipTransactionLayer,
} from '../../sip/index.ts';
import { CSTA_CONTENT_TYPE } from './csta-sip-body.ts';
import type { SipCstaChannel } from './sip-channel.ts';
import { CSTA_NS } from '../protocol/catalogue.ts';

export const SIP_PROBES = ['noContentType', 'wrongContentType', 'outsideDialog', 'outOfOrder', 'malformed', 'oversized', 'unknownMethod'] as const;
export type SipProbe = (typeof SIP_PROBES)[number];

export interface SipProbeResult {
  probe: SipProbe;
  /** The CTI's final answer; null when none came within the wait. */
  status: number | null;
  reason: string | null;
  /** Headers of interest in the answer (Accept, Allow, Warning). */
  headers: Record<string, string>;
}

export class SipProbeError extends Error {
  constructor(readonly code: 'SIP_PROBE_NOT_POSSIBLE', message: string) {
    super(message);
  }
}

const WAIT_MS = 5_000;
const EVENT_XML = `<?xml version="1.0" encoding="UTF-8"?><SystemStatus xmlns="${CSTA_NS}"><systemStatus>normal</systemStatus></SystemStatus>`;
const OVERSIZED_BYTES = 70_000;

/** Stray responses by the branch of the raw request they answer (one handler per layer). */
const rawWaits = new WeakMap<SipTransactionLayer, Map<string, (res: SipResponse) => void>>();

export async function runSipProbe(channel: SipCstaChannel, probe: SipProbe): Promise<SipProbeResult> {
  const { dialog, layer, peer } = channel.sip;
  const body = Buffer.from(EVENT_XML, 'utf8');
  switch (probe) {
    case 'noContentType': {
      const req = dialog.request('INFO', { body });
      return result(probe, await transact(channel, req));
    }
    case 'wrongContentType':
      return result(probe, await transact(channel, dialog.request('INFO', { body, contentType: 'text/plain' })));
    case 'outsideDialog': {
      const stranger = new SipDialog({
        callId: newCallId(peer.address), localTag: newTag(), remoteTag: newTag(), localUri: dialog.localUri, remoteUri: dialog.remoteUri,
        remoteTarget: dialog.remoteTarget, routeSet: dialog.routeSet, localSeq: 1, remoteSeq: null,
      });
      return result(probe, await transact(channel, stranger.request('INFO', { body, contentType: CSTA_CONTENT_TYPE })));
    }
    case 'outOfOrder': {
      // An empty INFO first (answered 200: the CTI now holds its CSeq), then one numbered below it.
      const first = await transact(channel, dialog.request('INFO'));
      if (first === null || first.status >= 300) return result(probe, first);
      const late = dialog.request('INFO');
      late.headers.set('CSeq', `${dialog.localSeq - 2} INFO`);
      return result(probe, await transact(channel, late));
    }
    case 'malformed': {
      const req = dialog.request('INFO', { body, contentType: CSTA_CONTENT_TYPE });
      req.headers.set('CSeq', `${dialog.localSeq} OPTIONS`);
      return result(probe, await raw(channel, req));
    }
    case 'oversized': {
      if (peer.transport === 'udp') {
        throw new SipProbeError('SIP_PROBE_NOT_POSSIBLE', 'oversized: a UDP datagram carries at most 65,507 bytes, under the 65,535-byte SIP message limit; probe over TCP');
      }
      const big = Buffer.alloc(OVERSIZED_BYTES, 0x20);
      body.copy(big);
      return result(probe, await raw(channel, dialog.request('INFO', { body: big, contentType: CSTA_CONTENT_TYPE })));
    }
    case 'unknownMethod':
      return result(probe, await transact(channel, dialog.request('MESSAGE', { body: Buffer.from('hello'), contentType: 'text/plain' })));
  }
}

/** Through the transaction layer (retransmitted over UDP as any request): the final answer. */
async function transact(channel: SipCstaChannel, req: SipRequest): Promise<SipResponse | null> {
  const { layer, peer } = channel.sip;
  try {
    return await layer.request(req, peer);
  } catch {
    return null;
  }
}

/** Bytes the transaction layer would refuse to build: written raw, the answer caught as a stray. */
function raw(channel: SipCstaChannel, req: SipRequest): Promise<SipResponse | null> {
  const { layer, endpoint, peer } = channel.sip;
  let waits = rawWaits.get(layer);
  if (!waits) {
    const map = new Map<string, (res: SipResponse) => void>();
    rawWaits.set(layer, map);
    layer.onStrayResponse((res) => {
      const top = res.headers.getAll('Via')[0];
      const branch = top === undefined ? undefined : parseVia(top).params['branch'];
      if (typeof branch === 'string') map.get(branch)?.(res);
    });
    waits = map;
  }
  const branch = newBranch();
  const host = endpoint.local.address === '0.0.0.0' || endpoint.local.address === '::' ? '127.0.0.1' : endpoint.local.address;
  req.headers.prepend('Via', newVia(peer.transport, { address: host, port: endpoint.local.port }, branch));
  const bytes = serializeSip(req, Number.MAX_SAFE_INTEGER);
  const map = waits;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      map.delete(branch);
      resolve(null);
    }, WAIT_MS);
    map.set(branch, (res) => {
      if (res.status < 200) return;
      clearTimeout(timer);
      map.delete(branch);
      resolve(res);
    });
    endpoint.writeRaw(bytes, peer);
  });
}

function result(probe: SipProbe, res: SipResponse | null): SipProbeResult {
  const headers: Record<string, string> = {};
  for (const name of ['Accept', 'Allow', 'Warning']) {
    const v = res?.headers.get(name);
    if (v !== undefined) headers[name] = v;
  }
  return { probe, status: res?.status ?? null, reason: res?.reason ?? null, headers };
}
