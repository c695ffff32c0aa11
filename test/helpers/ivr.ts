/**
 * IVR scenario helpers: a world whose switch and flows run 20× faster (voiceTimeScale and
 * IVR_TIME_SCALE; the heard log keeps real lengths), and waits on what the caller heard.
 */
import { startWorld, eventually, type World } from './world.ts';

export const IVR_SPEED = 20;

export async function ivrWorld(): Promise<World> {
  return startWorld({
    sim: { voiceTimeScale: IVR_SPEED },
    config: { ivr: Object.freeze({ flowsDir: 'flows', ports: Array.from({ length: 30 }, (_, i) => String(8100 + i)), promptsDir: null, timeZone: 'Asia/Shanghai', timeScale: IVR_SPEED, watch: false }) },
  });
}

export interface Heard {
  kind: string;
  text?: string;
  ref?: string;
  durationMs: number;
  interruptedBy?: string;
}

export async function heard(w: World, simCallId: string): Promise<Heard[]> {
  return (await w.simApi('GET', `/sim/calls/${simCallId}/heard`)).items as Heard[];
}

/** Waits until the caller has heard (or is hearing) a prompt whose text contains `text`, `n` times. */
export async function waitHeard(w: World, simCallId: string, text: string, n = 1, timeoutMs = 10_000): Promise<Heard[]> {
  return eventually(async () => {
    const items = await heard(w, simCallId);
    return items.filter((i) => i.text?.includes(text)).length >= n ? items : null;
  }, timeoutMs);
}

export async function press(w: World, simCallId: string, digits: string): Promise<void> {
  await w.simApi('POST', `/sim/calls/${simCallId}/digits`, { digits });
}

/** Where the call is now: the kinds and devices of its connections. */
export async function whereIs(w: World, simCallId: string): Promise<{ deviceId: string; kind: string; state: string }[] | null> {
  const r = await w.simApi('GET', `/sim/calls/${simCallId}`, undefined, true);
  return r.status === 200 ? r.body.connections : null;
}

export async function waitAt(w: World, simCallId: string, deviceId: string, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => (await whereIs(w, simCallId))?.some((c) => c.deviceId === deviceId), timeoutMs);
}

export async function waitGone(w: World, simCallId: string, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => (await whereIs(w, simCallId)) === null, timeoutMs);
}

/** No IVR port has a call left. */
export async function portsIdle(w: World): Promise<boolean> {
  const { devices } = (await w.simApi('GET', '/sim/devices?active=true')) as { devices: { deviceId: string; calls: unknown[] }[] };
  return !devices.some((d) => /^81[0-2][0-9]$/.test(d.deviceId) && d.calls.length > 0);
}

/** Waits until the switch records the call (a voicemail after its beep): keys pressed from then on reach the recorder. */
export async function waitRecording(w: World, simCallId: string, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    const { items } = (await w.simApi('GET', '/sim/recordings')) as { items: { simCallId: string; endedAt: string | null }[] };
    return items.some((r) => r.simCallId === simCallId && !r.endedAt);
  }, timeoutMs);
}
