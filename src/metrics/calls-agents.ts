/**
 * Calls by state and agents by state: gauges computed at scrape time from the call tracker and
 * the presence service (one pass over each), so no call event or agent change pays for them.
 *
 * A call's state here is one word for a dashboard, taken from its connections in this order:
 * `held` (a party holds it), `ringing` (a phone alerts), `queued` (it waits on a queue device),
 * `ivr` (an IVR port has it), `connected` (answered), else `setup` (being dialled or routed).
 */
import { Gauge, type Registry } from 'prom-client';
import { AGENT_STATES, type AgentState } from '../core/agents/agent-state.ts';
import type { DeviceKind, TrackedCall } from '../core/calls/call.ts';

export const CALL_STATES = ['setup', 'ivr', 'queued', 'ringing', 'connected', 'held'] as const;
export type CallState = (typeof CALL_STATES)[number];

export function callStateOf(call: TrackedCall, deviceKind: (deviceId: string) => DeviceKind): CallState {
  if (call.heldSince !== null) return 'held';
  let queued = false;
  let ivr = false;
  for (const c of call.connections.values()) {
    if (c.state === 'hold') return 'held';
    if (c.state === 'alerting') return 'ringing';
    if (c.state === 'queued') queued = true;
    else if (c.state === 'connected' && deviceKind(c.deviceId) === 'ivr') ivr = true;
  }
  if (queued) return 'queued';
  if (ivr) return 'ivr';
  return call.answeredAt !== null ? 'connected' : 'setup';
}

export interface CallSource {
  /** The calls in progress (ended calls are not in it). */
  calls(): Iterable<TrackedCall>;
  deviceKind(deviceId: string): DeviceKind;
}

export interface AgentSource {
  /** The state of every agent of the directory (`loggedOut` for those not signed in). */
  states(): Iterable<AgentState>;
}

export class CallAgentMetrics {
  private calls: CallSource | null = null;
  private agents: AgentSource | null = null;

  constructor(registry: Registry) {
    const read = () => ({ calls: this.calls, agents: this.agents });
    new Gauge({
      name: 'switchboard_calls',
      help: `Calls in progress by state: ${CALL_STATES.join(', ')} (docs/metrics.md).`,
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = zeros(CALL_STATES);
        const src = read().calls;
        if (src) for (const call of src.calls()) counts[callStateOf(call, (d) => src.deviceKind(d))]++;
        for (const s of CALL_STATES) this.set({ state: s }, counts[s]);
      },
    });
    new Gauge({
      name: 'switchboard_agents',
      help: `Agents of the directory by state: ${AGENT_STATES.join(', ')}.`,
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = zeros(AGENT_STATES);
        const src = read().agents;
        if (src) for (const s of src.states()) counts[s]++;
        for (const s of AGENT_STATES) this.set({ state: s }, counts[s]);
      },
    });
  }

  watch(sources: { calls: CallSource; agents: AgentSource }): void {
    this.calls = sources.calls;
    this.agents = sources.agents;
  }
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}
