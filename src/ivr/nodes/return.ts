/** `return`: back to the agent who sent the caller here (`call.toIvr`), with the flow's result in
 * the call data (`ivr.<flow>.result`); to the agent's queue when the agent is busy. */
import type { ReturnNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { sayThenLeave } from './departure.ts';

export const returnNode: NodeStep<ReturnNode> = {
  enter(ctx, node) {
    const result = ctx.render(node.result);
    ctx.local.result = result;
    sayThenLeave(ctx, node.prompt, () => ({ kind: 'return', result }), 'returned');
  },
  playEnded(ctx) {
    if (ctx.local.leave) ctx.leave({ kind: 'return', result: ctx.local.result as string }, 'returned');
  },
};
