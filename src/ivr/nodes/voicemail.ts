/** `voicemail`: the prompt, a beep, then the caller's message is recorded (up to `maxS`, ended by
 * `stopKey`, default #) and stored for the mailbox; a webhook announces it (the adapter). */
import type { VoicemailNode } from '../flow/types.ts';
import type { NodeStep } from '../engine/step.ts';

export const voicemail: NodeStep<VoicemailNode> = {
  enter(ctx, node) {
    ctx.local.phase = 'prompting';
    ctx.play([...ctx.prompt(node.prompt), { kind: 'tone', tone: 'beep' }], false);
  },
  playEnded(ctx, node) {
    if (ctx.local.phase !== 'prompting') return;
    ctx.local.phase = 'recording';
    ctx.request({ kind: 'record', mailbox: ctx.render(node.mailbox), maxMs: node.maxS * 1000, stopKey: node.stopKey ?? '#' });
    // From the beep on, a caller who hangs up has left a message (the adapter keeps the file).
    ctx.served('voicemail');
  },
  result(ctx, node, ok, _value, error) {
    if (!ok) ctx.log('warn', 'voicemail not recorded', { error });
    ctx.goto(node.next);
  },
};
