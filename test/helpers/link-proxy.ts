/**
 * A TCP relay between the daemon and the simulated switch, for faults the simulator cannot make by
 * itself: holding what the daemon sends (a command still "on the wire" while the switch moves on)
 * and a link outage of a chosen length (the daemon's reconnect attempts wait on us, so the link is
 * back as soon as the test restores it, whatever the backoff).
 *
 * Trade-off: it relays bytes, not frames; `waitForHeld` looks for text in the held bytes, which is
 * enough to know that a given CSTA request (`<DeflectCall`) has been sent.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

interface Pair {
  daemon: Socket;
  sw: Socket | null;
  /** Bytes from the daemon not yet written to the switch. */
  pending: Buffer[];
}

export class LinkProxy {
  private server: Server;
  private pairs = new Set<Pair>();
  private holding = false;
  private down = false;
  private heldText = '';
  private heldWaiters: { text: string; resolve: () => void }[] = [];
  port = 0;

  private constructor(private readonly upstreamPort: number) {
    this.server = createServer((s) => this.accept(s));
  }

  static async start(upstreamPort: number): Promise<LinkProxy> {
    const p = new LinkProxy(upstreamPort);
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', resolve));
    p.port = (p.server.address() as AddressInfo).port;
    return p;
  }

  /** From now on, what the daemon sends is kept here instead of reaching the switch. */
  hold(): void {
    this.holding = true;
    this.heldText = '';
  }

  /** Resolves once the held bytes contain `text` (e.g. `<DeflectCall`). */
  waitForHeld(text: string, timeoutMs = 2000): Promise<void> {
    if (this.heldText.includes(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`nothing like ${text} sent by the daemon in ${timeoutMs} ms`)), timeoutMs);
      this.heldWaiters.push({ text, resolve: () => (clearTimeout(t), resolve()) });
    });
  }

  /** Sends on everything held, in order, and stops holding. */
  release(): void {
    this.holding = false;
    for (const p of this.pairs) this.flush(p);
  }

  /** A link outage: the link is cut now and the daemon's reconnect attempts are kept waiting. */
  cut(): void {
    this.down = true;
    for (const p of [...this.pairs]) this.drop(p);
  }

  /** The outage ends: waiting reconnect attempts reach the switch at once. */
  restore(): void {
    this.down = false;
    for (const p of this.pairs) if (!p.sw) this.bridge(p);
  }

  async close(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(daemon: Socket): void {
    const p: Pair = { daemon, sw: null, pending: [] };
    this.pairs.add(p);
    daemon.on('data', (b: Buffer) => {
      p.pending.push(b);
      if (this.holding) this.noteHeld(b);
      this.flush(p);
    });
    daemon.on('close', () => this.drop(p));
    daemon.on('error', () => this.drop(p));
    if (!this.down) this.bridge(p);
  }

  private bridge(p: Pair): void {
    const sw = connect(this.upstreamPort, '127.0.0.1');
    p.sw = sw;
    sw.on('connect', () => this.flush(p));
    sw.on('data', (b: Buffer) => p.daemon.write(b));
    sw.on('close', () => this.drop(p));
    sw.on('error', () => this.drop(p));
  }

  private flush(p: Pair): void {
    if (this.holding || !p.sw || p.sw.connecting || p.sw.destroyed) return;
    for (const b of p.pending.splice(0)) p.sw.write(b);
  }

  private noteHeld(b: Buffer): void {
    this.heldText += b.toString('latin1');
    this.heldWaiters = this.heldWaiters.filter((w) => {
      if (!this.heldText.includes(w.text)) return true;
      w.resolve();
      return false;
    });
  }

  private drop(p: Pair): void {
    if (!this.pairs.delete(p)) return;
    p.daemon.destroy();
    p.sw?.destroy();
  }
}
