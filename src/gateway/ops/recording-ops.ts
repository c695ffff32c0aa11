/** Pause and resume of a call's recording (recordings.md, "During a call"; docs/api.md). */
import { forbidden, invalidState, notFound } from '../../core/errors.ts';
import { callId, obj, type OpContext, type OpTable } from './op.ts';

/** The agent on the call, or a supervisor or admin. */
function allowed(ctx: OpContext, id: string): void {
  const { calls, presence, recording } = ctx.services;
  if (!recording) throw invalidState('recording is not available');
  const call = calls.get(id);
  if (!call) throw notFound(`no call ${id}`);
  if (ctx.session.hasRole('supervisor', 'admin')) return;
  const me = ctx.session.user.username;
  const onCall = [...call.connections.keys()].some((dev) => presence.agentAt(dev) === me);
  if (!onCall) throw forbidden(`you are not on call ${id}`);
}

export const recordingOps: OpTable = {
  'recording.pause': {
    roles: ['agent', 'supervisor', 'admin'],
    schema: obj({ callId }, ['callId']),
    handle: (ctx, d: { callId: string }) => {
      allowed(ctx, d.callId);
      return ctx.services.recording!.pause(d.callId, ctx.session.user.username);
    },
  },
  'recording.resume': {
    roles: ['agent', 'supervisor', 'admin'],
    schema: obj({ callId }, ['callId']),
    handle: (ctx, d: { callId: string }) => {
      allowed(ctx, d.callId);
      return ctx.services.recording!.resume(d.callId, ctx.session.user.username);
    },
  },
};
