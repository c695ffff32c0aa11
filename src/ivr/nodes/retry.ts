/**
 * Wrong or missing input, shared by `menu` and `collect`: count it, and either say the policy's
 * prompt and ask again (the n-th repetition with the n-th retry prompt, when the node has them) or,
 * at the policy's maximum, go to its `then` node.
 */
import type { PromptRef, RetryPolicy } from '../flow/types.ts';
import type { StepContext } from '../engine/step.ts';

export interface AskAgain {
  prompt: PromptRef;
  retryPrompts?: PromptRef[];
  bargeIn?: boolean;
}

export function failed(ctx: StepContext, kind: 'invalid' | 'timeout', policy: RetryPolicy, node: AskAgain): void {
  ctx.stat(kind);
  const count = ((ctx.local[kind] as number | undefined) ?? 0) + 1;
  ctx.local[kind] = count;
  if (count >= policy.max) {
    ctx.goto(policy.then);
    return;
  }
  const repeats = ((ctx.local.repeats as number | undefined) ?? 0) + 1;
  ctx.local.repeats = repeats;
  const again = node.retryPrompts?.length ? node.retryPrompts[Math.min(repeats, node.retryPrompts.length) - 1]! : node.prompt;
  ctx.local.phase = 'prompting';
  ctx.play([...ctx.prompt(policy.prompt), ...ctx.prompt(again)], node.bargeIn ?? true);
}
