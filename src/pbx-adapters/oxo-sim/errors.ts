/**
 * Failures of the simulated switch. `CstaFault` is a refused CSTA service (it becomes a
 * CSTAErrorCode on the link); `SimError` is a refused control-API action (an HTTP 4xx). The
 * model throws CstaFault; the control layer translates what it needs.
 */
import type { CstaErrorValue } from '../csta/protocol/types.ts';

export class CstaFault extends Error {
  constructor(
    readonly category: CstaErrorValue['category'],
    readonly value: string,
    detail?: string,
  ) {
    super(detail ? `${category}/${value}: ${detail}` : `${category}/${value}`);
    this.name = 'CstaFault';
  }

  get error(): CstaErrorValue {
    return { category: this.category, value: this.value };
  }
}

/** The CSTA error values the switch uses, each with its category. */
export const fault = {
  generic: (d?: string) => new CstaFault('operation', 'generic', d),
  invalidCallId: (d?: string) => new CstaFault('operation', 'invalidCallID', d),
  invalidDeviceId: (d?: string) => new CstaFault('operation', 'invalidDeviceID', d),
  invalidConnectionId: (d?: string) => new CstaFault('operation', 'invalidConnectionID', d),
  invalidDestination: (d?: string) => new CstaFault('operation', 'invalidDestination', d),
  invalidMonitorObject: (d?: string) => new CstaFault('operation', 'invalidMonitorObject', d),
  invalidCrossRefId: (d?: string) => new CstaFault('operation', 'invalidCrossRefID', d),
  valueOutOfRange: (d?: string) => new CstaFault('operation', 'valueOutOfRange', d),
  invalidConnectionState: (d?: string) => new CstaFault('stateIncompatibility', 'invalidConnectionState', d),
  /** A resource of the switch is in use or exhausted (the monitor limit, an injected fault). */
  resourceBusy: (d?: string) => new CstaFault('systemResourceAvailability', 'resourceBusy', d),
  /** The device is out of service (phone unplugged). */
  outOfService: (d?: string) => new CstaFault('systemResourceAvailability', 'resourceOutOfService', d),
} as const;

export type SimErrorCode =
  | 'BAD_REQUEST'
  | 'UNKNOWN_CALL'
  | 'UNKNOWN_DEVICE'
  | 'NOT_INTERNAL'
  | 'NOT_OUTSIDE'
  | 'NOTHING_TO_ANSWER'
  | 'NOTHING_TO_HANG_UP'
  | 'NOT_IN_CALL'
  | 'INVALID_STATE'
  | 'TRAFFIC_RUNNING'
  | 'NOT_FOUND';

const STATUS: Record<SimErrorCode, number> = {
  BAD_REQUEST: 400,
  UNKNOWN_CALL: 404,
  UNKNOWN_DEVICE: 404,
  NOT_FOUND: 404,
  NOT_INTERNAL: 422,
  NOT_OUTSIDE: 422,
  NOTHING_TO_ANSWER: 409,
  NOTHING_TO_HANG_UP: 409,
  NOT_IN_CALL: 409,
  INVALID_STATE: 409,
  TRAFFIC_RUNNING: 409,
};

export class SimError extends Error {
  constructor(
    readonly code: SimErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }

  get status(): number {
    return STATUS[this.code];
  }
}

/** Maps a CSTA fault raised by a service the control API reused onto an HTTP-level error. */
export function simErrorFromFault(f: CstaFault): SimError {
  switch (f.value) {
    case 'invalidCallID':
      return new SimError('UNKNOWN_CALL', f.message);
    case 'invalidDeviceID':
    case 'invalidDestination':
      return new SimError('UNKNOWN_DEVICE', f.message);
    case 'invalidConnectionID':
      return new SimError('NOT_IN_CALL', f.message);
    default:
      return new SimError('INVALID_STATE', f.message);
  }
}
