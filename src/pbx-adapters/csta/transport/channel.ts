/**
 * The transport seam of the CSTA link: a channel carries whole CSTA XML documents between a CTI
 * and a switch, each tagged with an invoke id, whatever the wire underneath.
 *
 * - `annex-g` (`tcp-channel.ts`): ECMA-323 Annex G frames over TCP; the invoke id is in the frame
 *   header.
 * - `sip-csta` (`sip-channel.ts`): uaCSTA (ECMA TR/87), the XML in the bodies of SIP requests and
 *   responses inside one dialog. SIP has no invoke id: the channel gives each of its own requests'
 *   INFO transactions the invoke id it was sent with, and each request of the peer a fresh one,
 *   so the session above (invoke ids, timeouts, keep-alive, monitors, reconnection) is the same
 *   over either wire.
 *
 * Invoke ids: `EVENT_INVOKE_ID` (9999) for an event; 1–9998 for a request and its answer. An
 * answer is sent with the invoke id its request arrived with.
 */

export type CstaTransportKind = 'annex-g' | 'sip-csta';

export interface CstaChannelIssue {
  /** Stable reason: the framing ones (`badHeader`, `badInvokeId`, `badUtf8`, `badLength`) or a SIP
   * one (`sipMalformed`, `sipContentType`, `sipTooLarge`, `sipOutsideDialog`, `sipOutOfOrder`). */
  reason: string;
  detail: string;
  skippedBytes?: number;
  /** Known when the message was a request whose answer is still owed (answer it, never silence),
   * or an answer to one of ours (fail that request now). */
  invokeId?: number;
}

export interface CstaChannelHandlers {
  /** One CSTA document, in arrival order. */
  onMessage(invokeId: number, xml: string): void;
  /** Something arrived that is not a CSTA document the channel can hand on; already logged and,
   * where the wire has a way to say so (a SIP error response), already answered. */
  onIssue(issue: CstaChannelIssue): void;
  /** A request we sent could not be delivered (SIP: a final non-2xx answer or a transaction
   * timeout): fail it now rather than at the CSTA timeout. */
  onSendFailed(invokeId: number, reason: string): void;
  /** Called once when the channel is gone, whoever closed it. */
  onClose(reason: string): void;
}

export interface CstaChannel {
  readonly kind: CstaTransportKind;
  /** `tcp 10.0.0.5:2555`, `sip-csta udp 10.0.0.5:5060`: for logs. */
  readonly remote: string;
  readonly isOpen: boolean;
  /** Bytes accepted and not yet on the wire (back-pressure). */
  readonly writableLength: number;
  /** Bytes received and held waiting for the rest of a message (Annex G: a frame cut short). */
  readonly pendingBytes?: number;
  /** Sends one document. Throws before anything is sent when it cannot fit the wire
   * (`FrameTooLargeError`, `SipMessageTooLargeError`); `cb` runs once it is written or failed. */
  send(invokeId: number, xml: string, cb?: (err?: Error | null) => void): void;
  /** Fault injection and fuzzing: bytes onto the wire exactly as given. */
  writeRaw(bytes: Buffer): void;
  /** Closes now (idempotent); `onClose` runs before this returns. `graceful` lets what was
   * written leave first (SIP: BYE, and its answer awaited briefly). */
  close(reason: string, graceful?: boolean): void;
  /** Handlers are set once, right after the channel is made. */
  setHandlers(handlers: CstaChannelHandlers): void;
}
