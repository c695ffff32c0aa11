import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('storage and housekeeping configuration', () => {
  it('defaults: busy timeout 1 s, backlog 50,000 writes, retention calls and agent states 400 days, decisions 90, audit kept, housekeeping at 03:30', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ dbBusyTimeoutMs: 1000, dbBacklogMax: 50_000, dbGroupCommit: true, housekeepingAt: '03:30' });
    expect(c.retention).toEqual({ calls: 400, agentStates: 400, routingDecisions: 90, audit: 0 });
    expect(Object.isFrozen(c.retention)).toBe(true);
  });

  it('every variable is read', () => {
    const c = loadConfig({
      DB_BUSY_TIMEOUT_MS: '0',
      DB_BACKLOG_MAX: '1000',
      RETAIN_CALLS_DAYS: '730',
      RETAIN_AGENT_STATES_DAYS: '0',
      RETAIN_ROUTING_DECISIONS_DAYS: '30',
      RETAIN_AUDIT_DAYS: '3650',
      HOUSEKEEPING_AT: '23:05',
      DB_GROUP_COMMIT: '0',
    });
    expect(c).toMatchObject({ dbBusyTimeoutMs: 0, dbBacklogMax: 1000, dbGroupCommit: false, housekeepingAt: '23:05', retention: { calls: 730, agentStates: 0, routingDecisions: 30, audit: 3650 } });
  });

  it('invalid values are named in one error', () => {
    const bad = { DB_GROUP_COMMIT: 'yes', DB_BUSY_TIMEOUT_MS: '-1', DB_BACKLOG_MAX: '10', RETAIN_CALLS_DAYS: 'forever', RETAIN_AUDIT_DAYS: '1.5', HOUSEKEEPING_AT: '3:30', RETAIN_AGENT_STATES_DAYS: '99999', RETAIN_ROUTING_DECISIONS_DAYS: 'x' };
    let err: unknown;
    try {
      loadConfig(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    for (const name of Object.keys(bad)) expect((err as Error).message).toContain(name);
    expect(() => loadConfig({ HOUSEKEEPING_AT: '24:00' })).toThrow(/HOUSEKEEPING_AT/);
  });
});
