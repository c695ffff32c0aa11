/**
 * Device monitors (CSTA MonitorStart/MonitorStop). A monitor belongs to the CTI link that started
 * it and is lost with it. Every event about a device goes to each of its monitors, carrying the
 * monitor's cross-reference id. Pure data.
 */

export interface Monitor {
  readonly id: string;
  readonly deviceId: string;
  readonly linkId: string;
}

export class MonitorTable {
  private readonly byId = new Map<string, Monitor>();
  private readonly byDevice = new Map<string, Monitor[]>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Monitor | undefined {
    return this.byId.get(id);
  }

  /** The monitor `linkId` already holds on `deviceId`, if any. */
  find(linkId: string, deviceId: string): Monitor | undefined {
    return this.byDevice.get(deviceId)?.find((m) => m.linkId === linkId);
  }

  add(m: Monitor): void {
    this.byId.set(m.id, m);
    const list = this.byDevice.get(m.deviceId);
    if (list) list.push(m);
    else this.byDevice.set(m.deviceId, [m]);
  }

  remove(id: string): Monitor | undefined {
    const m = this.byId.get(id);
    if (!m) return undefined;
    this.byId.delete(id);
    const list = this.byDevice.get(m.deviceId)?.filter((x) => x.id !== id) ?? [];
    if (list.length > 0) this.byDevice.set(m.deviceId, list);
    else this.byDevice.delete(m.deviceId);
    return m;
  }

  ofDevice(deviceId: string): readonly Monitor[] | undefined {
    return this.byDevice.get(deviceId);
  }

  countOfDevice(deviceId: string): number {
    return this.byDevice.get(deviceId)?.length ?? 0;
  }

  ofLink(linkId: string): Monitor[] {
    return [...this.byId.values()].filter((m) => m.linkId === linkId);
  }

  /** Forgets every monitor of `linkId`; returns how many there were. */
  dropLink(linkId: string): number {
    const mine = this.ofLink(linkId);
    for (const m of mine) this.remove(m.id);
    return mine.length;
  }

  clear(): void {
    this.byId.clear();
    this.byDevice.clear();
  }
}
