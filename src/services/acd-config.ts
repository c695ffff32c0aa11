/**
 * The centre's configuration (the Directory: queues, pilots, agents as the admin API stores them)
 * turned into the ACD router's vocabulary (src/acd/types.ts). Pure.
 *
 * Trade-off: the admin API names a fallback or overflow target with one string, as a person
 * would type it: a queue id (the call moves to that queue and keeps its place in time),
 * `ivr:<flow>` (the IVR pilot number of that flow), or a number on the switch (a voicemail pilot,
 * an extension, an outside number). A step naming a queue that no longer exists is dropped here
 * (and reported), so deleting a queue never stops the daemon from reloading its directory.
 */
import { DEFAULT_CUSTOMER_RULES } from '../acd/config.ts';
import type { AgentConfig, AgentOrder, QueueConfig, RouterConfig, ServiceConfig, Step, Target } from '../acd/types.ts';
import type { Directory, DirectoryAgent, DirectoryQueue, QueueStep } from './directory.ts';

export interface AcdConfigResult {
  config: RouterConfig;
  /** Steps or targets that could not be used, for the log. */
  warnings: string[];
}

export function routerConfigOf(directory: Directory, extraServices: readonly ServiceConfig[] = []): AcdConfigResult {
  const warnings: string[] = [];
  const queueIds = new Set([...directory.allQueues()].map((q) => q.id));
  const queues: QueueConfig[] = [...directory.allQueues()].map((q) => queueConfigOf(q, queueIds, warnings));
  const services: ServiceConfig[] = [];
  for (const p of directory.allPilots()) {
    if (p.kind !== 'queue' || !p.queueId || !queueIds.has(p.queueId) || !p.requiredSkills) continue;
    services.push({ dialled: p.number, queue: p.queueId, requiredSkills: p.requiredSkills });
  }
  for (const s of extraServices) {
    if (!queueIds.has(s.queue)) {
      warnings.push(`service ${s.dialled}: no queue ${s.queue}`);
      continue;
    }
    services.push(s);
  }
  return { config: { queues, services }, warnings };
}

function queueConfigOf(q: DirectoryQueue, queueIds: ReadonlySet<string>, warnings: string[]): QueueConfig {
  const order: AgentOrder = q.strategy === 'customerBased' ? 'longestIdle' : (q.strategy as AgentOrder);
  const steps: Step[] = [];
  for (const s of q.steps) {
    const step = stepOf(s, queueIds);
    if (step) steps.push(step);
    else warnings.push(`queue ${q.id}: step ${JSON.stringify(s)} names an unknown queue; ignored`);
  }
  const fallback = q.overflowTarget ? targetOf(q.overflowTarget, queueIds) : null;
  return {
    id: q.id,
    order,
    leastBusyBy: q.leastBusyBy,
    requiredSkills: q.requiredSkills,
    tier: q.priority,
    weight: q.weight,
    // A customerBased queue without its own rules gets the defaults: VIP ahead, preferred agent first.
    customer: q.customerRules ?? (q.strategy === 'customerBased' ? DEFAULT_CUSTOMER_RULES : null),
    steps,
    maxWaitS: q.maxWaitS,
    fallback,
    retryS: q.retryS,
  };
}

function stepOf(s: QueueStep, queueIds: ReadonlySet<string>): Step | null {
  switch (s.kind) {
    case 'relax':
      return { afterS: s.afterS, kind: 'relax', by: s.by };
    case 'addQueue':
      return queueIds.has(s.queue) ? { afterS: s.afterS, kind: 'addQueue', queue: s.queue } : null;
    case 'overflow':
      return { afterS: s.afterS, kind: 'overflow', target: targetOf(s.target, queueIds) };
  }
}

/** `sales` (a queue), `ivr:main` (an IVR flow), `voicemail:<number>`, or a number. */
export function targetOf(text: string, queueIds: ReadonlySet<string>): Target {
  if (queueIds.has(text)) return { kind: 'queue', queue: text };
  if (text.startsWith('ivr:')) return { kind: 'ivr', flow: text.slice(4) };
  if (text.startsWith('voicemail:')) return { kind: 'voicemail', mailbox: text.slice(10) };
  return { kind: 'number', number: text };
}

/** The number on the switch a target that left the router is sent to; null when none fits. */
export function targetNumber(target: Target, directory: Directory): string | null {
  switch (target.kind) {
    case 'number':
      return target.number;
    case 'voicemail':
      return target.mailbox;
    case 'ivr': {
      for (const p of directory.allPilots()) if (p.kind === 'ivr' && p.ivrFlow === target.flow) return p.number;
      return null;
    }
    case 'queue':
      return directory.queue(target.queue)?.queueDevice ?? null;
  }
}

export function agentConfigOf(a: DirectoryAgent): AgentConfig {
  return { id: a.username, skills: a.skills, queues: a.memberOf, rank: a.rank };
}
