/**
 * The daemon's in-memory view of the centre's configuration: agents with their extension, skills
 * and queues; queues; pilot numbers. Loaded from the database at start and again after an admin
 * edit; read on every routing decision, so every lookup is a Map hit.
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

  load(data: DirectoryData): void {
    this.agents = new Map(data.agents.map((a) => [a.username, a]));
    this.queues = new Map(data.queues.map((q) => [q.id, q]));
    this.queuesByDevice = new Map(data.queues.map((q) => [q.queueDevice, q]));
    this.pilots = new Map(data.pilots.map((p) => [p.number, p]));
    this.agentsByQueue = new Map();
    for (const a of data.agents) {
      for (const q of a.queues) {
        const list = this.agentsByQueue.get(q) ?? [];
        list.push(a);
        this.agentsByQueue.set(q, list);
      }
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
  deviceKind(deviceId: string, ivrPorts: ReadonlySet<string> = EMPTY): DeviceKind {
    if (this.pilots.has(deviceId)) return 'routing';
    if (this.queuesByDevice.has(deviceId)) return 'queue';
    if (ivrPorts.has(deviceId)) return 'ivr';
    if (!this.isInternal(deviceId)) return 'external';
    return 'agentPhone';
  }
}

const EMPTY: ReadonlySet<string> = new Set();
