/**
 * What a flow asks of the world besides the voice: customers and named queries from our database,
 * business hours, webhooks over HTTP, voicemail recordings on the switch, and replay by phone's
 * sign-in and search (src/recording/replay/phone-replay.ts). Each answer is a flat record (or
 * null: not found) for the session's `result` input.
 */
import type { Logger } from 'pino';
import type { ConnectionId, PbxEvent, PbxPort } from '../../core/pbx-port.ts';
import type { NewVoicemail } from '../../storage/repositories/voicemails.ts';
import type { IvrRequest, RequestValue } from '../engine/types.ts';

export interface RequestContext {
  callId: string;
  caller: string;
  flow: string;
  conn: ConnectionId;
}

/** A voicemail as stored (the voicemails row without its id). */
export type VoicemailRecord = NewVoicemail;

/** Replay by phone as the IVR needs it (src/recording/replay/phone-replay.ts). */
export interface PhoneReplayPort {
  login(phoneId: string, pin: string, call: { callId: string; caller: string }): Promise<{ user: string; name: string } | null>;
  search(q: { agentDigits: string; from: number; to: number; limit: number }): Promise<{ id: string; startedAt: number; durationMs: number }[]>;
}

export interface IvrRequestsDeps {
  pbx: PbxPort;
  customerByPhone(phone: string): RequestValue;
  query(name: string, params: Record<string, string>): RequestValue;
  /** Open now? An unknown schedule is open. */
  hoursOpen(schedule: string, now: number): boolean;
  storeVoicemail(v: VoicemailRecord): void;
  clock: { now(): number };
  log: Logger;
  /** Largest webhook answer read, bytes. */
  webhookMaxBytes?: number;
  /** Replay by phone; without it, its requests fail (the flow takes its error branch). */
  replay?: PhoneReplayPort;
}

interface Recording {
  ctx: RequestContext;
  mailbox: string;
  startedAt: number;
  resolve: (v: RequestValue) => void;
}

export class IvrRequests {
  private readonly recordings = new Map<string, Recording>();

  constructor(private readonly d: IvrRequestsDeps) {}

  async run(r: IvrRequest, ctx: RequestContext): Promise<RequestValue> {
    switch (r.kind) {
      case 'customer':
        return this.d.customerByPhone(r.phone);
      case 'query':
        return this.d.query(r.query, r.params);
      case 'hours':
        return { open: this.d.hoursOpen(r.schedule, this.d.clock.now()) };
      case 'webhook':
        return this.webhook(r.url, r.body, r.timeoutMs);
      case 'record':
        return this.record(r.mailbox, r.maxMs, ctx);
      case 'staffLogin': {
        const u = await this.replay().login(r.phoneId, r.pin, { callId: ctx.callId, caller: ctx.caller });
        return u ? { user: u.user, name: u.name } : null;
      }
      case 'recordingSearch': {
        const list = await this.replay().search(r);
        this.d.log.info({ callId: ctx.callId, user: r.user, agentDigits: r.agentDigits, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString(), found: list.length }, 'replay by phone: search');
        return { count: list.length, ids: list.map((x) => x.id).join(','), startedAts: list.map((x) => x.startedAt).join(','), durations: list.map((x) => x.durationMs).join(',') };
      }
    }
  }

  private replay(): PhoneReplayPort {
    if (!this.d.replay) throw new Error('replay by phone is not available in this daemon');
    return this.d.replay;
  }

  /** StopEvent of a recording: the voicemail is stored (even when the caller hung up). */
  voiceStopped(ev: Extract<PbxEvent, { kind: 'voiceStopped' }>): void {
    const rec = this.recordings.get(ev.message);
    if (!rec || ev.monitoredDevice !== rec.ctx.conn.deviceId) return;
    this.recordings.delete(ev.message);
    const durationMs = ev.lengthMs ?? Math.max(0, this.d.clock.now() - rec.startedAt);
    const v: VoicemailRecord = { callId: rec.ctx.callId, caller: rec.ctx.caller, mailbox: rec.mailbox, flow: rec.ctx.flow, recordedAt: rec.startedAt, durationMs, path: ev.message, bytes: ev.bytes ?? 0 };
    try {
      this.d.storeVoicemail(v);
      this.d.log.info({ callId: v.callId, mailbox: v.mailbox, durationMs, path: v.path }, 'voicemail stored');
    } catch (err) {
      this.d.log.error({ err, callId: v.callId, path: v.path }, 'voicemail could not be stored');
    }
    rec.resolve({ durationMs, path: ev.message, bytes: ev.bytes ?? 0 });
  }

  private async record(mailbox: string, maxMs: number, ctx: RequestContext): Promise<RequestValue> {
    const { message } = await this.d.pbx.recordMessage({ conn: ctx.conn, maxDurationMs: maxMs, stopOnKey: true });
    return new Promise((resolve) => {
      this.recordings.set(message, { ctx, mailbox, startedAt: this.d.clock.now(), resolve });
    });
  }

  private async webhook(url: string, body: Record<string, string>, timeoutMs: number): Promise<RequestValue> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`webhook URL must be http(s): ${parsed.protocol}`);
    const res = await fetch(parsed, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const text = await res.text();
    if (text.length > (this.d.webhookMaxBytes ?? 64 * 1024)) throw new Error('webhook answer too large');
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    const out: Record<string, string | number | boolean | null> = { status: res.status };
    if (text.trim().startsWith('{')) {
      try {
        for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
          if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
        }
      } catch {
        throw new Error('webhook answer is not valid JSON');
      }
    }
    return out;
  }
}
