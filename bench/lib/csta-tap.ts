/**
 * A timestamping TCP relay between the daemon and the simulated switch (`npm run bench:e2e --
 * --tap`), to split the end-to-end latency by stage. Bytes are forwarded as they arrive, then the
 * frames are decoded (with the daemon's own ECMA-323 frame decoder) and, per caller number, the
 * time is kept when:
 * - the switch's RouteRequest passed the relay (on its way to the daemon),
 * - the daemon's RouteSelect for it passed the relay (on its way to the switch),
 * - the first DeliveredEvent of the call at an agent's phone passed the relay (to the daemon).
 * It adds one loopback hop each way and some work in the bench process, so its run is a
 * diagnostic, not the headline figure.
 */
import net from 'node:net';
import { FrameDecoder } from '../../src/pbx-adapters/csta/protocol/framing.ts';

export interface TapTimes {
  routeRequestAt?: bigint;
  routeSelectAt?: bigint;
  deliveredAt?: bigint;
}

const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const device = (xml: string, name: string): string | undefined => new RegExp(`<${name}>\\s*<deviceIdentifier>([^<]*)</deviceIdentifier>`).exec(xml)?.[1];

export class CstaTap {
  /** Caller number → the times seen for its call. */
  readonly byCaller = new Map<string, TapTimes>();
  private readonly callerByCrossRef = new Map<string, string>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    /** Phones: a DeliveredEvent alerting one of these is the offer to an agent. */
    private readonly isAgentPhone: (device: string) => boolean,
  ) {}

  static start(target: { host: string; port: number }, isAgentPhone: (device: string) => boolean): Promise<CstaTap> {
    return new Promise((resolve, reject) => {
      let tap: CstaTap | null = null;
      const server = net.createServer((client) => tap?.accept(client, target));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        tap = new CstaTap(server, (server.address() as net.AddressInfo).port, isAgentPhone);
        resolve(tap);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => s.destroy());
    }
    const fromSwitch = new FrameDecoder();
    const fromDaemon = new FrameDecoder();
    upstream.on('data', (chunk: Buffer) => {
      const at = process.hrtime.bigint();
      client.write(chunk);
      for (const f of fromSwitch.push(chunk).frames) this.switchFrame(f.xml, at);
    });
    client.on('data', (chunk: Buffer) => {
      const at = process.hrtime.bigint();
      upstream.write(chunk);
      for (const f of fromDaemon.push(chunk).frames) this.daemonFrame(f.xml, at);
    });
  }

  private times(caller: string): TapTimes {
    let t = this.byCaller.get(caller);
    if (!t) this.byCaller.set(caller, (t = {}));
    return t;
  }

  private switchFrame(xml: string, at: bigint): void {
    if (xml.includes('<RouteRequest')) {
      const crossRef = tag(xml, 'routingCrossRefID');
      const caller = device(xml, 'callingDevice');
      if (crossRef === undefined || caller === undefined) return;
      this.callerByCrossRef.set(crossRef, caller);
      this.times(caller).routeRequestAt ??= at;
    } else if (xml.includes('<DeliveredEvent')) {
      const alerting = device(xml, 'alertingDevice');
      const caller = device(xml, 'callingDevice');
      if (alerting === undefined || caller === undefined || !this.isAgentPhone(alerting)) return;
      this.times(caller).deliveredAt ??= at;
    }
  }

  private daemonFrame(xml: string, at: bigint): void {
    if (!xml.includes('<RouteSelect')) return;
    const crossRef = tag(xml, 'routingCrossRefID');
    const caller = crossRef === undefined ? undefined : this.callerByCrossRef.get(crossRef);
    if (caller === undefined) return;
    this.callerByCrossRef.delete(crossRef!);
    this.times(caller).routeSelectAt ??= at;
  }
}
