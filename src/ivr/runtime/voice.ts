/**
 * Plays a session's items on its voice unit, one PlayMessage at a time: the next item goes when
 * the switch reports the last one ended (StopEvent `endOfMessage`), so nothing depends on how a
 * switch queues messages. A key that stops a barge-in item ends the whole play (`dtmf`); a play
 * the session abandoned (it moved on) is stopped at the switch and its late events ignored.
 *
 * What an item is on the wire comes from the prompt source (speech: a recorded file, rendered
 * speech, or text for the switch to synthesise). Resolving may take a moment (a first render of
 * a text); a play stopped meanwhile never starts.
 */
import type { Logger } from 'pino';
import type { ConnectionId, PbxPort, VoiceStopCause } from '../../core/pbx-port.ts';
import type { PlayEndCause, PlayItem } from '../engine/types.ts';

/** An item as the switch plays it: a message id (`file:`, `tts:`, `prompt:`, `tone:`) and what
 * it says. */
export interface ResolvedItem {
  message: string;
  text?: string;
  lang?: string;
}

export interface PromptSource {
  resolve(item: PlayItem): Promise<ResolvedItem>;
}

interface Current {
  playId: number;
  items: PlayItem[];
  bargeIn: boolean;
  index: number;
  /** The message the switch is playing now (its StopEvent ends it). */
  message: string | null;
}

export class VoicePlayer {
  private current: Current | null = null;
  private closed = false;

  constructor(
    private readonly d: {
      pbx: PbxPort;
      speech: PromptSource;
      conn: ConnectionId;
      log: Logger;
      ended: (playId: number, cause: PlayEndCause) => void;
    },
  ) {}

  play(playId: number, items: PlayItem[], bargeIn: boolean): void {
    if (this.current) this.stop(this.current.playId);
    this.current = { playId, items, bargeIn, index: 0, message: null };
    void this.next(this.current);
  }

  stop(playId: number): void {
    const cur = this.current;
    if (!cur || cur.playId !== playId) return;
    this.current = null;
    if (cur.message !== null) this.d.pbx.stopMessage(this.d.conn, cur.message).catch(() => undefined);
  }

  /** The switch's StopEvent for a message on this connection. */
  stopped(message: string, cause: VoiceStopCause): void {
    const cur = this.current;
    if (!cur || cur.message !== message) return;
    cur.message = null;
    if (cause === 'endOfMessage') {
      cur.index++;
      void this.next(cur);
      return;
    }
    this.current = null;
    this.d.ended(cur.playId, cause === 'dtmf' ? 'dtmf' : cause === 'durationExceeded' ? 'endOfMessage' : 'stopped');
  }

  close(): void {
    this.closed = true;
    this.current = null;
  }

  private async next(cur: Current): Promise<void> {
    if (cur.index >= cur.items.length) {
      if (this.current === cur) {
        this.current = null;
        this.d.ended(cur.playId, 'endOfMessage');
      }
      return;
    }
    let resolved: ResolvedItem;
    try {
      resolved = await this.d.speech.resolve(cur.items[cur.index]!);
    } catch (err) {
      this.d.log.warn({ err: (err as Error).message }, 'IVR prompt could not be prepared; skipped');
      cur.index++;
      return this.next(cur);
    }
    if (this.current !== cur || this.closed) return;
    cur.message = resolved.message;
    try {
      await this.d.pbx.playMessage({ conn: this.d.conn, message: resolved.message, bargeIn: cur.bargeIn, ...(resolved.text ? { text: resolved.text } : {}), ...(resolved.lang ? { lang: resolved.lang } : {}) });
    } catch (err) {
      if (this.current !== cur) return;
      this.d.log.warn({ err: (err as Error).message, message: resolved.message }, 'the switch refused to play an IVR prompt; skipped');
      cur.message = null;
      cur.index++;
      return this.next(cur);
    }
  }
}
