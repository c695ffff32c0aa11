/** `set`: variables and call data (the agent who gets the call sees the call data). */
import type { SetNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';

export const set: NodeStep<SetNode> = {
  enter(ctx, node) {
    for (const [name, t] of Object.entries(node.vars ?? {})) ctx.vars.set(name, ctx.render(t));
    if (node.callData) {
      const data: Record<string, string> = {};
      for (const [key, t] of Object.entries(node.callData)) data[key] = ctx.render(t);
      ctx.setCallData(data);
    }
    ctx.goto(node.next);
  },
};
