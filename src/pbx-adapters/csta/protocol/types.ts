/** CSTA (ECMA-269) vocabulary shared by the link adapter and the simulated switch. */

/** A connection is a device's part in a call, named by {callID, deviceID}. */
export interface ConnectionId {
  callId: string;
  deviceId: string;
}

export const LOCAL_CONNECTION_STATES = ['null', 'initiated', 'alerting', 'connected', 'hold', 'queued', 'fail'] as const;
export type LocalConnectionState = (typeof LOCAL_CONNECTION_STATES)[number];

export const AGENT_STATE_REQUESTS = ['loggedOn', 'loggedOff', 'notReady', 'ready', 'workingAfterCall'] as const;
export type AgentStateRequest = (typeof AGENT_STATE_REQUESTS)[number];

export const PARTICIPATION_TYPES = ['active', 'silent'] as const;
export type ParticipationType = (typeof PARTICIPATION_TYPES)[number];

/** One entry of a SnapshotDevice answer. */
export interface SnapshotEntry {
  connection: ConnectionId;
  state: LocalConnectionState;
}

/** One entry of the transferredConnections / conferenceConnections lists (connectionListItem). */
export interface ConnectionPair {
  oldConnection?: ConnectionId;
  newConnection: ConnectionId;
  /** The device of the connection, when the switch names it apart from the connection. */
  endpoint?: string;
}

/** ECMA-323 CSTAErrorCode: an error category element with a value, e.g. operation/invalidCallID. */
export interface CstaErrorValue {
  category: 'operation' | 'security' | 'stateIncompatibility' | 'systemResourceAvailability' | 'subscribedResourceAvailability' | 'performanceManagement' | 'privateData' | 'unspecified';
  value: string;
}
