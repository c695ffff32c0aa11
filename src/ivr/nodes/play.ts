/** `play`: say a prompt, then go on. A key stops a prompt that allows barge-in (and is not used). */
import type { PlayNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';

export const play: NodeStep<PlayNode> = {
  enter(ctx, node) {
    ctx.play(ctx.prompt(node.prompt), node.bargeIn ?? true);
  },
  playEnded(ctx, node) {
    ctx.goto(node.next);
  },
};
