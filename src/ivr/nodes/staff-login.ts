/**
 * `staffLogin`: replay by phone's sign-in. The daemon checks the phone id and PIN (users with a
 * phone id and the qa, supervisor or admin role) and writes a refusal to the access ledger; the
 * node only goes to `ok` (with `<into>.user` and `<into>.name` set) or `denied`. A failed check
 * (storage down) is a refusal too: nobody gets in on an error.
 */
import type { StaffLoginNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';
import { setRecord } from './records.ts';

export const staffLogin: NodeStep<StaffLoginNode> = {
  enter(ctx, node) {
    const pin = ctx.render(node.pin);
    // The PIN is not kept in the call's variables once it is on its way to be checked.
    const held = /^\$\{([A-Za-z_][A-Za-z0-9_.]*)\}$/.exec(node.pin);
    if (held) ctx.vars.delete(held[1]!);
    ctx.request({ kind: 'staffLogin', phoneId: ctx.render(node.phoneId), pin });
  },
  result(ctx, node, ok, value, error) {
    if (ok && value && typeof value.user === 'string') {
      setRecord(ctx.vars, node.into, value);
      ctx.log('info', 'replay by phone: staff signed in', { user: value.user });
      ctx.goto(node.ok);
      return;
    }
    if (!ok) ctx.log('warn', 'replay by phone: the sign-in could not be checked', { error });
    ctx.stat('invalid');
    ctx.goto(node.denied);
  },
};
