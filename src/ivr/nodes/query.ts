/** `query`: a named, parameterised query of the daemon (never SQL in a flow file); its row's
 * fields become `<into>.<field>`. */
import type { QueryNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { setRecord } from './records.ts';

export const query: NodeStep<QueryNode> = {
  enter(ctx, node) {
    const params: Record<string, string> = {};
    for (const [k, t] of Object.entries(node.params)) params[k] = ctx.render(t);
    ctx.request({ kind: 'query', query: node.query, params });
  },
  result(ctx, node, ok, value, error) {
    if (!ok) {
      ctx.log('warn', 'IVR query failed', { query: node.query, error });
      ctx.goto(node.error ?? node.notFound);
    } else if (!value) {
      ctx.goto(node.notFound);
    } else {
      setRecord(ctx.vars, node.into, value);
      ctx.goto(node.found);
    }
  },
};
