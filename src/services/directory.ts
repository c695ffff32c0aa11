/**
 * The daemon's in-memory view of the centre's configuration: agents with their extension, skills
 * and queues; queues; pilot numbers. Loaded whole from the database at start and after an edit of
 * queues, pilots or skills (`load`, which says which agents' records changed); an edit of one user
 * or agent replaces that agent alone (`upsertAgent`, `removeAgent`). Read on every routing
 * decision, so every lookup is a Map hit.
 */
import type { DeviceKind } from '../core/calls/call.ts';
import type { QueueStepJson } from '../storage/schema.ts';

export interface DirectoryAgent {
  userId: number;
  username: string;
  displayName: string;
  roles: string[];
  defaultExtension: string | null;
  team: string | null;
  /** Order in roundRobin and linear queues: lower first (then username). */
  rank: number;
  skills: { skill: string; level: number }[];
  /** Queues the agent serves: explicit memberships plus queues its skills qualify it for. */
  queues: string[];
  /** Explicit memberships only (the agent serves these whatever its skills). */
  memberOf: string[];
}

export interface DirectoryQueue {
  id: string;
  name: string;
  strategy: string;
  queueDevice: string;
  ringTimeoutS: number;
  wrapUpS: number;
  maxWaitS: number | null;
  overflowTarget: string | null;
  /** Higher is served first by an agent who serves several queues. */
  priority: number;
  weight: number;
  leastBusyBy: 'calls' | 'talkTime';
  maxMisses: number;
  retryS: number;
  customerRules: { vipBoost: number; preferredWaitS: number } | null;
  steps: QueueStep[];
  requiredSkills: { skill: string; minLevel: number }[];
}

/** A time-based step as the admin API stores it (storage owns the shape, type only). */
export type QueueStep = QueueStepJson;

export interface DirectoryPilot {
  number: string;
  kind: 'queue' | 'ivr' | 'replay';
  queueId: string | null;
  ivrFlow: string | null;
  /** Business-based routing: caller priority and the skills calls to this number need. */
  priority: number;
  requiredSkills: { skill: string; minLevel: number }[] | null;
}

export interface DirectoryData {
  agents: DirectoryAgent[];
  queues: DirectoryQueue[];
  pilots: DirectoryPilot[];
}

export interface DirectoryOptions {
  /** Numbers matching this are inside the switch (extensions, pilots, ports); others are outside. */
  internalNumber: RegExp;
}

export class Directory {
  private agents = new Map<string, DirectoryAgent>();
  private queues = new Map<string, DirectoryQueue>();
  private queuesByDevice = new Map<string, DirectoryQueue>();
  private pilots = new Map<string, DirectoryPilot>();
  private agentsByQueue = new Map<string, DirectoryAgent[]>();

  constructor(private readonly opts: DirectoryOptions) {}

  /** Replaces everything. Returns the usernames of agents added, removed or whose record differs
   * from the one held before (a skill renamed, a membership gone with its queue, …). */
  load(data: DirectoryData): string[] {
    const before = this.agents;
    this.agents = new Map(data.agents.map((a) => [a.username, a]));
    this.queues = new Map(data.queues.map((q) => [q.id, q]));
    this.queuesByDevice = new Map(data.queues.map((q) => [q.queueDevice, q]));
    this.pilots = new Map(data.pilots.map((p) => [p.number, p]));
    this.agentsByQueue = new Map();
    for (const a of data.agents) this.index(a);
    const changed: string[] = [];
    for (const [username, a] of this.agents) {
      const old = before.get(username);
      if (!old || !sameAgent(old, a)) changed.push(username);
    }
    for (const username of before.keys()) if (!this.agents.has(username)) changed.push(username);
    return changed;
  }

  /** Adds or replaces one agent's record (an admin edit of that user or agent). */
  upsertAgent(a: DirectoryAgent): void {
    this.removeAgent(a.username);
    this.agents.set(a.username, a);
    this.index(a);
  }

  /** Forgets one agent (deleted, disabled, no longer an agent). False when it was not there. */
  removeAgent(username: string): boolean {
    const old = this.agents.get(username);
    if (!old) return false;
    this.agents.delete(username);
    for (const q of old.queues) {
      const list = this.agentsByQueue.get(q);
      if (!list) continue;
      const rest = list.filter((m) => m.username !== username);
      if (rest.length > 0) this.agentsByQueue.set(q, rest);
      else this.agentsByQueue.delete(q);
    }
    return true;
  }

  /** Adds the agent to the member lists of the queues it serves, kept in username order. */
  private index(a: DirectoryAgent): void {
    for (const q of a.queues) {
      const list = this.agentsByQueue.get(q) ?? [];
      let i = list.length;
      while (i > 0 && list[i - 1]!.username > a.username) i--;
      list.splice(i, 0, a);
      this.agentsByQueue.set(q, list);
    }
  }

  agent(username: string): DirectoryAgent | undefined {
    return this.agents.get(username);
  }
  allAgents(): IterableIterator<DirectoryAgent> {
    return this.agents.values();
  }
  queue(id: string): DirectoryQueue | undefined {
    return this.queues.get(id);
  }
  allQueues(): IterableIterator<DirectoryQueue> {
    return this.queues.values();
  }
  queueByDevice(deviceId: string): DirectoryQueue | undefined {
    return this.queuesByDevice.get(deviceId);
  }
  private ivrPorts: ReadonlySet<string> = EMPTY;

  pilot(number: string): DirectoryPilot | undefined {
    return this.pilots.get(number);
  }
  allPilots(): IterableIterator<DirectoryPilot> {
    return this.pilots.values();
  }
  membersOf(queueId: string): readonly DirectoryAgent[] {
    return this.agentsByQueue.get(queueId) ?? [];
  }

  isInternal(number: string): boolean {
    return this.opts.internalNumber.test(number);
  }

  /** What a device is, as far as the daemon's configuration tells. Phones are whatever internal
   * number is not a pilot, queue device or IVR port. */
  /** The switch's IVR ports (voice units), from the configuration (IVR_PORTS). */
  setIvrPorts(ports: Iterable<string>): void {
    this.ivrPorts = new Set(ports);
  }

  isIvrPort(deviceId: string): boolean {
    return this.ivrPorts.has(deviceId);
  }

  deviceKind(deviceId: string, ivrPorts: ReadonlySet<string> = this.ivrPorts): DeviceKind {
    if (this.pilots.has(deviceId)) return 'routing';
    if (this.queuesByDevice.has(deviceId)) return 'queue';
    if (ivrPorts.has(deviceId)) return 'ivr';
    if (!this.isInternal(deviceId)) return 'external';
    return 'agentPhone';
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** Records come from the same query in the same shape: field-by-field JSON equality is exact. */
function sameAgent(a: DirectoryAgent, b: DirectoryAgent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
