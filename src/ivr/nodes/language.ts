/** `language`: the call's language from here on (prompts and read-outs). */
import type { LanguageNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';

export const language: NodeStep<LanguageNode> = {
  enter(ctx, node) {
    ctx.setLang(node.lang);
    ctx.goto(node.next);
  },
};
