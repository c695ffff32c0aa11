/**
 * `collect`: digits into a variable. Input ends with the terminator (when the node has one), or at
 * `maxLength` digits (when it has none), or when the caller stops keying for `interDigitTimeoutS`.
 * Too few or too many digits, or a key that is no digit, is invalid input; no digit within
 * `firstDigitTimeoutS` after the prompt is a timeout. Digits of a `sensitive` node never reach a
 * log or a statistic, and the call's recording is paused while the node runs (the session resumes
 * it when the call moves on).
 */
import type { CollectNode } from '../flow/types.ts';
import type { NodeStep, StepContext } from '../engine/step.ts';
import { failed } from './retry.ts';

function finish(ctx: StepContext, node: CollectNode): void {
  const digits = (ctx.local.digits as string | undefined) ?? '';
  ctx.local.digits = '';
  ctx.cancelTimer();
  if (digits.length < node.minLength || digits.length > node.maxLength) {
    failed(ctx, 'invalid', node.invalid, node);
    return;
  }
  ctx.vars.set(node.into, digits);
  ctx.goto(node.next);
}

export const collect: NodeStep<CollectNode> = {
  enter(ctx, node) {
    if (node.sensitive) ctx.pauseRecording();
    ctx.local.phase = 'prompting';
    ctx.local.digits = '';
    ctx.play(ctx.prompt(node.prompt), node.bargeIn ?? true);
  },
  key(ctx, node, key) {
    if (ctx.local.phase === 'prompting' && !(node.bargeIn ?? true)) return;
    ctx.local.phase = 'collecting';
    if (node.terminator !== undefined && key === node.terminator) {
      finish(ctx, node);
      return;
    }
    if (!/^[0-9]$/.test(key)) {
      ctx.local.digits = '';
      ctx.cancelTimer();
      failed(ctx, 'invalid', node.invalid, node);
      return;
    }
    const digits = `${(ctx.local.digits as string | undefined) ?? ''}${key}`;
    ctx.local.digits = digits;
    if (node.terminator === undefined && digits.length >= node.maxLength) finish(ctx, node);
    else ctx.timer(node.interDigitTimeoutS);
  },
  playEnded(ctx, node) {
    if (ctx.local.phase !== 'prompting') return;
    ctx.local.phase = 'waiting';
    ctx.timer(node.firstDigitTimeoutS);
  },
  timer(ctx, node) {
    if (((ctx.local.digits as string | undefined) ?? '') === '') failed(ctx, 'timeout', node.timeout, node);
    else finish(ctx, node);
  },
};
