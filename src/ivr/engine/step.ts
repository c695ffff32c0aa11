/**
 * What a node kind is to the engine: a small pure step. A node is entered, then hears the inputs
 * meant for it (a key, the end of its own prompt, its own timer, the answer to its own request)
 * until it moves the call on (`goto`) or out of the flow (`leave`). One file per kind in
 * src/ivr/nodes/.
 */
import type { FlowNode, Lang, PromptRef } from '../flow/types.ts';
import type { IvrOutcome } from '../statistics/types.ts';
import type { Departure, IvrRequest, PlayEndCause, PlayItem, RequestValue } from './types.ts';

export interface StepContext {
  readonly now: number;
  readonly nodeId: string;
  readonly flowId: string;
  readonly lang: Lang;
  /** The time zone of conditions on the time of day that name none. */
  readonly timeZone: string;
  /** State of the node's current visit; empty at each entry. */
  readonly local: Record<string, unknown>;
  readonly vars: Map<string, string>;
  render(template: string): string;
  /** The items of prompts in the call's language. */
  prompt(ref: PromptRef | undefined): PlayItem[];
  /** Plays the items (nothing to play: the play ends at once). */
  play(items: PlayItem[], bargeIn: boolean): void;
  /** A timer for this node; a new one replaces the last. */
  timer(seconds: number): void;
  cancelTimer(): void;
  request(r: IvrRequest): void;
  setCallData(data: Record<string, string>): void;
  saveData(name: string, value: string, sensitive: boolean): void;
  goto(target: string): void;
  leave(d: Departure, outcome: IvrOutcome): void;
  stat(kind: 'timeout' | 'invalid'): void;
  setLang(lang: Lang): void;
  /** Statistics: the caller got what they came for (self-service), or left a voicemail. */
  served(how: 'selfService' | 'voicemail'): void;
  log(level: 'info' | 'warn', msg: string, data?: Record<string, unknown>): void;
  /** Replay by phone: a recording starts playing to `user` (the access ledger). */
  replayed(recordingId: string, user: string): void;
  /** Pauses the call's recording while the caller keys something sensitive; resumed on leaving
   * the node (the session does that). */
  pauseRecording(): void;
}

export interface NodeStep<N extends FlowNode = FlowNode> {
  enter(ctx: StepContext, node: N): void;
  key?(ctx: StepContext, node: N, key: string): void;
  playEnded?(ctx: StepContext, node: N, cause: PlayEndCause): void;
  timer?(ctx: StepContext, node: N): void;
  result?(ctx: StepContext, node: N, ok: boolean, value: RequestValue | undefined, error: string | undefined): void;
}
