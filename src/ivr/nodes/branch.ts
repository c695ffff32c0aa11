/** `branch`: the first case whose condition holds, else `else`. */
import type { BranchNode } from '../flow/types.ts';
import { evaluate } from '../engine/conditions.ts';
import type { NodeStep } from '../engine/step.ts';

export const branch: NodeStep<BranchNode> = {
  enter(ctx, node) {
    const hit = node.cases.find((c) => evaluate(c.if, ctx.vars, ctx.now, ctx.timeZone));
    ctx.goto(hit ? hit.then : node.else);
  },
};
