/**
 * Routing registrations (RouteRegister: which CTI link routes calls arriving at a routing device)
 * and open routing dialogues (RouteRequest sent, waiting for RouteSelect). Both belong to a link
 * and are lost with it. Pure data.
 */

export interface Registration {
  readonly id: string;
  readonly linkId: string;
  /** The routing device, or null for the default routeing server (every device not registered). */
  readonly deviceId: string | null;
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
  private defaultReg: Registration | undefined;
  private readonly dialogues = new Map<string, Dialogue>();
  private readonly byCall = new Map<string, Set<Dialogue>>();

  /** Who routes calls at `deviceId`: its own registration, else the default routeing server. */
  registrationOf(deviceId: string): Registration | undefined {
    return this.byDevice.get(deviceId) ?? this.defaultReg;
  }

  defaultRegistration(): Registration | undefined {
    return this.defaultReg;
  }

  /** The latest registration wins: a CTI that reconnects before its old link is declared dead
   * takes its routing devices over at once. */
  register(reg: Registration): void {
    if (reg.deviceId === null) this.defaultReg = reg;
    else this.byDevice.set(reg.deviceId, reg);
  }

  registrations(): IterableIterator<Registration> {
    return [...this.byDevice.values(), ...(this.defaultReg ? [this.defaultReg] : [])].values();
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
    if (this.defaultReg?.linkId === linkId) this.defaultReg = undefined;
    return [...this.dialogues.values()].filter((d) => d.registration.linkId === linkId);
  }

  clear(): void {
    this.byDevice.clear();
    this.defaultReg = undefined;
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
