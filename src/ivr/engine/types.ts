/**
 * The IVR engine's language with the outside world: inputs in (the caller's keys, the end of a
 * prompt, a timer, the result of a request, the caller hanging up), effects out (play, start a
 * timer, ask for a lookup, leave the flow). The engine is pure: it does no I/O, keeps no timers
 * and reads no clock; every input carries the time. The adapter (src/ivr/runtime/) turns effects
 * into voice-unit requests on the switch, timers, database reads and HTTP calls, and their
 * outcomes back into inputs.
 */
import type { IvrOutcome, IvrStatEvent } from '../statistics/types.ts';
import type { Lang } from '../flow/types.ts';

/** Why a play ended. `dtmf`: the caller pressed a key and the prompt allowed barge-in. */
export type PlayEndCause = 'endOfMessage' | 'dtmf' | 'stopped' | 'error';

export type IvrInput =
  | { kind: 'start' }
  | { kind: 'key'; key: string }
  | { kind: 'playEnded'; playId: number; cause: PlayEndCause }
  | { kind: 'timer'; timerId: number }
  | { kind: 'result'; reqId: number; ok: boolean; value?: RequestValue; error?: string }
  | { kind: 'hangup' }
  /** The call left the voice unit as the flow asked (before the switch's answer said so). */
  | { kind: 'departed' };

/** A request's answer: a flat record (a customer, a query's row, a webhook's JSON object), `null`
 * for "not found", or `{open}` for business hours. */
export type RequestValue = Record<string, string | number | boolean | null> | null;

/** One thing to say: a prompt of the flow (with its text in the call's language and, if it is a
 * recording, its file) or the text of a read-out; or a tone. */
export type PlayItem =
  | { kind: 'prompt'; promptId: string; lang: Lang; text: string; file?: string }
  | { kind: 'readOut'; lang: Lang; text: string }
  | { kind: 'tone'; tone: 'beep' }
  /** A call recording (replay by phone): the adapter plays its file from the hot or archive tier. */
  | { kind: 'recording'; recordingId: string; durationMs: number };

export type IvrRequest =
  | { kind: 'customer'; phone: string }
  | { kind: 'query'; query: string; params: Record<string, string> }
  | { kind: 'hours'; schedule: string }
  | { kind: 'webhook'; url: string; body: Record<string, string>; timeoutMs: number }
  /** Record the caller into `mailbox`; the result carries `durationMs`, `path`, `bytes`. */
  | { kind: 'record'; mailbox: string; maxMs: number; stopKey: string }
  /** Replay by phone: the staff member keyed on the phone, if the PIN matches and they may replay;
   * the result is `{user, name}` or null (the adapter writes the refusal to the access ledger). */
  | { kind: 'staffLogin'; phoneId: string; pin: string }
  /** Replay by phone: recordings of the agents whose username digits are `agentDigits`, started in
   * [from, to), newest first, at most `limit`; the result is `{count, ids, startedAts, durations}`
   * (comma-separated, in order). */
  | { kind: 'recordingSearch'; agentDigits: string; from: number; to: number; limit: number; user: string };

/** How the call leaves the flow. */
export type Departure =
  /** `service`: the ACD business service of a queue node with its own skills (`ivr:<flow>/<node>`,
   * flowServices() in src/ivr/flow/acd-services.ts), else null. */
  | { kind: 'queue'; queue: string; priority: number; announceEveryS: number | null; service: string | null }
  | { kind: 'transfer'; to: string }
  | { kind: 'return'; result: string }
  | { kind: 'hangup' };

export type IvrEffect =
  | { kind: 'play'; playId: number; items: PlayItem[]; bargeIn: boolean }
  /** Stop what is playing (the flow moved on). */
  | { kind: 'stopPlay'; playId: number }
  | { kind: 'startTimer'; timerId: number; ms: number }
  | { kind: 'cancelTimer'; timerId: number }
  | { kind: 'request'; reqId: number; request: IvrRequest }
  | { kind: 'setCallData'; data: Record<string, string> }
  | { kind: 'saveData'; node: string; name: string; value: string; sensitive: boolean }
  /** The call leaves the flow; the adapter answers with a `result` of `reqId` (ok: it left). */
  | { kind: 'leave'; reqId: number; departure: Departure }
  | { kind: 'stat'; event: IvrStatEvent }
  /** A recording starts playing to `user` (replay by phone): a row of the access ledger. */
  | { kind: 'replayed'; recordingId: string; user: string }
  /** Pause (or resume) the call's own recording: the caller keys something sensitive. */
  | { kind: 'recordingPause'; paused: boolean }
  | { kind: 'log'; level: 'info' | 'warn'; msg: string; data: Record<string, unknown> }
  /** The session is over (after a departure, a hang-up or an error): forget it. */
  | { kind: 'ended'; outcome: IvrOutcome };
