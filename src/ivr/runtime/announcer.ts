/**
 * Announcements to callers waiting in a queue: every `everyS` seconds their position and estimated
 * wait, read out in their language, played by the queue device over the music; a message without
 * a number when the router has too little data to estimate. Stops when the call leaves the queue.
 */
import type { Logger } from 'pino';
import type { PbxPort } from '../../core/pbx-port.ts';
import type { Timers } from '../../services/ports.ts';
import { readOut } from '../readouts/index.ts';
import type { PlayItem } from '../engine/types.ts';
import type { PromptSource } from './voice.ts';

export interface AnnouncerDeps {
  pbx: PbxPort;
  speech: PromptSource;
  /** Position (1 = next) and estimated wait of a waiting call; null when it no longer waits. */
  estimate(callId: string): { position: number; estimatedWaitS: number | null } | null;
  timers: Timers;
  timeScale: number;
  log: Logger;
}

interface Watched {
  callId: string;
  pbxCallId: string;
  device: string;
  lang: 'zh-CN' | 'en-US';
  everyS: number;
  timer: unknown;
}

/** What a waiting caller hears, in each language. */
export function announcement(lang: 'zh-CN' | 'en-US', position: number, estimatedWaitS: number | null): string {
  const pos = readOut(lang, 'number', String(position)).text;
  if (lang === 'zh-CN') {
    const head = position <= 1 ? '您是下一位，' : `您前面还有${readOut(lang, 'number', String(position - 1)).text}位客户，`;
    if (estimatedWaitS === null) return `${head}坐席正忙，请您耐心等待。`;
    return `${head}预计等待${readOut(lang, 'duration', String(roundWait(estimatedWaitS))).text}。`;
  }
  const head = position <= 1 ? 'you are next in line.' : `you are number ${pos} in line.`;
  if (estimatedWaitS === null) return `${head} all our agents are busy; please hold.`;
  return `${head} your estimated wait is ${readOut(lang, 'duration', String(roundWait(estimatedWaitS))).text}.`;
}

/** Waits are announced to the half minute (a minute and more) or to 10 s: a caller hears no false precision. */
function roundWait(s: number): number {
  if (s >= 60) return Math.max(60, Math.round(s / 30) * 30);
  return Math.max(10, Math.round(s / 10) * 10);
}

export class QueueAnnouncer {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly d: AnnouncerDeps) {}

  watch(w: Omit<Watched, 'timer'>): void {
    this.unwatch(w.callId);
    const entry: Watched = { ...w, timer: null };
    this.watched.set(w.callId, entry);
    this.arm(entry);
  }

  unwatch(callId: string): void {
    const w = this.watched.get(callId);
    if (!w) return;
    this.d.timers.clearTimeout(w.timer);
    this.watched.delete(callId);
  }

  get size(): number {
    return this.watched.size;
  }

  close(): void {
    for (const id of [...this.watched.keys()]) this.unwatch(id);
  }

  private arm(w: Watched): void {
    w.timer = this.d.timers.setTimeout(() => this.announce(w), Math.max(1, Math.round((w.everyS * 1000) / this.d.timeScale)));
  }

  private announce(w: Watched): void {
    if (this.watched.get(w.callId) !== w) return;
    const est = this.d.estimate(w.callId);
    if (!est) {
      this.unwatch(w.callId);
      return;
    }
    const item: PlayItem = { kind: 'readOut', lang: w.lang, text: announcement(w.lang, est.position, est.estimatedWaitS) };
    this.arm(w);
    this.d.speech
      .resolve(item)
      .then((r) => this.d.pbx.playMessage({ conn: { callId: w.pbxCallId, deviceId: w.device }, message: r.message, bargeIn: false, ...(r.text ? { text: r.text } : {}), ...(r.lang ? { lang: r.lang } : {}) }))
      .catch((err: unknown) => this.d.log.debug({ callId: w.callId, err: (err as Error).message }, 'queue announcement not played'));
  }
}
