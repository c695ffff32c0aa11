/**
 * Baseline 2: one SQL query per decision on SQLite (better-sqlite3, in-memory database), the way
 * FreeSWITCH mod_callcenter routes: agents, tiers (agent ↔ queue) and members (waiting calls)
 * are tables, and each decision is an indexed join with ORDER BY … LIMIT 1 plus the UPDATE /
 * DELETE / INSERT that records it. Tiers carry each agent's needRelax and skill score per queue,
 * precomputed from the skills at load (generous to SQL: no skill join at decision time).
 * Same rules and tie-breaks as the router; the bench checks every decision agrees.
 */
import Database from 'better-sqlite3';
import type { BenchCall, World } from './workload.ts';

export class SqlBaseline {
  readonly db: Database.Database;
  private seq = 0;
  private readonly insertMember: Database.Statement;
  private readonly pickAgent: Database.Statement;
  private readonly pickCall: Database.Statement;
  private readonly setBusy: Database.Statement;
  private readonly setFree: Database.Statement;
  private readonly deleteMember: Database.Statement;

  constructor(private readonly w: World) {
    const db = (this.db = new Database(':memory:'));
    db.exec(`
      CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT NOT NULL, free INTEGER NOT NULL, idle_since INTEGER NOT NULL);
      CREATE TABLE queues (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tier INTEGER NOT NULL, weight INTEGER NOT NULL, skill_based INTEGER NOT NULL);
      CREATE TABLE tiers (queue_id INTEGER NOT NULL, agent_id INTEGER NOT NULL, need_relax INTEGER NOT NULL, score INTEGER NOT NULL,
                          PRIMARY KEY (queue_id, agent_id)) WITHOUT ROWID;
      CREATE INDEX tiers_by_agent ON tiers (agent_id, queue_id, need_relax);
      CREATE TABLE members (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL, queue_id INTEGER NOT NULL, queued_at INTEGER NOT NULL,
                            seq INTEGER NOT NULL, relax INTEGER NOT NULL);
      CREATE INDEX members_by_queue ON members (queue_id, queued_at, seq);
      CREATE UNIQUE INDEX members_by_uuid ON members (uuid);
    `);
    const insAgent = db.prepare('INSERT INTO agents (id, name, free, idle_since) VALUES (?, ?, 0, 0)');
    const insQueue = db.prepare('INSERT INTO queues (id, name, tier, weight, skill_based) VALUES (?, ?, ?, ?, ?)');
    const insTier = db.prepare('INSERT INTO tiers (queue_id, agent_id, need_relax, score) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (const a of w.agents) insAgent.run(a.idx, a.id);
      for (const q of w.queues) {
        insQueue.run(q.idx, q.id, q.tier, q.weight, q.order === 'skillBased' ? 1 : 0);
        for (const a of w.agents) {
          let need = 0;
          let score = 0;
          let ok = true;
          for (const r of q.req) {
            const l = a.levels[r.skill]!;
            if (l === 0) {
              ok = false;
              break;
            }
            need = Math.max(need, l - r.minLevel);
            score += l;
          }
          if (ok) insTier.run(q.idx, a.idx, need, q.order === 'skillBased' ? score : 0);
        }
      }
    })();
    db.exec('ANALYZE');
    this.insertMember = db.prepare('INSERT INTO members (uuid, queue_id, queued_at, seq, relax) VALUES (?, ?, ?, ?, ?)');
    // A new call (relax level 0): the best free qualified agent of its queue.
    this.pickAgent = db.prepare(`
      SELECT a.id, a.name FROM tiers t JOIN agents a ON a.id = t.agent_id
      WHERE t.queue_id = ? AND t.need_relax <= 0 AND a.free = 1
      ORDER BY t.score, a.idle_since, a.name LIMIT 1`);
    // A freed agent: the longest weighted wait among calls of the queues it qualifies for.
    this.pickCall = db.prepare(`
      SELECT m.id, m.uuid FROM tiers t
      JOIN members m ON m.queue_id = t.queue_id AND m.relax >= t.need_relax
      JOIN queues q ON q.id = t.queue_id
      WHERE t.agent_id = ?
      ORDER BY q.tier DESC, (? - m.queued_at) * q.weight DESC, m.queued_at, m.seq LIMIT 1`);
    this.setBusy = db.prepare('UPDATE agents SET free = 0 WHERE id = ?');
    this.setFree = db.prepare('UPDATE agents SET free = 1, idle_since = ? WHERE id = ?');
    this.deleteMember = db.prepare('DELETE FROM members WHERE id = ?');
  }

  load(calls: readonly BenchCall[]): void {
    this.db.transaction(() => {
      for (const c of calls) this.insertMember.run(c.id, c.queue, c.queuedAt, ++this.seq, c.relax);
    })();
  }

  callArrives(id: string, queue: number, now: number): string {
    const a = this.pickAgent.get(queue) as { id: number; name: string } | undefined;
    if (!a) {
      this.insertMember.run(id, queue, now, ++this.seq, 0);
      return '';
    }
    this.setBusy.run(a.id);
    return a.name;
  }

  agentFrees(agent: number, now: number): string {
    const m = this.pickCall.get(agent, now) as { id: number; uuid: string } | undefined;
    if (!m) {
      this.setFree.run(now, agent);
      return '';
    }
    this.deleteMember.run(m.id);
    return m.uuid;
  }

  close(): void {
    this.db.close();
  }
}
