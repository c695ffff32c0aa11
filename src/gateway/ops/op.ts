/**
 * What an op is: its JSON schema for `data`, the roles allowed to call it, and its handler. The
 * gateway validates and authorizes before a handler runs, so handlers see well-formed input.
 */
import type { Logger } from 'pino';
import type { PbxPort } from '../../core/pbx-port.ts';
import type { CallControl } from '../../services/call-control.ts';
import type { CallService } from '../../services/call-service.ts';
import type { Directory } from '../../services/directory.ts';
import type { AuditLog, Clock } from '../../services/ports.ts';
import type { PresenceService } from '../../services/presence-service.ts';
import type { QueueStatsService } from '../../services/queue-stats.ts';
import type { RoutingService } from '../../services/routing-service.ts';
import type { Hub } from '../hub.ts';
import type { Role, Session } from '../session.ts';

import type { IvrRuntime } from '../../ivr/runtime/ivr-runtime.ts';

export interface GatewayServices {
  directory: Directory;
  presence: PresenceService;
  calls: CallService;
  callControl: CallControl;
  routing: RoutingService;
  queueStats: QueueStatsService;
  audit: AuditLog;
  pbx: PbxPort;
  hub: Hub;
  clock: Clock;
  log: Logger;
  /** The IVR on the switch's ports (absent in tools that build a gateway without it). */
  ivr?: IvrRuntime;
  /** Pause / resume of call recordings (recording/capture); absent where nothing records. */
  recording?: { pause(callId: string, by: string): Promise<{ callId: string; at: string }>; resume(callId: string, by: string): Promise<{ callId: string; at: string }> };
}

export interface OpContext {
  session: Session;
  services: GatewayServices;
  log: Logger;
}

export interface OpDef {
  /** Any of these roles may call it; absent = any authenticated user. */
  roles?: Role[];
  schema: object;
  handle(ctx: OpContext, data: any): unknown | Promise<unknown>;
}

export type OpTable = Record<string, OpDef>;

export const SUPERVISOR: Role[] = ['supervisor', 'admin'];
export const AGENT: Role[] = ['agent'];

/** Schema helpers: objects are closed (a misspelt field is an error, not silently ignored). */
export const obj = (properties: Record<string, object>, required: string[] = []) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
export const str = (max = 256) => ({ type: 'string', minLength: 1, maxLength: max });
export const number = { type: 'string', pattern: '^[0-9*#+]{1,32}$' };
export const callId = { type: 'string', minLength: 1, maxLength: 64 };
