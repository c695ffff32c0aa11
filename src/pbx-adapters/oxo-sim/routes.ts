/**
 * Routing registrations (RouteRegister: which CTI link routes calls arriving at a routing device)
 * and open routing dialogues (RouteRequest sent, waiting for RouteSelect). Both belong to a link
 * and are lost with it. Pure data.
 */

export interface Registration {
  readonly id: string;
  readonly linkId: string;
  readonly deviceId: string;
}

export interface Dialogue {
  readonly crossRefId: string;
  readonly registration: Registration;
  /** The routed call; updated when a transfer merges it into another call. */
  callId: string;
  readonly routingDevice: string;
}

export class RouteTable {
  private readonly byDevice = new Map<string, Registration>();
  private readonly dialogues = new Map<string, Dialogue>();
  private readonly byCall = new Map<string, Set<Dialogue>>();

  registrationOf(deviceId: string): Registration | undefined {
    return this.byDevice.get(deviceId);
  }

  /** The latest registration wins: a CTI that reconnects before its old link is declared dead
   * takes its routing devices over at once. */
  register(reg: Registration): void {
    this.byDevice.set(reg.deviceId, reg);
  }

  registrations(): IterableIterator<Registration> {
    return this.byDevice.values();
  }

  dialogue(crossRefId: string): Dialogue | undefined {
    return this.dialogues.get(crossRefId);
  }

  openDialogues(): IterableIterator<Dialogue> {
    return this.dialogues.values();
  }

  open(d: Dialogue): void {
    this.dialogues.set(d.crossRefId, d);
    this.index(d);
  }

  close(crossRefId: string): Dialogue | undefined {
    const d = this.dialogues.get(crossRefId);
    if (!d) return undefined;
    this.dialogues.delete(crossRefId);
    this.unindex(d);
    return d;
  }

  ofCall(callId: string): Dialogue[] {
    const set = this.byCall.get(callId);
    return set ? [...set] : [];
  }

  /** A transfer or conference merged call `from` into `into`. */
  moveCall(from: string, into: string): void {
    for (const d of this.ofCall(from)) {
      this.unindex(d);
      d.callId = into;
      this.index(d);
    }
  }

  /** Forgets the registrations of `linkId`; returns its open dialogues (the caller decides their fate). */
  dropLink(linkId: string): Dialogue[] {
    for (const [deviceId, reg] of this.byDevice) if (reg.linkId === linkId) this.byDevice.delete(deviceId);
    return [...this.dialogues.values()].filter((d) => d.registration.linkId === linkId);
  }

  clear(): void {
    this.byDevice.clear();
    this.dialogues.clear();
    this.byCall.clear();
  }

  private index(d: Dialogue): void {
    let set = this.byCall.get(d.callId);
    if (!set) this.byCall.set(d.callId, (set = new Set()));
    set.add(d);
  }

  private unindex(d: Dialogue): void {
    const set = this.byCall.get(d.callId);
    if (!set) return;
    set.delete(d);
    if (set.size === 0) this.byCall.delete(d.callId);
  }
}
