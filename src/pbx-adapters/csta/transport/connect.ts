/**
 * Opening the CTI's side of a channel to a switch, by wire: Annex G frames over TCP
 * (`PBX=csta://host:port`), or a SIP/CSTA dialog over UDP or TCP
 * (`PBX=sip-csta://host:port;transport=udp|tcp`).
 */
import type { Logger } from 'pino';
import type { CstaChannel } from './channel.ts';
import { connectAnnexG } from './tcp-channel.ts';
import { connectSipCsta } from './sip-client.ts';

export type CstaWire = { kind: 'annex-g' } | { kind: 'sip-csta'; transport: 'udp' | 'tcp' };

export interface ChannelConnectOptions {
  host: string;
  port: number;
  logger: Logger;
  transport: CstaWire;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Rejects with PBX_UNAVAILABLE when the channel cannot be opened. */
export function connectChannel(opts: ChannelConnectOptions): Promise<CstaChannel> {
  const base = { host: opts.host, port: opts.port, ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  if (opts.transport.kind === 'annex-g') return connectAnnexG(base);
  return connectSipCsta({ ...base, transport: opts.transport.transport, logger: opts.logger });
}

/** `annex-g`, `sip-csta-udp`, `sip-csta-tcp`: for logs and reports. */
export function wireName(w: CstaWire): string {
  return w.kind === 'annex-g' ? 'annex-g' : `sip-csta-${w.transport}`;
}
