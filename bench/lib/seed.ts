/**
 * Seeds the benchmark's database before the daemon starts: the demo centre (queue `sales` behind
 * pilot 8000), then N agents `b0001…bNNNN` with extension 3000+i (past 2,999 agents: 10000 on,
 * `extensionOf`), explicit members of `sales`, each with a password and a pre-issued session token.
 *
 * Why tokens: the daemon re-hashes a password made with other scrypt parameters at its first login
 * (ln=15, 32 MiB, ~0.1 s of CPU each). 500 such logins would cost ~a minute of CPU on two cores and
 * push the daemon's peak RSS up by the scrypt buffers, which is not what the benchmark measures.
 * Agents therefore log in over the WebSocket with `auth.login {token}` (the same op, token form);
 * `--login password` uses the password instead.
 */
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/password.ts';
import { hashToken, newToken } from '../../src/auth/tokens.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { seedDemoCentre } from '../../src/storage/demo-seed.ts';
import { createRepositories } from '../../src/storage/repositories/index.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';

export const BENCH_PASSWORD = 'bench-pw';
export const BENCH_QUEUE = 'sales';
export const BENCH_PILOT = '8000';
export const FIRST_EXTENSION = 3000;
/** Agents 1–2,999 take 3001–5999, inside the switch's default 2000–5999; more take 10000 on, a
 * range the benchmark's switch adds (`BENCH_EXTRA_EXTENSIONS`): up to 12,999 agents. */
export const SPILL_EXTENSION = 10_000;
export const MAX_BENCH_AGENTS = 2_999 + 10_000;
export const BENCH_EXTRA_EXTENSIONS = { from: SPILL_EXTENSION, to: SPILL_EXTENSION + 9_999 };

export function extensionOf(i: number): string {
  return String(i <= 2_999 ? FIRST_EXTENSION + i : SPILL_EXTENSION + (i - 3_000));
}

export interface BenchAgent {
  username: string;
  extension: string;
  password: string;
  token: string;
}

export function agentName(i: number): string {
  return `b${String(i).padStart(4, '0')}`;
}

/** Creates the database file in `dataDir` (as the daemon names it) and the agents; returns them. */
export async function seedBenchCentre(dataDir: string, count: number): Promise<BenchAgent[]> {
  const opened = openDatabase({ file: join(dataDir, 'switchboard.db') });
  try {
    const repos = createRepositories(opened.db, { scrypt: TEST_SCRYPT });
    const { seeded } = await seedDemoCentre(repos);
    if (!seeded) throw new Error(`the database in ${dataDir} is not empty`);
    // One hash for every agent (same password): cheap parameters, computed once.
    const passwordHash = await hashPassword(BENCH_PASSWORD, TEST_SCRYPT);
    const now = Date.now();
    const agents: BenchAgent[] = [];
    for (let i = 1; i <= count; i++) {
      agents.push({ username: agentName(i), extension: extensionOf(i), password: BENCH_PASSWORD, token: newToken() });
    }
    repos.transaction(() => {
      for (const a of agents) {
        const user = repos.users.createWithHash({ username: a.username, displayName: `Bench ${a.username}`, roles: ['agent'], passwordHash });
        const profile = repos.agents.update(a.username, { defaultExtension: a.extension, team: BENCH_QUEUE, queues: [BENCH_QUEUE] });
        if (!profile) throw new Error(`agent ${a.username} was not created`);
        repos.tokens.insert({ tokenHash: hashToken(a.token), userId: user.id, createdAt: now, expiresAt: now + 24 * 3600 * 1000 });
      }
    });
    const sales = repos.queues.get(BENCH_QUEUE);
    if (!sales || sales.members.length < count) throw new Error(`queue ${BENCH_QUEUE} has ${sales?.members.length ?? 0} members, expected at least ${count}`);
    return agents;
  } finally {
    opened.close();
  }
}

/** A day-long session token for a user already in the database of `dataDir` (e.g. the demo's
 * `qa1`, for the recording searches of `bench:e2e --search-rate`). */
export function issueToken(dataDir: string, username: string): string {
  const opened = openDatabase({ file: join(dataDir, 'switchboard.db') });
  try {
    const repos = createRepositories(opened.db, { scrypt: TEST_SCRYPT });
    const user = repos.users.findByUsername(username);
    if (!user) throw new Error(`no user ${username} in ${dataDir}`);
    const token = newToken();
    const now = Date.now();
    repos.tokens.insert({ tokenHash: hashToken(token), userId: user.id, createdAt: now, expiresAt: now + 24 * 3600 * 1000 });
    return token;
  } finally {
    opened.close();
  }
}

export interface BenchSupervisor {
  username: string;
  token: string;
}

/** Adds `count` supervisors `s001…` (role supervisor only) with a pre-issued session token each,
 * to a database `seedBenchCentre` made. */
export async function seedBenchSupervisors(dataDir: string, count: number): Promise<BenchSupervisor[]> {
  const opened = openDatabase({ file: join(dataDir, 'switchboard.db') });
  try {
    const repos = createRepositories(opened.db, { scrypt: TEST_SCRYPT });
    const passwordHash = await hashPassword(BENCH_PASSWORD, TEST_SCRYPT);
    const now = Date.now();
    const out: BenchSupervisor[] = [];
    repos.transaction(() => {
      for (let i = 1; i <= count; i++) {
        const username = `s${String(i).padStart(3, '0')}`;
        const user = repos.users.createWithHash({ username, displayName: `Bench supervisor ${i}`, roles: ['supervisor'], passwordHash });
        const token = newToken();
        repos.tokens.insert({ tokenHash: hashToken(token), userId: user.id, createdAt: now, expiresAt: now + 24 * 3600 * 1000 });
        out.push({ username, token });
      }
    });
    return out;
  } finally {
    opened.close();
  }
}
