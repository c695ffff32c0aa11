/**
 * One link to a CSTA XML switch, over either transport of the channel seam (`transport/`): Annex G
 * frames over TCP, or SIP/CSTA dialogs (ECMA TR/87). It sends requests and correlates their
 * answers by invoke id, answers the switch's keep-alive, sends our own keep-alive when idle, and
 * hands events and the switch's routing requests to its owner. It never reconnects and never
 * queues: once down, every request fails at once with PBX_UNAVAILABLE (reconnecting is the job
 * of `CstaPbx`, which makes a new link).
 *
 * A malformed frame or an undecodable document costs that one message (logged at warn), never
 * the link.
 */
import type { Logger } from 'pino';
import { PbxError } from '../../core/pbx-port.ts';
import { isEventType, isKnownMessageType, isResponseType } from './protocol/catalogue.ts';
import { decodeMessage, encodeMessage, errorAnswerFor, SERVICE_NOT_SUPPORTED, UNREADABLE_REQUEST } from './protocol/codec.ts';
import type { CstaEventMessage, CstaMessage, CstaMessageType, MessageOf } from './protocol/catalogue.ts';
import { EVENT_INVOKE_ID, FramingAlarm } from './protocol/framing.ts';
import { InvokeIds } from './invoke-ids.ts';
import type { CstaChannel, CstaChannelIssue } from './transport/channel.ts';
import { connectChannel, type CstaWire } from './transport/connect.ts';

type CatalogueType = Exclude<CstaMessageType, 'CSTAErrorCode'>;
type ResponseName<T extends string> = `${T}Response` extends CatalogueType
  ? `${T}Response`
  : `${T}PosResponse` extends CatalogueType
    ? `${T}PosResponse`
    : never;
/** The messages that get an answer (a `…Response`, or `…PosResponse` for ECMA-354 sessions). */
export type RequestType = { [T in CatalogueType]: [ResponseName<T>] extends [never] ? never : T }[CatalogueType];
export type ResponseOf<T extends RequestType> = Extract<CstaMessage, { type: ResponseName<T> }>;

export const DEFAULT_KEEP_ALIVE_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export { DEFAULT_CONNECT_TIMEOUT_MS } from './transport/tcp-channel.ts';
/** SystemStatus requests left unanswered in a row before the link is declared dead. */
export const MAX_MISSED_KEEP_ALIVES = 2;

export interface CstaLinkOptions {
  host: string;
  port: number;
  logger: Logger;
  keepAliveMs?: number;
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** The wire (default Annex G over TCP). */
  transport?: CstaWire;
  /** Aborting cancels a connection attempt still in progress. */
  signal?: AbortSignal;
  /** Round trips of our requests (GET /metrics); none: not measured. */
  meter?: CstaRequestMeter;
}

/** Told of each request of ours as it ends: answered (a response or a CSTAErrorCode, `ms` after
 * it was written) or not answered in time. Cheap and never throwing: it runs as frames are read. */
export interface CstaRequestMeter {
  answered(type: string, ms: number): void;
  timedOut(type: string): void;
}

export interface CstaLinkHandlers {
  /** Every `…Event` message, in arrival order. */
  onEvent(msg: CstaEventMessage): void;
  /** RouteRequest and RouteEnd sent by the switch (neither is answered on the link). */
  onSwitchRequest(msg: Extract<CstaMessage, { type: 'RouteRequest' | 'RouteEnd' }>, invokeId: number): void;
  /** Called once when the link is down, whatever the cause. */
  onClose(reason: string): void;
}

export interface RequestOptions<R> {
  timeoutMs?: number;
  /** Runs synchronously when the answer is read, before any later frame is handled (so state
   * such as a monitor's cross-reference id is in place before the events that use it). */
  onReply?: (reply: R) => void;
}

interface Pending {
  type: string;
  expect: string;
  /** performance.now() when written (for the meter). */
  sentAt: number;
  timer: NodeJS.Timeout;
  resolve(msg: CstaMessage): void;
  reject(err: Error): void;
  onReply?: (reply: never) => void;
}

const excerpt = (xml: string): string => xml.slice(0, 160).replace(/[\u0000-\u001f\u007f]/g, '?');
const answerName = (type: string): string => (isKnownMessageType(`${type}Response`) ? `${type}Response` : `${type}PosResponse`);

export class CstaLink {
  private readonly alarm = new FramingAlarm();
  private readonly pending = new Map<number, Pending>();
  private readonly ids = new InvokeIds();
  private readonly log: Logger;
  private readonly keepAliveMs: number;
  private readonly requestTimeoutMs: number;
  private readonly meter: CstaRequestMeter | undefined;
  private readonly idleTimer: NodeJS.Timeout;
  private missedKeepAlives = 0;
  private keepAliveOutstanding = false;
  private up = true;

  /** Opens the channel (a TCP connection, or a SIP dialog); rejects with PBX_UNAVAILABLE when it
   * cannot be made. */
  static async connect(opts: CstaLinkOptions, handlers: CstaLinkHandlers): Promise<CstaLink> {
    const channel = await connectChannel({ ...opts, transport: opts.transport ?? { kind: 'annex-g' } });
    return new CstaLink(channel, opts, handlers);
  }

  private constructor(
    private readonly channel: CstaChannel,
    opts: CstaLinkOptions,
    private readonly handlers: CstaLinkHandlers,
  ) {
    this.log = opts.logger.child({ link: channel.remote });
    this.keepAliveMs = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.meter = opts.meter;
    this.idleTimer = setTimeout(() => this.sendKeepAlive(), this.keepAliveMs);
    channel.setHandlers({
      onMessage: (invokeId, xml) => {
        if (this.up) this.onFrame(invokeId, xml);
      },
      onIssue: (issue) => this.onIssue(issue),
      onSendFailed: (invokeId, reason) => this.sendFailed(invokeId, reason),
      onClose: (reason) => this.destroy(reason),
    });
  }

  /** The wire under the link: `annex-g` or `sip-csta`. */
  get transport(): CstaChannel['kind'] {
    return this.channel.kind;
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Requests currently waiting for an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Sends a request and resolves with its typed answer. Rejects with PBX_REJECTED (CSTAErrorCode
   * or negative answer), PBX_UNAVAILABLE (link down, no answer in time), or FrameTooLargeError
   * (the message would not fit in one frame; nothing is sent). */
  request<T extends RequestType>(msg: MessageOf<T>, opts: RequestOptions<ResponseOf<T>> = {}): Promise<ResponseOf<T>> {
    return new Promise((resolve, reject) => {
      if (!this.up) return reject(this.downError(msg.type));
      const invokeId = this.ids.next(this.pending);
      if (invokeId === null) return reject(new PbxError('PBX_UNAVAILABLE', `${msg.type} not sent: all 9998 invoke ids are waiting for answers`));
      try {
        this.write(invokeId, msg as unknown as CstaMessage);
      } catch (err) {
        return reject(err as Error);
      }
      const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(invokeId);
        this.meter?.timedOut(msg.type);
        reject(new PbxError('PBX_UNAVAILABLE', `no answer to ${msg.type} (invoke id ${invokeId}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(invokeId, {
        type: msg.type,
        expect: answerName(msg.type),
        sentAt: this.meter ? performance.now() : 0,
        timer,
        resolve: resolve as (m: CstaMessage) => void,
        reject,
        ...(opts.onReply ? { onReply: opts.onReply as (reply: never) => void } : {}),
      });
    });
  }

  /** Sends a message the switch does not answer (RouteSelect, RouteEnd); resolves once written. */
  post(msg: CstaMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.up) return reject(this.downError(msg.type));
      const invokeId = this.ids.next(this.pending);
      if (invokeId === null) return reject(new PbxError('PBX_UNAVAILABLE', `${msg.type} not sent: no free invoke id`));
      try {
        this.write(invokeId, msg, (err) => (err ? reject(new PbxError('PBX_UNAVAILABLE', `${msg.type} not written: ${err.message}`)) : resolve()));
      } catch (err) {
        reject(err as Error);
      }
    });
  }

  /** Takes the link down now: pending requests fail with PBX_UNAVAILABLE, onClose is called once. */
  destroy(reason: string): void {
    if (!this.up) return;
    this.up = false;
    clearTimeout(this.idleTimer);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new PbxError('PBX_UNAVAILABLE', `${p.type} failed: CSTA link down (${reason})`));
    }
    this.pending.clear();
    const truncated = this.channel.pendingBytes ?? 0;
    if (truncated > 0) this.log.warn({ bytes: truncated }, 'CSTA link closed in the middle of a frame (truncated frame dropped)');
    this.channel.close(reason);
    try {
      this.handlers.onClose(reason);
    } catch (err) {
      this.log.error({ err }, 'CSTA link close handler threw');
    }
  }

  private downError(type: string): PbxError {
    return new PbxError('PBX_UNAVAILABLE', `${type} not sent: CSTA link is down`);
  }

  private write(invokeId: number, msg: CstaMessage, cb?: (err?: Error | null) => void): void {
    this.channel.send(invokeId, encodeMessage(msg), cb); // throws (too large for the wire) before anything is sent
    this.idleTimer.refresh();
  }

  /** Idle for keepAliveMs: send SystemStatus. One still unanswered when the next falls due
   * counts as missed; at the second miss the link is dropped (about 3 × keepAliveMs of silence). */
  private sendKeepAlive(): void {
    if (!this.up) return;
    if (this.keepAliveOutstanding) {
      this.missedKeepAlives++;
      this.log.warn({ missed: this.missedKeepAlives }, 'CSTA keep-alive SystemStatus unanswered');
      if (this.missedKeepAlives >= MAX_MISSED_KEEP_ALIVES) {
        this.destroy(`keep-alive: ${MAX_MISSED_KEEP_ALIVES} SystemStatus unanswered`);
        return;
      }
    }
    this.keepAliveOutstanding = true;
    const answered = (): void => {
      this.keepAliveOutstanding = false;
      this.missedKeepAlives = 0;
    };
    // The timeout only bounds the pending entry; misses are counted above, when the next is due.
    this.request({ type: 'SystemStatus', systemStatus: 'normal' }, { timeoutMs: this.keepAliveMs * (MAX_MISSED_KEEP_ALIVES + 1) }).then(answered, (err: unknown) => {
      // An error answer is still an answer: the switch is alive.
      if (err instanceof PbxError && err.code === 'PBX_REJECTED') answered();
    });
  }

  private onIssue(issue: CstaChannelIssue): void {
    if (!this.up) return;
    this.log.warn({ reason: issue.reason, detail: issue.detail, skippedBytes: issue.skippedBytes, invokeId: issue.invokeId }, issue.skippedBytes !== undefined ? 'malformed CSTA frame skipped; stream resynchronised' : 'malformed CSTA message from the switch skipped');
    // A sound header over a body that is not UTF-8: the invoke id is known. An answer to one of
    // ours ends its request now; a request of the switch is answered (never silence).
    const id = issue.reason === 'badUtf8' ? issue.invokeId : undefined;
    if (id !== undefined && id !== EVENT_INVOKE_ID) {
      if (this.pending.has(id)) this.settle(id, null);
      else this.write(id, UNREADABLE_REQUEST);
    }
    // The Annex G byte stream keeps breaking: a fresh link is better than guessing frame
    // boundaries. (A SIP message is framed by SIP: one bad one costs that one message.)
    if (issue.skippedBytes !== undefined && this.alarm.record(1, Date.now())) {
      this.destroy('framing: the byte stream cannot be trusted (too many malformed frames)');
    }
  }

  /** The wire could not carry a request of ours (SIP: a non-2xx answer or no answer at all). */
  private sendFailed(invokeId: number, reason: string): void {
    const p = this.pending.get(invokeId);
    if (!p) return;
    this.pending.delete(invokeId);
    clearTimeout(p.timer);
    this.log.warn({ invokeId, type: p.type, reason }, 'CSTA request not delivered');
    p.reject(new PbxError('PBX_UNAVAILABLE', `${p.type} not delivered to the switch: ${reason}`));
  }

  private onFrame(invokeId: number, xml: string): void {
    const frame = { invokeId, xml };
    let msg: CstaMessage;
    try {
      msg = decodeMessage(frame.xml);
    } catch (err) {
      const messageType = (err as { messageType?: string }).messageType;
      this.log.warn({ invokeId: frame.invokeId, reason: (err as Error).message, excerpt: excerpt(frame.xml) }, 'undecodable CSTA message skipped');
      // An answer we cannot read still ends its request: fail it now rather than at the timeout.
      if (messageType !== undefined && isResponseType(messageType)) this.settle(frame.invokeId, null);
      // A request we cannot read is still answered: the switch must not wait for nothing.
      else if (frame.invokeId !== EVENT_INVOKE_ID && !this.pending.has(frame.invokeId)) this.write(frame.invokeId, errorAnswerFor(err));
      return;
    }
    if (msg.type === 'CSTAErrorCode' || isResponseType(msg.type)) return this.settle(frame.invokeId, msg);
    if (isEventType(msg.type)) return this.deliver(() => this.handlers.onEvent(msg as CstaEventMessage));
    switch (msg.type) {
      case 'SystemStatus':
        this.write(frame.invokeId, { type: 'SystemStatusResponse' });
        return;
      case 'RouteRequest':
      case 'RouteEnd':
        return this.deliver(() => this.handlers.onSwitchRequest(msg, frame.invokeId));
      default:
        this.log.warn({ invokeId: frame.invokeId, type: msg.type }, 'CSTA request from the switch not served');
        if (frame.invokeId !== EVENT_INVOKE_ID) this.write(frame.invokeId, SERVICE_NOT_SUPPORTED);
    }
  }

  /** Ends the request `invokeId` with `msg` (null: an answer that could not be decoded). */
  private settle(invokeId: number, msg: CstaMessage | null): void {
    const p = this.pending.get(invokeId);
    if (!p) {
      this.log.warn({ invokeId, type: msg?.type }, 'CSTA answer for no waiting request dropped (late or unknown invoke id)');
      return;
    }
    this.pending.delete(invokeId);
    clearTimeout(p.timer);
    if (msg !== null) this.meter?.answered(p.type, performance.now() - p.sentAt);
    if (msg === null) {
      p.reject(new PbxError('PBX_UNAVAILABLE', `answer to ${p.type} could not be decoded`));
    } else if (msg.type === 'CSTAErrorCode') {
      const { category, value } = msg.error;
      p.reject(new PbxError('PBX_REJECTED', `${p.type} rejected by the switch: ${category}/${value}`, { category, value }));
    } else if (msg.type === p.expect) {
      if (p.onReply) this.deliver(() => p.onReply!(msg as never));
      p.resolve(msg);
    } else if (msg.type === 'StartApplicationSessionNegResponse') {
      p.reject(new PbxError('PBX_REJECTED', `${p.type} refused: ${msg.errorCode}`, { category: 'session', value: msg.errorCode }));
    } else {
      p.reject(new PbxError('PBX_REJECTED', `unexpected answer ${msg.type} to ${p.type}`));
    }
  }

  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'CSTA link listener threw');
    }
  }
}
