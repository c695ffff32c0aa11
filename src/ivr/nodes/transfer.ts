/** `transfer`: to an extension or an outside number. */
import type { TransferNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { sayThenLeave } from './departure.ts';

export const transfer: NodeStep<TransferNode> = {
  enter(ctx, node) {
    const to = ctx.render(node.to);
    ctx.local.to = to;
    sayThenLeave(ctx, node.prompt, () => ({ kind: 'transfer', to }), 'transfer');
  },
  playEnded(ctx) {
    if (ctx.local.leave) ctx.leave({ kind: 'transfer', to: ctx.local.to as string }, 'transfer');
  },
};
