/** `hangup`: say goodbye (optional), then clear the call. */
import type { HangupNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { sayThenLeave } from './departure.ts';

export const hangup: NodeStep<HangupNode> = {
  enter(ctx, node) {
    sayThenLeave(ctx, node.prompt, () => ({ kind: 'hangup' }), 'hangup');
  },
  playEnded(ctx) {
    if (ctx.local.leave) ctx.leave({ kind: 'hangup' }, 'hangup');
  },
};
