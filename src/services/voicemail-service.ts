/**
 * Voicemail: `store` keeps a recorded message (its row; the audio file is already at `path`) and
 * announces it to the configured webhooks (`voicemail.created`, the row as `data`), the row and its
 * webhook deliveries in one transaction. Called by the IVR engine when a recording ends.
 */
import type { NewVoicemail, Voicemail } from '../storage/repositories/voicemails.ts';
import type { WebhookNotifier } from './webhook-notifier.ts';

export type VoicemailInput = NewVoicemail;

/** A message as the API and the webhook show it: times ISO-8601. */
export interface VoicemailView {
  id: number;
  callId: string;
  caller: string;
  mailbox: string;
  flow: string;
  recordedAt: string;
  durationMs: number;
  path: string;
  bytes: number;
}

export function voicemailView(v: Voicemail): VoicemailView {
  return { id: v.id, callId: v.callId, caller: v.caller, mailbox: v.mailbox, flow: v.flow, recordedAt: new Date(v.recordedAt).toISOString(), durationMs: v.durationMs, path: v.path, bytes: v.bytes };
}

export interface VoicemailServiceDeps {
  voicemails: { insert(v: NewVoicemail): Voicemail };
  notifier: Pick<WebhookNotifier, 'enqueue'>;
  transaction<T>(fn: () => T): T;
}

export const VOICEMAIL_CREATED = 'voicemail.created';

export class VoicemailService {
  constructor(private readonly d: VoicemailServiceDeps) {}

  /** Inserts the row and queues its webhooks; returns the row. Throws what the database throws
   * (nothing is kept then: the caller still has the file). */
  store(input: VoicemailInput): Voicemail {
    return this.d.transaction(() => {
      const row = this.d.voicemails.insert(input);
      this.d.notifier.enqueue(VOICEMAIL_CREATED, voicemailView(row));
      return row;
    });
  }
}
