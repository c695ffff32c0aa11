/**
 * Hand-set behaviour the switch plays by itself: outside numbers that answer when called (config
 * `outsideAutoAnswer`, after `outsideAnswerDelayMs`). Without it, a test or the traffic generator
 * answers with `offhook`.
 */
import type { Logger } from 'pino';
import type { Notice } from './core.ts';
import { SimError } from './errors.ts';
import type { SwitchModel } from './switch-model.ts';
import { TimerSet } from './timers.ts';

export class AutoAnswer {
  private readonly timers: TimerSet;

  constructor(
    private readonly model: SwitchModel,
    private readonly log: Logger,
  ) {
    this.timers = new TimerSet(log);
  }

  onNotice(n: Notice): void {
    if (n.kind === 'restarted') return this.timers.clear();
    if (!this.model.config.outsideAutoAnswer) return;
    if (n.kind !== 'connectionState' || n.deviceKind !== 'outside' || n.state !== 'alerting') return;
    this.timers.after(this.model.config.outsideAnswerDelayMs, () => answerIfStillAlerting(this.model, this.log, n.callId, n.deviceId));
  }

  close(): void {
    this.timers.clear();
  }
}

/** Answers {callId, deviceId} unless the call moved on meanwhile (then does nothing). */
export function answerIfStillAlerting(model: SwitchModel, log: Logger, callId: string, deviceId: string): void {
  try {
    model.answer(callId, deviceId);
  } catch (err) {
    if (err instanceof SimError) log.debug({ callId, deviceId, reason: err.message }, 'nothing left to answer');
    else throw err;
  }
}
