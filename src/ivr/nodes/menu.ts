/**
 * `menu`: say the choices, wait for one key. A key of the menu leads to its node; another key is
 * invalid input, silence for `timeoutS` after the prompt is a timeout: each said again (with the
 * policy's prompt and the next retry prompt) up to the policy's maximum, then its `then` node.
 */
import type { MenuNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { failed } from './retry.ts';

export const menu: NodeStep<MenuNode> = {
  enter(ctx, node) {
    ctx.local.phase = 'prompting';
    ctx.play(ctx.prompt(node.prompt), node.bargeIn ?? true);
  },
  key(ctx, node, key) {
    if (ctx.local.phase === 'prompting' && !(node.bargeIn ?? true)) return; // keys during a prompt that cannot be interrupted are not heard
    ctx.cancelTimer();
    const target = node.choices[key];
    if (target !== undefined) ctx.goto(target);
    else failed(ctx, 'invalid', node.invalid, node);
  },
  playEnded(ctx, node) {
    if (ctx.local.phase !== 'prompting') return;
    ctx.local.phase = 'waiting';
    ctx.timer(node.timeoutS);
  },
  timer(ctx, node) {
    failed(ctx, 'timeout', node.timeout, node);
  },
};
