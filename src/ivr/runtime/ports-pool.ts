/**
 * The switch's IVR ports (voice units) as a pool: a port is free, reserved for a call on its way
 * there (RouteSelect or transfer sent, the call not yet arrived), or busy with a session. A
 * reservation the call never honours is released after RESERVATION_MS.
 */
export const RESERVATION_MS = 10_000;

export class PortPool {
  private readonly free: string[];
  private readonly reserved = new Map<string, { pbxCallId: string; at: number }>();
  private readonly busy = new Set<string>();
  private readonly out = new Set<string>();

  constructor(readonly ports: readonly string[]) {
    this.free = [...ports].reverse();
  }

  has(port: string): boolean {
    return this.ports.includes(port);
  }

  /** A free port for the call, or null when all are busy (or out of service). */
  reserve(pbxCallId: string, now: number): string | null {
    this.expire(now);
    for (let i = this.free.length - 1; i >= 0; i--) {
      const port = this.free[i]!;
      if (this.out.has(port)) continue;
      this.free.splice(i, 1);
      this.reserved.set(port, { pbxCallId, at: now });
      return port;
    }
    return null;
  }

  reservationOf(port: string): string | undefined {
    return this.reserved.get(port)?.pbxCallId;
  }

  occupy(port: string): void {
    this.reserved.delete(port);
    const i = this.free.indexOf(port);
    if (i >= 0) this.free.splice(i, 1);
    this.busy.add(port);
  }

  release(port: string): void {
    this.reserved.delete(port);
    if (this.busy.delete(port) || !this.free.includes(port)) this.free.unshift(port);
  }

  setInService(port: string, inService: boolean): void {
    if (inService) this.out.delete(port);
    else this.out.add(port);
  }

  get inUse(): number {
    return this.busy.size + this.reserved.size;
  }

  private expire(now: number): void {
    for (const [port, r] of this.reserved) if (now - r.at > RESERVATION_MS) this.release(port);
  }
}
