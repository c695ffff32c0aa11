/** `queue`: hand the call to the ACD (queue, priority); while it waits, position and estimated
 * wait are announced every `announce.everyS` seconds (by the adapter). */
import type { QueueNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { sayThenLeave } from './departure.ts';

import type { StepContext } from '../engine/step.ts';
import { serviceOf } from '../flow/acd-services.ts';

const departure = (ctx: StepContext, node: QueueNode, queue: string) => ({
  kind: 'queue' as const,
  queue,
  priority: node.priority ?? 0,
  announceEveryS: node.announce?.everyS ?? null,
  service: node.skills ? serviceOf(ctx.flowId, ctx.nodeId) : null,
});

export const queue: NodeStep<QueueNode> = {
  enter(ctx, node) {
    const q = ctx.render(node.queue);
    ctx.local.queue = q;
    sayThenLeave(ctx, node.prompt, () => departure(ctx, node, q), 'queue');
  },
  playEnded(ctx, node) {
    if (ctx.local.leave) ctx.leave(departure(ctx, node, ctx.local.queue as string), 'queue');
  },
};
