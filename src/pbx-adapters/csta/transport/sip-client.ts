/**
 * The CTI's side of SIP/CSTA (the daemon as UAC, ECMA TR/87): opens the association with an INVITE
 * whose `application/csta+xml` body is a `RequestSystemStatus`, ACKs the switch's 200 OK (which
 * carries the `RequestSystemStatusResponse`), and hands back a SipCstaChannel over its own
 * endpoint and transaction layer. What follows (StartApplicationSession, monitors, events) is the
 * CSTA session's, in INFOs (sip-channel.ts).
 *
 * Any failure to open — no route, TCP refused, no answer within the connect timeout, a non-2xx —
 * rejects with PBX_UNAVAILABLE, and the reconnect loop above tries again.
 */
import type { Logger } from 'pino';
import { PbxError } from '../../../core/pbx-port.ts';
import {
  newCallId,
  newTag,
  parseCSeq,
  SipDialog,
  SipEndpoint,
  SipHeaders,
  SipTransactionLayer,
  sipHost,
  type SipPeer,
  type SipRequest,
  type SipResponse,
  type SipTimers,
  type SipTransportName,
} from '../../sip/index.ts';
import { CSTA_CONTENT_TYPE, rootElementName } from './csta-sip-body.ts';
import { SIP_CSTA_ALLOW, SipCstaChannel } from './sip-channel.ts';
import { CSTA_NS } from '../protocol/catalogue.ts';

export const SIP_CSTA_CONNECT_TIMEOUT_MS = 3_000;
/** What we ask for (RFC 4028); the switch may grant less, and we refresh at half of it. */
export const DEFAULT_SESSION_EXPIRES_S = 1800;
/** The least we accept from a switch's Session-Expires (RFC 4028 Min-SE default). */
const MIN_SESSION_EXPIRES_S = 90;

export interface SipCstaConnectOptions {
  host: string;
  port: number;
  transport: SipTransportName;
  logger: Logger;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
  sessionExpiresS?: number;
  /** Tests shorten T1 so a lost datagram is resent quickly. */
  timers?: Partial<SipTimers>;
  maxInFlight?: number;
}

const REQUEST_SYSTEM_STATUS = `<?xml version="1.0" encoding="UTF-8"?><RequestSystemStatus xmlns="${CSTA_NS}"/>`;

export async function connectSipCsta(opts: SipCstaConnectOptions): Promise<SipCstaChannel> {
  const where = `sip-csta ${opts.transport} ${opts.host}:${opts.port}`;
  const unavailable = (why: string): PbxError => new PbxError('PBX_UNAVAILABLE', `SIP/CSTA switch at ${opts.host}:${opts.port} (${opts.transport}): ${why}`);
  if (opts.signal?.aborted) throw unavailable('aborted');
  let endpoint: SipEndpoint;
  try {
    endpoint = await SipEndpoint.connect({ transport: opts.transport, host: opts.host, port: opts.port, logger: opts.logger });
  } catch (e) {
    throw unavailable((e as Error).message);
  }
  const layer = new SipTransactionLayer(endpoint, { logger: opts.logger, ...(opts.timers ? { timers: opts.timers } : {}) });
  const release = async (): Promise<void> => {
    layer.close();
    await endpoint.close();
  };
  const peer: SipPeer = { transport: opts.transport, address: opts.host, port: opts.port };
  const invite = buildInvite(endpoint, opts, peer);
  const asked = opts.sessionExpiresS ?? DEFAULT_SESSION_EXPIRES_S;

  let flowLost: string | null = null;
  endpoint.onFlowClosed((_p, reason) => (flowLost ??= reason));
  let ok: SipResponse;
  try {
    ok = await withTimeout(layer.request(invite, peer), opts.connectTimeoutMs ?? SIP_CSTA_CONNECT_TIMEOUT_MS, opts.signal);
  } catch (e) {
    await release();
    throw unavailable(`INVITE not answered: ${(e as Error).message}`);
  }
  if (ok.status >= 300) {
    await release();
    throw unavailable(`INVITE answered ${ok.status} ${ok.reason}`);
  }
  let dialog: SipDialog;
  try {
    dialog = SipDialog.fromUacInvite(invite, ok);
  } catch (e) {
    await release();
    throw unavailable(`unusable 2xx to INVITE: ${(e as Error).message}`);
  }
  layer.sendAck(dialog.ack(parseCSeq(invite.headers.get('CSeq')!).seq), peer);
  if (flowLost !== null) {
    await release();
    throw unavailable(`TCP flow closed while opening: ${flowLost}`);
  }

  const log = opts.logger.child({ pbxTransport: `sip-csta-${opts.transport}`, sipCallId: dialog.callId });
  const granted = parseInt(ok.headers.get('Session-Expires') ?? '', 10);
  // What the switch granted is what it will wait for: refresh at half of it, whatever it is.
  const sessionExpiresS = Number.isFinite(granted) && granted > 0 ? granted : 0;
  if (sessionExpiresS > 0 && sessionExpiresS < MIN_SESSION_EXPIRES_S) {
    opts.logger.warn({ sessionExpiresS }, 'SIP/CSTA switch granted a session interval below RFC 4028\'s Min-SE (90 s): refreshing at half of it');
  }
  const allow = ok.headers.getAll('Allow').map((m) => m.trim().toUpperCase());
  const channel = new SipCstaChannel({
    role: 'uac',
    dialog,
    layer,
    endpoint,
    peer,
    ownsEndpoint: true,
    logger: opts.logger,
    sessionExpiresS,
    peerAllowsUpdate: allow.length === 0 ? true : allow.includes('UPDATE'),
    inviteBody: invite.body,
    ...(opts.maxInFlight !== undefined ? { maxInFlight: opts.maxInFlight } : {}),
  });
  const status = systemStatusOf(ok);
  log.info({ remote: where, systemStatus: status, sessionExpiresS, asked }, 'SIP/CSTA association open');
  if (status !== null && status !== 'normal') log.warn({ systemStatus: status }, 'SIP/CSTA switch reports its system status not normal');

  layer.onRequest((req, txn) => channel.handleRequest(req, txn));
  layer.onStrayResponse((res) => channel.handleStrayResponse(res));
  endpoint.onParseError((err) => channel.handleParseError(err));
  endpoint.onFlowClosed((_p, reason) => channel.peerGone(`closed by the switch (${reason})`));
  return channel;
}

function buildInvite(endpoint: SipEndpoint, opts: SipCstaConnectOptions, peer: SipPeer): SipRequest {
  const local = endpoint.local;
  const tp = opts.transport === 'tcp' ? ';transport=tcp' : '';
  const remote = `sip:csta@${sipHost(peer.address)}:${peer.port}${tp}`;
  const h = new SipHeaders();
  h.append('Max-Forwards', '70');
  h.append('From', `<sip:switchboard@${sipHost(local.address)}>;tag=${newTag()}`);
  h.append('To', `<sip:csta@${sipHost(peer.address)}:${peer.port}>`);
  h.append('Call-ID', newCallId(local.address));
  h.append('CSeq', '1 INVITE');
  h.append('Contact', `<sip:switchboard@${sipHost(local.address)}:${local.port}${tp}>`);
  h.append('Allow', SIP_CSTA_ALLOW);
  h.append('Supported', 'timer');
  h.append('Session-Expires', `${opts.sessionExpiresS ?? DEFAULT_SESSION_EXPIRES_S};refresher=uac`);
  h.append('Content-Type', CSTA_CONTENT_TYPE);
  h.append('Content-Disposition', 'signal;handling=required');
  return { kind: 'request', method: 'INVITE', uri: remote, headers: h, body: Buffer.from(REQUEST_SYSTEM_STATUS, 'utf8') };
}

/** `normal`, `disabled`, … from a RequestSystemStatusResponse in the 200 OK; null when absent. */
function systemStatusOf(ok: SipResponse): string | null {
  if (ok.body.length === 0) return null;
  const xml = ok.body.toString('utf8');
  if (rootElementName(xml) !== 'RequestSystemStatusResponse') return null;
  return /<(?:[\w.-]+:)?systemStatus>\s*([^<\s]+)\s*</.exec(xml)?.[1] ?? null;
}

function withTimeout<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no final answer within ${ms} ms`)), ms);
    const onAbort = (): void => reject(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
