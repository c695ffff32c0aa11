/** `say`: read a value aloud (src/ivr/readouts): numbers, money, dates … in the call's language. */
import type { SayNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import type { PlayItem } from '../engine/types.ts';
import { readOut } from '../readouts/index.ts';

export const say: NodeStep<SayNode> = {
  enter(ctx, node) {
    const value = ctx.render(node.value);
    const items: PlayItem[] = [...ctx.prompt(node.before)];
    try {
      items.push({ kind: 'readOut', lang: ctx.lang, text: readOut(ctx.lang, node.as, value).text });
    } catch (err) {
      // A value that cannot be read (no balance on file, a malformed date): say the rest.
      ctx.log('warn', 'IVR value cannot be read out; skipped', { as: node.as, err: (err as Error).message });
    }
    items.push(...ctx.prompt(node.after));
    ctx.play(items, node.bargeIn ?? true);
  },
  playEnded(ctx, node) {
    ctx.goto(node.next);
  },
};
