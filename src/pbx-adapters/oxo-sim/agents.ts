/**
 * Agents logged on at the switch (CSTA SetAgentState and the agent events). The switch keeps one
 * agent state per extension; events go to the monitors of that extension. An agent whose device
 * answers a call becomes busy (AgentBusyEvent); when the device has no call in progress any more
 * it goes back to the state it had before, with the matching event.
 */
import type { MessageOf } from '../csta/protocol/catalogue.ts';
import { AGENT_STATE_REQUESTS, type AgentStateRequest } from '../csta/protocol/types.ts';
import type { EventBody, SwitchCore } from './core.ts';
import { fault } from './errors.ts';

export type AgentState = 'notReady' | 'ready' | 'busy' | 'workingAfterCall';
type SteadyState = Exclude<AgentState, 'busy'>;

export interface AgentRecord {
  readonly deviceId: string;
  agentId?: string;
  state: AgentState;
  /** The state to go back to when the calls that made the agent busy are over. */
  beforeBusy: SteadyState;
}

function isRequest(s: string): s is AgentStateRequest {
  return (AGENT_STATE_REQUESTS as readonly string[]).includes(s);
}

function body(type: EventBody['type'], rec: { deviceId: string; agentId?: string }): EventBody {
  return { type, agentDevice: rec.deviceId, ...(rec.agentId !== undefined ? { agentId: rec.agentId } : {}) } as EventBody;
}

function stateEvent(state: AgentState): EventBody['type'] {
  switch (state) {
    case 'ready':
      return 'AgentReadyEvent';
    case 'notReady':
      return 'AgentNotReadyEvent';
    case 'workingAfterCall':
      return 'AgentWorkingAfterCallEvent';
    case 'busy':
      return 'AgentBusyEvent';
  }
}

/** SetAgentState. Asking for ready/notReady/workingAfterCall while logged off logs the agent on
 * first (AgentLoggedOnEvent, then the state's event). */
export function setAgentState(core: SwitchCore, req: MessageOf<'SetAgentState'>): MessageOf<'SetAgentStateResponse'> {
  const deviceId = req.device;
  if (core.plan.classify(deviceId) !== 'extension') throw fault.invalidDeviceId(`${deviceId} is not an extension`);
  const requested = req.requestedAgentState;
  if (!isRequest(requested)) throw fault.valueOutOfRange(`requestedAgentState ${requested}`);
  if (core.outOfService.has(deviceId) && requested !== 'loggedOff') throw fault.outOfService(`${deviceId} is out of service`);
  let rec = core.agents.get(deviceId);
  switch (requested) {
    case 'loggedOff': {
      core.agents.delete(deviceId);
      core.deviceEvent(deviceId, body('AgentLoggedOffEvent', { deviceId, ...agentIdOf(req.agentId ?? rec?.agentId) }));
      return { type: 'SetAgentStateResponse' };
    }
    case 'loggedOn':
    case 'ready':
    case 'notReady':
    case 'workingAfterCall': {
      if (!rec || requested === 'loggedOn') {
        rec = rec ?? { deviceId, state: 'notReady', beforeBusy: 'notReady' };
        if (req.agentId !== undefined) rec.agentId = req.agentId;
        core.agents.set(deviceId, rec);
        core.deviceEvent(deviceId, body('AgentLoggedOnEvent', rec));
        if (requested === 'loggedOn') return { type: 'SetAgentStateResponse' };
      }
      if (req.agentId !== undefined) rec.agentId = req.agentId;
      rec.state = requested;
      rec.beforeBusy = requested;
      core.deviceEvent(deviceId, body(stateEvent(requested), rec));
      return { type: 'SetAgentStateResponse' };
    }
  }
}

function agentIdOf(agentId: string | undefined): { agentId?: string } {
  return agentId !== undefined ? { agentId } : {};
}

/** The device answered a call: a logged-on agent there becomes busy. */
export function agentAnswered(core: SwitchCore, deviceId: string): void {
  const rec = core.agents.get(deviceId);
  if (!rec || rec.state === 'busy') return;
  rec.beforeBusy = rec.state;
  rec.state = 'busy';
  core.deviceEvent(deviceId, body('AgentBusyEvent', rec));
}

/** The device left a call: a busy agent with no call in progress goes back to its former state. */
export function agentLeftCall(core: SwitchCore, deviceId: string): void {
  const rec = core.agents.get(deviceId);
  if (!rec || rec.state !== 'busy') return;
  for (const call of core.calls.atDevice(deviceId)) {
    const state = call.connections.get(deviceId)?.state;
    if (state === 'connected' || state === 'hold') return;
  }
  rec.state = rec.beforeBusy;
  core.deviceEvent(deviceId, body(stateEvent(rec.state), rec));
}
