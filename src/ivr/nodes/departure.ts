/** The nodes that end the flow say their prompt first (if any), then the call leaves. */
import type { PromptRef } from '../flow/types.ts';
import type { StepContext } from '../engine/step.ts';
import type { Departure } from '../engine/types.ts';
import type { IvrOutcome } from '../statistics/types.ts';

export function sayThenLeave(ctx: StepContext, prompt: PromptRef | undefined, departure: () => Departure, outcome: IvrOutcome): void {
  const items = ctx.prompt(prompt);
  if (items.length === 0) {
    ctx.leave(departure(), outcome);
    return;
  }
  ctx.local.leave = true;
  ctx.play(items, false);
}
