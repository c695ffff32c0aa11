/** `lookupCustomer`: the customer whose phone number is the caller's (or `phone`); on `found` the
 * variables `<into>.customerNumber`, `.name`, `.vipLevel`, `.language`, `.balance`,
 * `.preferredAgent` are set. */
import type { LookupCustomerNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { setRecord } from './records.ts';

export const lookupCustomer: NodeStep<LookupCustomerNode> = {
  enter(ctx, node) {
    ctx.request({ kind: 'customer', phone: ctx.render(node.phone ?? '${caller}') });
  },
  result(ctx, node, ok, value) {
    if (!ok || !value) {
      ctx.goto(node.notFound);
      return;
    }
    setRecord(ctx.vars, node.into, value);
    ctx.goto(node.found);
  },
};
