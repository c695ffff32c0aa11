/**
 * One CTI link on the switch's side, over a channel of either wire (Annex G frames on a TCP
 * connection, or a SIP/CSTA dialog). It decodes what the CTI sends (malformed frames and messages
 * are logged and skipped, never answered), insists on
 * StartApplicationSession first, answers the session and system services itself, hands every
 * other request to the server, writes responses, events (invoke id 9999) and the switch's own
 * requests (SystemStatus, RouteRequest, RouteEnd; invoke ids 0001–9998 cycling), and keeps the
 * link alive: SystemStatus after `keepAliveMs` without sending, dropped after 2 unanswered.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { isResponseType, type CstaMessage } from '../csta/protocol/catalogue.ts';
import { decodeMessage, encodeMessage, errorAnswerFor, SERVICE_NOT_SUPPORTED, UNREADABLE_REQUEST } from '../csta/protocol/codec.ts';
import { EVENT_INVOKE_ID } from '../csta/protocol/framing.ts';
import type { CstaChannel, CstaChannelIssue } from '../csta/transport/channel.ts';
import { SipCstaChannel } from '../csta/transport/sip-channel.ts';
import { isModelRequest, type ModelRequest } from './switch-model.ts';

const MAX_UNANSWERED_KEEP_ALIVES = 2;
const DEFAULT_SESSION_S = 300;
/** A CTI that stops reading while events pile up is cut off rather than eating the switch's memory. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** The answer in place of one too large for the wire (a frame, a SIP body). */
const TOO_LARGE_ANSWER: CstaMessage = { type: 'CSTAErrorCode', error: { category: 'systemResourceAvailability', value: 'generic' } };

export interface LinkDeps {
  logger: Logger;
  keepAliveMs: number;
  /** A request for the switch model (the server writes the answer and the events it causes). */
  serve(link: CtiLink, invokeId: number, msg: ModelRequest): void;
  /** Called once when the link is gone, whoever closed it. */
  onClosed(link: CtiLink, reason: string): void;
}

export class CtiLink {
  readonly remote: string;
  sessionId: string | null = null;
  private readonly log: Logger;
  private nextInvokeId = 1;
  private unanswered = 0;
  private lastSentAt = Date.now();
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly channel: CstaChannel,
    private readonly deps: LinkDeps,
  ) {
    this.remote = channel.remote;
    this.log = deps.logger.child({ link: id, remote: this.remote });
    channel.setHandlers({
      onMessage: (invokeId, xml) => {
        if (!this.closed) this.onFrame(invokeId, xml);
      },
      onIssue: (issue) => this.onIssue(issue),
      // Only SystemStatus is ours to lose: the keep-alive counts it as unanswered.
      onSendFailed: (invokeId, reason) => this.log.debug({ invokeId, reason }, 'request to the CTI not delivered'),
      onClose: (reason) => this.close(reason),
    });
    this.armKeepAlive(deps.keepAliveMs);
  }

  /** The wire: `annex-g` or `sip-csta`. */
  get transport(): CstaChannel['kind'] {
    return this.channel.kind;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** The SIP/CSTA dialog under this link (fault injection), null over Annex G. */
  get sipChannel(): SipCstaChannel | null {
    return this.channel instanceof SipCstaChannel ? this.channel : null;
  }

  sendEvent(msg: CstaMessage): void {
    this.write(EVENT_INVOKE_ID, msg);
  }

  /** A request of the switch (SystemStatus, RouteRequest, RouteEnd): gets the next invoke id. */
  sendRequest(msg: CstaMessage): number {
    const invokeId = this.nextInvokeId;
    this.nextInvokeId = invokeId >= 9998 ? 1 : invokeId + 1;
    this.write(invokeId, msg);
    return invokeId;
  }

  respond(invokeId: number, msg: CstaMessage): void {
    this.write(invokeId, msg);
  }

  /** Closes the link now (idempotent); `onClosed` runs before this returns. `graceful` lets what
   * was written leave first (end instead of destroy). */
  close(reason: string, graceful = false): void {
    if (this.closed) return;
    this.closed = true;
    if (this.keepAliveTimer) clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = null;
    this.channel.close(reason, graceful);
    this.log.info({ reason }, 'CTI link closed');
    this.deps.onClosed(this, reason);
  }

  /** Fault injection: bytes onto the link exactly as given (a truncated or corrupt frame). */
  writeRaw(bytes: Buffer): void {
    if (this.closed) return;
    this.channel.writeRaw(bytes);
  }

  private write(invokeId: number, msg: CstaMessage): void {
    if (this.closed) return;
    try {
      this.channel.send(invokeId, encodeMessage(msg));
    } catch (err) {
      // A message too large for the wire (a snapshot of a device with hundreds of calls queued at
      // it over the 64 KiB of one frame): an answer becomes an error answer, so the request is not
      // left without one; an event or a request of ours is dropped. Never a throw: this runs in
      // timers.
      this.log.warn({ invokeId, type: msg.type, err: (err as Error).message }, 'CSTA message too large for the wire');
      if (invokeId === EVENT_INVOKE_ID || !isResponseType(msg.type) || msg.type === 'CSTAErrorCode') return;
      this.channel.send(invokeId, encodeMessage(TOO_LARGE_ANSWER));
    }
    this.lastSentAt = Date.now();
    const waiting = this.channel.writableLength;
    if (waiting > MAX_BUFFERED_BYTES) this.close(`the CTI does not read (${waiting} bytes waiting)`);
  }

  private armKeepAlive(ms: number): void {
    this.keepAliveTimer = setTimeout(() => this.keepAliveDue(), ms);
    this.keepAliveTimer.unref();
  }

  private keepAliveDue(): void {
    if (this.closed) return;
    const interval = this.deps.keepAliveMs;
    const idle = Date.now() - this.lastSentAt;
    if (idle < interval) return this.armKeepAlive(interval - idle);
    if (this.unanswered >= MAX_UNANSWERED_KEEP_ALIVES) {
      this.log.warn({ unanswered: this.unanswered }, 'CTI does not answer SystemStatus: dropping the link');
      return this.close(`${this.unanswered} SystemStatus unanswered`);
    }
    this.unanswered++;
    this.sendRequest({ type: 'SystemStatus', systemStatus: 'normal' });
    this.armKeepAlive(interval);
  }

  private onIssue(issue: CstaChannelIssue): void {
    this.log.warn({ ...issue }, 'malformed CSTA message from the CTI skipped');
    // A frame with a sound header whose body is not UTF-8 is a request the switch cannot read:
    // it is answered all the same (never silence). An event (9999) has nobody to answer.
    if (issue.reason === 'badUtf8' && issue.invokeId !== undefined && issue.invokeId !== EVENT_INVOKE_ID && !this.closed) this.respond(issue.invokeId, UNREADABLE_REQUEST);
  }

  private onFrame(invokeId: number, xml: string): void {
    const frame = { invokeId, xml };
    let msg: CstaMessage;
    try {
      msg = decodeMessage(frame.xml);
    } catch (err) {
      const type = (err as { messageType?: string }).messageType;
      this.log.warn({ invokeId: frame.invokeId, type, reason: (err as Error).message, excerpt: frame.xml.slice(0, 200) }, 'undecodable CSTA message from the CTI');
      // A request the switch cannot read is still answered (never silence); an answer or an event
      // it cannot read has nobody to answer.
      if (frame.invokeId !== EVENT_INVOKE_ID && (type === undefined || !isResponseType(type))) this.respond(frame.invokeId, errorAnswerFor(err));
      return;
    }
    try {
      this.handle(frame.invokeId, msg);
    } catch (err) {
      this.log.error({ err, type: msg.type, invokeId: frame.invokeId }, 'CSTA request failed inside the simulator');
      this.respond(frame.invokeId, { type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } });
    }
  }

  private handle(invokeId: number, msg: CstaMessage): void {
    switch (msg.type) {
      case 'StartApplicationSession':
        this.sessionId ??= randomUUID();
        this.log.info({ applicationId: msg.applicationId }, 'CTI application session started');
        return this.respond(invokeId, {
          type: 'StartApplicationSessionPosResponse',
          sessionId: this.sessionId,
          actualProtocolVersion: msg.protocolVersion,
          actualSessionDuration: msg.requestedSessionDuration || DEFAULT_SESSION_S,
        });
      case 'RequestSystemStatus':
        // Any time, session or not: TR/87's INVITE carries it before the application session.
        return this.respond(invokeId, { type: 'RequestSystemStatusResponse', systemStatus: 'normal' });
      case 'SystemStatusResponse':
        this.unanswered = 0;
        return;
      case 'CSTAErrorCode':
        // The only requests of ours the CTI answers are SystemStatus: an error answer is still an answer.
        this.unanswered = 0;
        return;
      default:
        break;
    }
    if (this.sessionId === null) {
      if (!isRequestFromCti(msg)) {
        this.log.warn({ type: msg.type }, 'CSTA message before the session');
        if (invokeId !== EVENT_INVOKE_ID && !isResponseType(msg.type)) this.respond(invokeId, UNREADABLE_REQUEST);
        return;
      }
      return this.respond(invokeId, { type: 'CSTAErrorCode', error: { category: 'operation', value: 'generic' } });
    }
    switch (msg.type) {
      case 'StopApplicationSession':
        this.respond(invokeId, { type: 'StopApplicationSessionPosResponse' });
        this.sessionId = null;
        this.close('application session stopped', true);
        return;
      case 'ResetApplicationSessionTimer':
        return this.respond(invokeId, { type: 'ResetApplicationSessionTimerPosResponse', actualSessionDuration: msg.requestedSessionDuration || DEFAULT_SESSION_S });
      case 'SystemStatus':
        return this.respond(invokeId, { type: 'SystemStatusResponse' });
      case 'SystemRegister':
        return this.respond(invokeId, { type: 'SystemRegisterResponse', sysStatRegisterId: this.id });
      default:
        if (isModelRequest(msg)) return this.deps.serve(this, invokeId, msg);
        this.log.warn({ type: msg.type, invokeId }, 'CSTA message the switch does not take from a CTI');
        if (invokeId !== EVENT_INVOKE_ID && !isResponseType(msg.type)) this.respond(invokeId, SERVICE_NOT_SUPPORTED);
    }
  }
}

const SESSION_REQUESTS = new Set(['StartApplicationSession', 'StopApplicationSession', 'ResetApplicationSessionTimer', 'SystemStatus', 'SystemRegister']);

function isRequestFromCti(msg: CstaMessage): boolean {
  return SESSION_REQUESTS.has(msg.type) || isModelRequest(msg);
}
