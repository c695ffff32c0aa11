/**
 * A transparent TCP relay between the daemon and the switch for `npm run bench:ivr`: bytes are
 * forwarded as they arrive, untouched; then the relay cuts its own copy into Annex G frames
 * (8-byte header: 2 bytes 0, 2 bytes big-endian length including the header, 4 ASCII digits of
 * invoke id) and looks at a few message types by their root element, with its own small readers
 * (nothing of src/ is used, so the measurement does not depend on the code it measures):
 *
 * - switch → daemon: `DtmfDetectedEvent` (a caller's key), `ConnectionClearedEvent` /
 *   `CallClearedEvent` (a call or a party gone), `StopEvent` (a play ended; counted);
 * - daemon → switch: `PlayMessage` (the reaction), `Stop` (counted).
 *
 * Each is reported with the time its TCP chunk reached the relay (`process.hrtime.bigint()`) and
 * the `<callID>` it is about. The relay is one more loopback hop each way; its times are those of
 * the bytes on the wire between the two processes.
 */
import net from 'node:net';

export interface WireDtmf {
  callId: string;
  key: string;
  /** The monitor the event is for: a key reaches every monitor of the call's devices. */
  monitor: string;
  at: bigint;
}

export interface WirePlay {
  callId: string;
  message: string;
  text: string | null;
  at: bigint;
}

export interface WireHandlers {
  dtmf(e: WireDtmf): void;
  play(e: WirePlay): void;
  /** A ConnectionClearedEvent (the party that left) or a CallClearedEvent. */
  cleared(callId: string, deviceId: string | null, at: bigint): void;
}

export interface WireCounts {
  framesFromSwitch: number;
  framesFromDaemon: number;
  bytesFromSwitch: number;
  bytesFromDaemon: number;
  dtmf: number;
  play: number;
  stop: number;
  stopEvent: number;
  errors: number;
  badFrames: number;
  links: number;
}

/** Cuts a byte stream into Annex G frames (bodies as UTF-8 text). */
export class AnnexGCutter {
  private buf: Buffer = Buffer.alloc(0);
  bad = 0;

  push(chunk: Buffer): string[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: string[] = [];
    let pos = 0;
    while (this.buf.length - pos >= 8) {
      const version = this.buf.readUInt16BE(pos);
      const length = this.buf.readUInt16BE(pos + 2);
      if (version !== 0 || length < 8) {
        // Not a header: look for the next one (the bench's link carries none such).
        this.bad++;
        pos++;
        continue;
      }
      if (this.buf.length - pos < length) break;
      out.push(this.buf.toString('utf8', pos + 8, pos + length));
      pos += length;
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    return out;
  }
}

const rootOf = (xml: string): string => {
  // After the XML declaration, the first element's name.
  let i = xml.indexOf('<');
  if (xml.startsWith('<?', i)) i = xml.indexOf('<', i + 2);
  const m = /^<([A-Za-z][\w.-]*)/.exec(xml.slice(i, i + 80));
  return m?.[1] ?? '';
};
const tag = (xml: string, name: string): string | null => {
  const open = `<${name}>`;
  const a = xml.indexOf(open);
  if (a < 0) return null;
  const b = xml.indexOf(`</${name}>`, a);
  return b < 0 ? null : xml.slice(a + open.length, b);
};

export class IvrWireTap {
  readonly counts: WireCounts = { framesFromSwitch: 0, framesFromDaemon: 0, bytesFromSwitch: 0, bytesFromDaemon: 0, dtmf: 0, play: 0, stop: 0, stopEvent: 0, errors: 0, badFrames: 0, links: 0 };
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly on: WireHandlers,
  ) {}

  static start(target: { host: string; port: number }, on: WireHandlers): Promise<IvrWireTap> {
    return new Promise((resolve, reject) => {
      let tap: IvrWireTap | null = null;
      const server = net.createServer((client) => tap?.accept(client, target));
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        tap = new IvrWireTap(server, (server.address() as net.AddressInfo).port, on);
        resolve(tap);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(daemon: net.Socket, target: { host: string; port: number }): void {
    this.counts.links++;
    const sw = net.connect(target);
    for (const s of [daemon, sw]) {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        daemon.destroy();
        sw.destroy();
      });
      s.on('error', () => s.destroy());
    }
    const fromSwitch = new AnnexGCutter();
    const fromDaemon = new AnnexGCutter();
    sw.on('data', (chunk: Buffer) => {
      const at = process.hrtime.bigint();
      daemon.write(chunk);
      this.counts.bytesFromSwitch += chunk.length;
      for (const xml of fromSwitch.push(chunk)) this.switchFrame(xml, at);
      this.counts.badFrames = fromSwitch.bad + fromDaemon.bad;
    });
    daemon.on('data', (chunk: Buffer) => {
      const at = process.hrtime.bigint();
      sw.write(chunk);
      this.counts.bytesFromDaemon += chunk.length;
      for (const xml of fromDaemon.push(chunk)) this.daemonFrame(xml, at);
      this.counts.badFrames = fromSwitch.bad + fromDaemon.bad;
    });
  }

  private switchFrame(xml: string, at: bigint): void {
    this.counts.framesFromSwitch++;
    switch (rootOf(xml)) {
      case 'DtmfDetectedEvent': {
        const callId = tag(xml, 'callID');
        const key = tag(xml, 'dtmfChar');
        if (callId === null || key === null) return;
        this.counts.dtmf++;
        this.on.dtmf({ callId, key, monitor: tag(xml, 'monitorCrossRefID') ?? '', at });
        return;
      }
      case 'ConnectionClearedEvent':
      case 'CallClearedEvent': {
        const callId = tag(xml, 'callID');
        if (callId !== null) this.on.cleared(callId, tag(xml, 'deviceID'), at);
        return;
      }
      case 'StopEvent':
        this.counts.stopEvent++;
        return;
      case 'CSTAErrorCode':
        this.counts.errors++;
        return;
      default:
        return;
    }
  }

  private daemonFrame(xml: string, at: bigint): void {
    this.counts.framesFromDaemon++;
    switch (rootOf(xml)) {
      case 'PlayMessage': {
        const callId = tag(xml, 'callID');
        if (callId === null) return;
        this.counts.play++;
        this.on.play({ callId, message: tag(xml, 'messageToBePlayed') ?? '', text: tag(xml, 'text'), at });
        return;
      }
      case 'Stop':
        this.counts.stop++;
        return;
      default:
        return;
    }
  }
}
