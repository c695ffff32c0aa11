/**
 * The fault run of bench/fault-run.ts, bounded for the suite: 30 agents, 20 calls/s for 15 s
 * while the switch drops 2 % of its events, answers every request 200 ms late and drops the CSTA
 * link every 7 s; the daemon runs as its own process with the call audit made quick
 * (CALL_AUDIT_S=2, CALL_AUDIT_SILENCE_S=5). Once the traffic has stopped and the switch has no
 * call left, every call row must have ended and no agent may be reserved (or busy with no call);
 * the daemon must still be running and its heap after GC must not have grown. Every wait is a poll
 * with a deadline (bench/lib/fault-run.ts).
 */
import { expect, it } from 'vitest';
import { describeFaultRun, FAULT_RUN_DEFAULTS, runFaultRun } from '../../bench/lib/fault-run.ts';

it('traffic with dropped events, late answers and link drops: afterwards every call row has ended and no agent is reserved', async () => {
  const r = await runFaultRun({
    ...FAULT_RUN_DEFAULTS,
    agents: 30,
    rate: 20,
    durationS: 15,
    maxWaitS: 8,
    linkDropEveryS: 7,
    auditS: 2,
    auditSilenceS: 5,
    settleTimeoutS: 25,
    // 15 s is too short to tell a slow leak; the bench's 60 s run judges the slope.
    maxHeapSlopeMiBPerMin: 30,
    heapEndOverMidMiB: 16,
  });
  console.log(describeFaultRun(r));
  expect(r.daemon.exitedEarly).toBe(false);
  expect(r.agents.distinctCalls).toBeGreaterThan(0);
  expect(r.rows.total).toBeGreaterThan(0);
  expect(r.rows.openAtEnd, JSON.stringify(r.rows.open)).toBe(0);
  expect(r.agentStates.reserved).toEqual([]);
  expect(r.agentStates.busyNoCall).toEqual([]);
  expect(r.sim.active).toBe(0);
  expect(r.failures).toEqual([]);
}, 70_000);
