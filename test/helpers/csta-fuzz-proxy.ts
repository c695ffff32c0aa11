/**
 * A frame-aware relay between the daemon and the simulated switch for the CSTA fuzz: it forwards
 * both directions frame by frame, learns what a fuzzer needs to reach deep into the daemon (the
 * monitor cross-reference of each monitored device, the invoke ids the daemon is waiting on), and
 * writes injected bytes to the daemon between two whole frames of the switch.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { isResponseType } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { encodeFrame, FrameDecoder, EVENT_INVOKE_ID } from '../../src/pbx-adapters/csta/protocol/framing.ts';

const rootOf = (xml: string): string => /<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)[\s>/]/.exec(xml.replace(/^<\?xml[^>]*\?>/, ''))?.[1] ?? '';
const tagText = (xml: string, tag: string): string | undefined => new RegExp(`<(?:[A-Za-z0-9_]+:)?${tag}>([^<]*)<`).exec(xml)?.[1];

export class CstaFuzzProxy {
  /** Monitored device → monitor cross-reference (the latest link's). */
  readonly monitors = new Map<string, string>();
  /** Links the daemon made through the proxy (more than one: the link was made again). */
  connections = 0;
  private readonly server: Server;
  private daemonSide: Socket | null = null;
  /** Invoke ids of the daemon's requests not answered yet by the switch. */
  private readonly pending = new Map<number, string>();
  port = 0;

  private constructor(private readonly upstreamPort: number) {
    this.server = createServer((s) => this.accept(s));
  }

  static async start(upstreamPort: number): Promise<CstaFuzzProxy> {
    const p = new CstaFuzzProxy(upstreamPort);
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.port = (p.server.address() as AddressInfo).port;
    return p;
  }

  /** True when the daemon waits for an answer with this invoke id. */
  daemonWaitsFor(invokeId: number): boolean {
    return this.pending.has(invokeId);
  }

  get linked(): boolean {
    return this.daemonSide !== null && !this.daemonSide.destroyed;
  }

  /** Writes `bytes` to the daemon now (between two frames of the switch); false with no link. */
  inject(bytes: Buffer): boolean {
    if (!this.linked) return false;
    this.daemonSide!.write(bytes);
    return true;
  }

  async close(): Promise<void> {
    this.daemonSide?.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(daemon: Socket): void {
    this.connections++;
    this.daemonSide = daemon;
    this.pending.clear();
    const sw = connect({ host: '127.0.0.1', port: this.upstreamPort });
    const fromDaemon = new FrameDecoder();
    const fromSwitch = new FrameDecoder();
    const starts = new Map<number, string>();
    daemon.on('data', (b: Buffer) => {
      sw.write(b);
      for (const f of fromDaemon.push(b).frames) {
        const root = rootOf(f.xml);
        if (f.invokeId === EVENT_INVOKE_ID || isResponseType(root)) continue;
        this.pending.set(f.invokeId, root);
        if (root === 'MonitorStart') {
          const device = tagText(f.xml, 'deviceObject');
          if (device) starts.set(f.invokeId, device);
        }
      }
    });
    sw.on('data', (b: Buffer) => {
      for (const f of fromSwitch.push(b).frames) {
        this.pending.delete(f.invokeId);
        const device = starts.get(f.invokeId);
        if (device !== undefined) {
          starts.delete(f.invokeId);
          const ref = tagText(f.xml, 'monitorCrossRefID');
          if (ref && rootOf(f.xml) === 'MonitorStartResponse') this.monitors.set(device, ref);
        }
        if (!daemon.destroyed) daemon.write(encodeFrame(f.invokeId, f.xml));
      }
    });
    const end = () => {
      daemon.destroy();
      sw.destroy();
      if (this.daemonSide === daemon) this.daemonSide = null;
    };
    daemon.on('close', end);
    sw.on('close', end);
    daemon.on('error', end);
    sw.on('error', end);
  }
}
