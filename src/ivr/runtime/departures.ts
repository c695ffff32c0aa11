/**
 * How a call leaves the IVR: to an ACD queue (transferred to the queue's device, where the router
 * takes it as a call of that queue, with the flow's priority; position and wait announced while it
 * waits), to a number, back to the agent who sent it (`call.toIvr`; to the agent's queue when the
 * agent is busy), or cleared.
 */
import type { Logger } from 'pino';
import type { PbxPort } from '../../core/pbx-port.ts';
import type { Departure } from '../engine/types.ts';
import type { QueueAnnouncer } from './announcer.ts';

export interface DepartureContext {
  callId: string;
  pbxCallId: string;
  port: string;
  flow: string;
  lang: 'zh-CN' | 'en-US';
  returnTo: string | null;
}

export interface DeparturesDeps {
  pbx: PbxPort;
  /** The queue's device (where its callers wait), null: no such queue. */
  queueDevice(queueId: string): string | null;
  /** Caller priority and business service for the router when the call arrives at the queue. */
  setPriority(callId: string, priority: number, service: string | null): void;
  setCallData(callId: string, data: Record<string, string>): void;
  /** Where a returning caller goes: the agent's phone when free, else the agent's queue device. */
  returnDevice(agent: string): string | null;
  announcer: QueueAnnouncer;
  log: Logger;
}

export class Departures {
  constructor(private readonly d: DeparturesDeps) {}

  async leave(dep: Departure, ctx: DepartureContext): Promise<void> {
    const conn = { callId: ctx.pbxCallId, deviceId: ctx.port };
    const log = this.d.log.child({ callId: ctx.callId, port: ctx.port, flow: ctx.flow });
    switch (dep.kind) {
      case 'queue': {
        const device = this.d.queueDevice(dep.queue);
        if (!device) throw new Error(`no queue ${dep.queue}`);
        this.d.setPriority(ctx.callId, dep.priority, dep.service);
        await this.d.pbx.singleStepTransfer(conn, device);
        log.info({ queue: dep.queue, device, priority: dep.priority }, 'IVR call handed to the ACD');
        if (dep.announceEveryS) this.d.announcer.watch({ callId: ctx.callId, pbxCallId: ctx.pbxCallId, device, lang: ctx.lang, everyS: dep.announceEveryS });
        return;
      }
      case 'transfer':
        await this.d.pbx.singleStepTransfer(conn, dep.to);
        log.info({ to: dep.to }, 'IVR call transferred');
        return;
      case 'return': {
        this.d.setCallData(ctx.callId, { [`ivr.${ctx.flow}.result`]: dep.result });
        const agent = ctx.returnTo;
        const device = agent ? this.d.returnDevice(agent) : null;
        if (!device) throw new Error(`nowhere to return the caller to (agent ${agent ?? 'none'})`);
        await this.d.pbx.singleStepTransfer(conn, device);
        log.info({ agent, device, result: dep.result }, 'IVR call returned to the agent');
        return;
      }
      case 'hangup':
        await this.d.pbx.clearConnection(conn);
        return;
    }
  }
}
