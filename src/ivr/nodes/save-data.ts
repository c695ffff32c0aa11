/** `saveData`: keep something the caller gave (table ivr_collected); sensitive values are masked. */
import type { SaveDataNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';

export const saveData: NodeStep<SaveDataNode> = {
  enter(ctx, node) {
    ctx.saveData(node.name, ctx.render(node.value), node.sensitive ?? false);
    ctx.goto(node.next);
  },
};
