/** Call control ops of an agent on their own phone. */
import { AppError, notFound } from '../../core/errors.ts';
import { IvrBusyError } from '../../ivr/runtime/ivr-runtime.ts';
import { AGENT, callId, obj, str, number, type OpTable } from './op.ts';

const me = (ctx: { session: { user: { username: string } } }) => ctx.session.user.username;

export const callOps: OpTable = {
  'call.make': {
    roles: AGENT,
    schema: obj({ to: number, callData: {} }, ['to']),
    handle: (ctx, d: { to: string; callData?: unknown }) => ctx.services.callControl.make(me(ctx), d.to, d.callData),
  },
  'call.answer': {
    roles: AGENT,
    schema: obj({ callId }, ['callId']),
    handle: async (ctx, d: { callId: string }) => (await ctx.services.callControl.answer(me(ctx), d.callId), {}),
  },
  'call.hangup': {
    roles: AGENT,
    schema: obj({ callId }, ['callId']),
    handle: async (ctx, d: { callId: string }) => (await ctx.services.callControl.hangup(me(ctx), d.callId), {}),
  },
  'call.hold': {
    roles: AGENT,
    schema: obj({ callId }, ['callId']),
    handle: async (ctx, d: { callId: string }) => (await ctx.services.callControl.hold(me(ctx), d.callId), {}),
  },
  'call.retrieve': {
    roles: AGENT,
    schema: obj({ callId }, ['callId']),
    handle: async (ctx, d: { callId: string }) => (await ctx.services.callControl.retrieve(me(ctx), d.callId), {}),
  },
  'call.consult': {
    roles: AGENT,
    schema: obj({ callId, to: number }, ['callId', 'to']),
    handle: (ctx, d: { callId: string; to: string }) => ctx.services.callControl.consult(me(ctx), d.callId, d.to),
  },
  'call.transfer': {
    roles: AGENT,
    schema: { ...obj({ callId, to: number, consultCallId: callId }, ['callId']), oneOf: [{ required: ['to'] }, { required: ['consultCallId'] }] },
    handle: async (ctx, d: { callId: string; to?: string; consultCallId?: string }) => (await ctx.services.callControl.transfer(me(ctx), d.callId, d), {}),
  },
  'call.conference': {
    roles: AGENT,
    schema: obj({ callId, consultCallId: callId }, ['callId', 'consultCallId']),
    handle: async (ctx, d: { callId: string; consultCallId: string }) => (await ctx.services.callControl.conference(me(ctx), d.callId, d.consultCallId), {}),
  },
  'call.sendDigits': {
    roles: AGENT,
    schema: obj({ callId, digits: { type: 'string', pattern: '^[0-9*#A-D]{1,64}$' } }, ['callId', 'digits']),
    handle: async (ctx, d: { callId: string; digits: string }) => (await ctx.services.callControl.sendDigits(me(ctx), d.callId, d.digits), {}),
  },
  'call.setData': {
    roles: ['agent', 'supervisor', 'admin'],
    schema: obj({ callId, data: {} }, ['callId', 'data']),
    handle: (ctx, d: { callId: string; data: unknown }) => {
      ctx.services.callControl.setData(me(ctx), d.callId, d.data, ctx.session.hasRole('supervisor', 'admin'));
      return {};
    },
  },
  'call.getData': {
    roles: ['agent', 'supervisor', 'admin'],
    schema: obj({ callId }, ['callId']),
    handle: (ctx, d: { callId: string }) => ({ callId: d.callId, data: ctx.services.callControl.getData(me(ctx), d.callId, ctx.session.hasRole('supervisor', 'admin')) }),
  },
  'call.toIvr': {
    roles: AGENT,
    schema: obj({ callId, flow: str(64), returnTo: str(64) }, ['callId', 'flow']),
    handle: async (ctx, d: { callId: string; flow: string; returnTo?: string }) => {
      const { calls, callControl, directory, ivr } = ctx.services;
      if (!calls.get(d.callId)) throw notFound(`no call ${d.callId}`);
      if (!ivr?.hasFlow(d.flow)) throw notFound(`no IVR flow named ${d.flow}`);
      const returnTo = d.returnTo ?? me(ctx);
      if (!directory.agent(returnTo)) throw notFound(`no agent ${returnTo} to return the caller to`);
      const conn = callControl.connectionOf(me(ctx), d.callId, ['connected', 'hold']);
      try {
        const { port } = await callControl.command(ivr.sendToFlow(conn, d.flow, returnTo));
        return { callId: d.callId, flow: d.flow, returnTo, port };
      } catch (err) {
        if (err instanceof IvrBusyError) throw new AppError('CONFLICT', 'every IVR port is busy; try again shortly');
        throw err;
      }
    },
  },
};
