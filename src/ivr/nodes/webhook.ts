/** `webhook`: POST the body to a URL, within `timeoutS`; a JSON object answer's fields become
 * `<into>.<field>` (and `<into>.status`); a failure or timeout goes to `onError`. */
import type { WebhookNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { setRecord } from './records.ts';

export const webhook: NodeStep<WebhookNode> = {
  enter(ctx, node) {
    const body: Record<string, string> = {};
    for (const [k, t] of Object.entries(node.body ?? {})) body[k] = ctx.render(t);
    ctx.request({ kind: 'webhook', url: ctx.render(node.url), body, timeoutMs: node.timeoutS * 1000 });
  },
  result(ctx, node, ok, value, error) {
    if (!ok) {
      ctx.log('warn', 'IVR webhook failed', { error });
      ctx.goto(node.onError);
      return;
    }
    if (node.into && value) setRecord(ctx.vars, node.into, value);
    ctx.goto(node.next);
  },
};
