/**
 * The demo centre of the embedded default (shared/spec/embedded-default.md), loaded into an empty
 * database when the daemon runs against the simulated switch, and `ensureInitialAdmin` for every
 * other deployment. Both are idempotent: the demo loads only into a database with no users, skills
 * or queues; the initial admin is made only when no enabled admin exists.
 *
 * Choices the spec leaves open, fixed here so tests can rely on them: display names, teams
 * (`sales`, `support`), queue names, vip queue priority 10 (others 0; higher is served first),
 * required skills accept any level (minLevel 5), and the vip queue has no explicit members: its
 * agents (a1001, a1006, sup1) serve it through their `vip` skill.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/password.ts';
import { ALWAYS_OPEN_SCHEDULE, type Schedule } from '../ivr/business-hours/index.ts';
import type { NewCustomer } from './repositories/customers.ts';
import type { NewPilot } from './repositories/pilots.ts';
import type { NewQueue } from './repositories/queues.ts';
import type { Repositories } from './repositories/index.ts';
import type { NewRecordingPolicy, RecordingPoliciesRepository } from './repositories/recording-policies.ts';
import type { Role } from './schema.ts';

interface DemoUser {
  username: string;
  displayName: string;
  roles: Role[];
  extension: string | null;
  team: string | null;
  skills: { skill: string; level: number }[];
}

const salesAgents = [1, 2, 3, 4, 5].map((n) => demoAgent(n, 'sales', n, n === 1));
const supportAgents = [6, 7, 8, 9, 10].map((n) => demoAgent(n, 'support', n - 5, n === 6));

export const DEMO_SKILLS = ['sales', 'support', 'vip'] as const;

export const DEMO_USERS: readonly DemoUser[] = [
  ...salesAgents,
  ...supportAgents,
  { username: 'sup1', displayName: 'Supervisor 1', roles: ['supervisor', 'agent'], extension: '2901', team: null, skills: DEMO_SKILLS.map((skill) => ({ skill, level: 3 })) },
  { username: 'qa1', displayName: 'Quality 1', roles: ['qa'], extension: null, team: null, skills: [] },
  { username: 'admin', displayName: 'Administrator', roles: ['admin'], extension: null, team: null, skills: [] },
];

/** qa1's phone; qa1 is not an agent, so this is documentation only (no agents row holds it). */
export const DEMO_QA_EXTENSION = '2902';

/** Customer-based rules on every demo queue (embedded-default.md): a VIP caller waits ahead of
 * regular callers (+10 priority per VIP level); the preferred agent, when ready, gets the call,
 * and when busy is waited for up to 20 s before the queue's own strategy applies. */
export const DEMO_CUSTOMER_RULES = { vipBoost: 10, preferredWaitS: 20 } as const;

export const DEMO_QUEUES: readonly NewQueue[] = [
  {
    id: 'sales',
    name: 'Sales',
    strategy: 'longestIdle',
    queueDevice: '8900',
    ringTimeoutS: 15,
    wrapUpS: 0,
    priority: 0,
    customerRules: DEMO_CUSTOMER_RULES,
    requiredSkills: [{ skill: 'sales', minLevel: 5 }],
    members: [...salesAgents.map((a) => a.username), 'sup1'],
  },
  {
    id: 'support',
    name: 'Support',
    strategy: 'skillBased',
    queueDevice: '8901',
    ringTimeoutS: 15,
    wrapUpS: 0,
    priority: 0,
    customerRules: DEMO_CUSTOMER_RULES,
    requiredSkills: [{ skill: 'support', minLevel: 5 }],
    members: [...supportAgents.map((a) => a.username), 'sup1'],
  },
  { id: 'vip', name: 'VIP', strategy: 'customerBased', queueDevice: '8902', ringTimeoutS: 15, wrapUpS: 0, priority: 10, customerRules: DEMO_CUSTOMER_RULES, requiredSkills: [{ skill: 'vip', minLevel: 5 }], members: [] },
];

export const DEMO_PILOTS: readonly NewPilot[] = [
  { number: '8000', kind: 'queue', queueId: 'sales', description: 'Sales' },
  { number: '8001', kind: 'queue', queueId: 'support', description: 'Support' },
  { number: '8002', kind: 'ivr', ivrFlow: 'main', description: 'Main menu: language, then sales/support/VIP by caller' },
  { number: '8009', kind: 'replay', description: 'Recording replay by phone' },
];

/** The demo customers of embedded-default.md (contract v2): customer numbers, balances, languages;
 * the third has no phone on file. The telephone PINs (the `verify` flow's identity check) are the
 * project's own addition, published in docs/ivr.md: demo data, like the demo passwords. */
export const DEMO_CUSTOMERS: readonly NewCustomer[] = [
  { customerNumber: '10000001', name: 'VIP Customer', phone: '13800000001', vipLevel: 1, preferredAgent: 'a1001', language: 'zh-CN', balance: '1005.30', notes: 'Demo VIP customer', pin: '246810' },
  { customerNumber: '10000002', name: 'Regular Customer', phone: '13800000002', vipLevel: 0, preferredAgent: null, language: null, balance: '0.50', notes: 'Demo regular customer', pin: '135791' },
  { customerNumber: '10000003', name: 'Customer Without Phone', phone: null, vipLevel: 0, preferredAgent: null, language: null, balance: '20000.00', notes: 'Demo customer with no phone number on file' },
];

/** The business-hours schedule the demo's `main` flow checks: always open until an admin changes
 * it (embedded-default.md v2). */
export const DEMO_SCHEDULES: readonly { id: string; schedule: Schedule }[] = [{ id: 'main', schedule: ALWAYS_OPEN_SCHEDULE }];

export const demoPassword = (username: string) => `demo-${username}`;

/** The demo's recording policy (embedded-default.md v2): every call through queues `sales` and
 * `vip`, calls to or from 13800000002, calls of agent a1010, and 50 % of the other `support`
 * calls. The first matching policy in priority order decides, so the 100 % ones come first. */
export const DEMO_RECORDING_POLICIES: readonly NewRecordingPolicy[] = [
  { name: 'demo: sales and vip queues', mode: 'services', services: ['sales', 'vip'], samplePercent: 100, priority: 10 },
  { name: 'demo: regular customer 13800000002', mode: 'numbers', numbers: ['13800000002'], samplePercent: 100, priority: 10 },
  { name: 'demo: agent a1010', mode: 'agents', agents: ['a1010'], samplePercent: 100, priority: 10 },
  { name: 'demo: support sampled', mode: 'services', services: ['support'], samplePercent: 50, priority: 100 },
];

/**
 * Loads the demo's recording policies, once: into a demo database that has none and where no
 * admin ever changed one (the audit log says so), so a database from before recording gets them
 * too, and policies an admin deleted do not come back.
 */
export function seedDemoRecordingPolicies(policies: RecordingPoliciesRepository, repos: Pick<Repositories, 'audit' | 'transaction'>): { seeded: boolean } {
  return repos.transaction(() => {
    if (policies.count() > 0 || repos.audit.list({ actor: 'system', limit: 1000 }).some((a) => a.action === 'recordingPolicy.seed')) return { seeded: false };
    for (const p of DEMO_RECORDING_POLICIES) policies.create(p, 'system');
    repos.audit.append({ actor: 'system', action: 'recordingPolicy.seed', target: 'demo', details: { policies: DEMO_RECORDING_POLICIES.length } });
    return { seeded: true };
  });
}

/** Replay by phone (shared/spec/recordings.md): qa1 and sup1's phone ids and PINs. */
export const DEMO_PHONE_REPLAY: readonly { username: string; phoneId: string; pin: string }[] = [
  { username: 'qa1', phoneId: '7001', pin: '2468' },
  { username: 'sup1', phoneId: '7002', pin: '1357' },
];

/** Loads the demo centre into an empty database. `seeded` is false when there was something. */
export async function seedDemoCentre(repos: Repositories): Promise<{ seeded: boolean }> {
  if (!isEmpty(repos)) return { seeded: false };
  // Hash outside the transaction: async, on the thread pool, in parallel.
  const hashes = await Promise.all(DEMO_USERS.map((u) => hashPassword(demoPassword(u.username), repos.scrypt)));
  const pinHashes = await Promise.all(DEMO_PHONE_REPLAY.map((p) => hashPassword(p.pin, repos.scrypt)));
  return repos.transaction(() => {
    if (!isEmpty(repos)) return { seeded: false }; // another caller won the race
    for (const skill of DEMO_SKILLS) repos.skills.create(skill);
    DEMO_USERS.forEach((u, i) => {
      repos.users.createWithHash({ username: u.username, displayName: u.displayName, roles: u.roles, passwordHash: hashes[i]! });
      if (u.roles.includes('agent')) repos.agents.update(u.username, { defaultExtension: u.extension, team: u.team, skills: u.skills });
    });
    // Replay by phone's staff. Only into a new demo database: a marker kept elsewhere (the audit
    // log) would be deleted by retention, and a PIN an admin cleared would come back.
    DEMO_PHONE_REPLAY.forEach((p, i) => repos.users.setPhoneReplay(repos.users.findByUsername(p.username)!.id, { phoneId: p.phoneId, pinHash: pinHashes[i]! }));
    for (const q of DEMO_QUEUES) repos.queues.create(q);
    for (const p of DEMO_PILOTS) repos.pilots.create(p);
    for (const c of DEMO_CUSTOMERS) repos.customers.create({ ...c });
    for (const sch of DEMO_SCHEDULES) repos.ivrSchedules.put(sch.id, sch.schedule, 'system');
    repos.audit.append({ actor: 'system', action: 'demo.seed', target: 'centre', details: { users: DEMO_USERS.length, queues: DEMO_QUEUES.length } });
    return { seeded: true };
  });
}

export type InitialAdminResult =
  | { action: 'none' }
  /** `generatedPassword` is set when no password was configured: show it once, store it nowhere. */
  | { action: 'created' | 'restored'; username: string; generatedPassword?: string };

/**
 * Makes sure an enabled admin exists. When none does: creates `username` (default `admin`) with
 * the configured password or a random one, or, if that user exists, gives it the admin role,
 * enables it and sets the password ('restored').
 */
export async function ensureInitialAdmin(repos: Repositories, opts: { username?: string; password?: string } = {}): Promise<InitialAdminResult> {
  if (repos.users.countWithRole('admin') > 0) return { action: 'none' };
  const username = opts.username ?? 'admin';
  const generated = opts.password === undefined ? randomBytes(18).toString('base64url') : undefined;
  const passwordHash = await hashPassword(opts.password ?? generated!, repos.scrypt);
  const action = repos.transaction(() => {
    if (repos.users.countWithRole('admin') > 0) return 'none' as const;
    const existing = repos.users.findByUsername(username);
    if (existing) {
      const roles: Role[] = existing.roles.includes('admin') ? existing.roles : [...existing.roles, 'admin'];
      repos.users.update(existing.id, { roles, disabled: false });
      repos.users.setPasswordHash(existing.id, passwordHash);
    } else {
      repos.users.createWithHash({ username, displayName: 'Administrator', roles: ['admin'], passwordHash });
    }
    const done = existing ? ('restored' as const) : ('created' as const);
    repos.audit.append({ actor: 'system', action: `user.${done === 'created' ? 'create' : 'restoreAdmin'}`, target: username });
    return done;
  });
  if (action === 'none') return { action };
  return generated === undefined ? { action, username } : { action, username, generatedPassword: generated };
}

function isEmpty(repos: Repositories): boolean {
  return repos.users.list().length === 0 && repos.skills.list().length === 0 && repos.queues.list().length === 0;
}

function demoAgent(n: number, skill: 'sales' | 'support', level: number, vip: boolean): DemoUser {
  const num = 1000 + n;
  const skills: { skill: string; level: number }[] = [{ skill, level }];
  if (vip) skills.push({ skill: 'vip', level: 1 });
  return { username: `a${num}`, displayName: `Agent ${num}`, roles: ['agent'], extension: String(2000 + n), team: skill, skills };
}
