/**
 * The centre's configuration (the Directory, as the admin API stores it) turned into the ACD
 * router's: queues with their strategy, customer rules, steps and fallback; pilots that name
 * their own skills as business services; agents with their explicit memberships.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CUSTOMER_RULES } from '../../src/acd/config.ts';
import { Router } from '../../src/acd/router.ts';
import { agentConfigOf, routerConfigOf, targetNumber, targetOf } from '../../src/services/acd-config.ts';
import { Directory, type DirectoryAgent, type DirectoryPilot, type DirectoryQueue } from '../../src/services/directory.ts';

const queue = (id: string, extra: Partial<DirectoryQueue> = {}): DirectoryQueue => ({
  id,
  name: id,
  strategy: 'longestIdle',
  queueDevice: `q-${id}`,
  ringTimeoutS: 15,
  wrapUpS: 0,
  maxWaitS: null,
  overflowTarget: null,
  priority: 0,
  weight: 1,
  leastBusyBy: 'calls',
  maxMisses: 1,
  retryS: 30,
  customerRules: null,
  steps: [],
  requiredSkills: [],
  ...extra,
});

const pilot = (number: string, extra: Partial<DirectoryPilot> = {}): DirectoryPilot => ({
  number,
  kind: 'queue',
  queueId: null,
  ivrFlow: null,
  priority: 0,
  requiredSkills: null,
  ...extra,
});

const agent = (username: string, extra: Partial<DirectoryAgent> = {}): DirectoryAgent => ({
  userId: 1,
  username,
  displayName: username,
  roles: ['agent'],
  defaultExtension: null,
  team: null,
  rank: 0,
  skills: [],
  queues: [],
  memberOf: [],
  ...extra,
});

function directory(data: { queues?: DirectoryQueue[]; pilots?: DirectoryPilot[]; agents?: DirectoryAgent[] }): Directory {
  const d = new Directory({ internalNumber: /^\d{4}$/ });
  d.load({ agents: data.agents ?? [], queues: data.queues ?? [], pilots: data.pilots ?? [] });
  return d;
}

describe('targetOf', () => {
  const queues = new Set(['sales', 'support']);

  it('a queue id names the queue', () => {
    expect(targetOf('sales', queues)).toEqual({ kind: 'queue', queue: 'sales' });
  });

  it('ivr:<flow> and voicemail:<number>', () => {
    expect(targetOf('ivr:main', queues)).toEqual({ kind: 'ivr', flow: 'main' });
    expect(targetOf('voicemail:8120', queues)).toEqual({ kind: 'voicemail', mailbox: '8120' });
  });

  it('anything else is a number on the switch, including a queue id that does not exist', () => {
    expect(targetOf('8005', queues)).toEqual({ kind: 'number', number: '8005' });
    expect(targetOf('billing', queues)).toEqual({ kind: 'number', number: 'billing' });
  });
});

describe('targetNumber', () => {
  const d = directory({
    queues: [queue('sales', { queueDevice: '8501' })],
    pilots: [pilot('8001', { queueId: 'sales' }), pilot('8002', { kind: 'ivr', ivrFlow: 'main' }), pilot('8003', { kind: 'ivr', ivrFlow: 'night' })],
  });

  it('an IVR flow: the number of the IVR pilot of that flow; null when no pilot runs it', () => {
    expect(targetNumber({ kind: 'ivr', flow: 'main' }, d)).toBe('8002');
    expect(targetNumber({ kind: 'ivr', flow: 'night' }, d)).toBe('8003');
    expect(targetNumber({ kind: 'ivr', flow: 'holiday' }, d)).toBeNull();
  });

  it('a number, a voicemail mailbox, a queue’s device', () => {
    expect(targetNumber({ kind: 'number', number: '8005' }, d)).toBe('8005');
    expect(targetNumber({ kind: 'voicemail', mailbox: '8120' }, d)).toBe('8120');
    expect(targetNumber({ kind: 'queue', queue: 'sales' }, d)).toBe('8501');
    expect(targetNumber({ kind: 'queue', queue: 'gone' }, d)).toBeNull();
  });
});

describe('routerConfigOf', () => {
  it('customerBased is longestIdle with the default customer rules', () => {
    const { config, warnings } = routerConfigOf(directory({ queues: [queue('vip', { strategy: 'customerBased' })] }));
    expect(warnings).toEqual([]);
    expect(config.queues[0]).toMatchObject({ id: 'vip', order: 'longestIdle', customer: DEFAULT_CUSTOMER_RULES });
    expect(DEFAULT_CUSTOMER_RULES).toEqual({ vipBoost: 1, preferredWaitS: 20 });
  });

  it('explicit customer rules are kept, on any strategy; none without them', () => {
    const rules = { vipBoost: 10, preferredWaitS: 20 };
    const { config } = routerConfigOf(
      directory({
        queues: [queue('vip', { strategy: 'customerBased', customerRules: { vipBoost: 5, preferredWaitS: 30 } }), queue('sales', { strategy: 'skillBased', customerRules: rules }), queue('plain', { strategy: 'roundRobin' })],
      }),
    );
    expect(config.queues.map((q) => [q.id, q.order, q.customer])).toEqual([
      ['vip', 'longestIdle', { vipBoost: 5, preferredWaitS: 30 }],
      ['sales', 'skillBased', rules],
      ['plain', 'roundRobin', null],
    ]);
  });

  it('turns a queue’s fields into the router’s: priority → tier, steps with their targets, fallback', () => {
    const { config, warnings } = routerConfigOf(
      directory({
        queues: [
          queue('sales', {
            strategy: 'leastBusy',
            leastBusyBy: 'talkTime',
            priority: 2,
            weight: 3,
            maxWaitS: 120,
            overflowTarget: 'voicemail:8120',
            requiredSkills: [{ skill: 'sales', minLevel: 3 }],
            steps: [
              { afterS: 10, kind: 'relax', by: 1 },
              { afterS: 20, kind: 'addQueue', queue: 'support' },
              { afterS: 60, kind: 'overflow', target: 'support' },
              { afterS: 90, kind: 'overflow', target: 'ivr:main' },
            ],
          }),
          queue('support', { overflowTarget: '8005' }),
        ],
      }),
    );
    expect(warnings).toEqual([]);
    expect(config.queues).toEqual([
      {
        id: 'sales',
        order: 'leastBusy',
        leastBusyBy: 'talkTime',
        requiredSkills: [{ skill: 'sales', minLevel: 3 }],
        tier: 2,
        weight: 3,
        customer: null,
        steps: [
          { afterS: 10, kind: 'relax', by: 1 },
          { afterS: 20, kind: 'addQueue', queue: 'support' },
          { afterS: 60, kind: 'overflow', target: { kind: 'queue', queue: 'support' } },
          { afterS: 90, kind: 'overflow', target: { kind: 'ivr', flow: 'main' } },
        ],
        maxWaitS: 120,
        fallback: { kind: 'voicemail', mailbox: '8120' },
        retryS: 30,
      },
      {
        id: 'support',
        order: 'longestIdle',
        leastBusyBy: 'calls',
        requiredSkills: [],
        tier: 0,
        weight: 1,
        customer: null,
        steps: [],
        maxWaitS: null,
        fallback: { kind: 'number', number: '8005' },
        retryS: 30,
      },
    ]);
    // The router accepts it as it is.
    expect(() => new Router(config)).not.toThrow();
  });

  it('drops an addQueue step naming an unknown queue, with a warning; the router then accepts the config', () => {
    const { config, warnings } = routerConfigOf(
      directory({
        queues: [
          queue('sales', {
            steps: [
              { afterS: 10, kind: 'addQueue', queue: 'deleted' },
              { afterS: 20, kind: 'relax', by: 1 },
            ],
          }),
        ],
      }),
    );
    expect(config.queues[0]!.steps).toEqual([{ afterS: 20, kind: 'relax', by: 1 }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^queue sales: step .*"deleted".* names an unknown queue; ignored$/);
    expect(() => new Router(config)).not.toThrow();
  });

  it('queue pilots with their own requiredSkills become business services; other pilots do not', () => {
    const premium = [{ skill: 'premium', minLevel: 2 }];
    const { config } = routerConfigOf(
      directory({
        queues: [queue('sales')],
        pilots: [
          pilot('8100', { queueId: 'sales', requiredSkills: premium, priority: 3 }),
          pilot('8101', { queueId: 'sales', requiredSkills: [] }),
          pilot('8102', { queueId: 'sales' }), // the queue's own skills: no service needed
          pilot('8103', { queueId: 'gone', requiredSkills: premium }),
          pilot('8002', { kind: 'ivr', ivrFlow: 'main', requiredSkills: premium }),
        ],
      }),
    );
    expect(config.services).toEqual([
      { dialled: '8100', queue: 'sales', requiredSkills: premium },
      { dialled: '8101', queue: 'sales', requiredSkills: [] },
    ]);
  });
});

describe('agentConfigOf', () => {
  it('the agent’s explicit memberships only (memberOf), not the queues its skills qualify it for; its rank', () => {
    const skills = [{ skill: 'sales', level: 2 }];
    expect(agentConfigOf(agent('alice', { skills, queues: ['sales', 'support'], memberOf: ['support'], rank: 2 }))).toEqual({ id: 'alice', skills, queues: ['support'], rank: 2 });
  });
});
