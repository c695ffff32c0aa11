/** `hours`: open or closed by a business-hours schedule (admin API); the answer comes from the
 * adapter, which holds the schedules. An unknown schedule, or one that cannot be read, is open. */
import type { HoursNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';

export const hours: NodeStep<HoursNode> = {
  enter(ctx, node) {
    ctx.request({ kind: 'hours', schedule: node.schedule });
  },
  result(ctx, node, ok, value) {
    ctx.goto(ok && value && value.open === false ? node.closed : node.open);
  },
};
