/**
 * Recording policies over the simulator with the real daemon: a call in each policy mode
 * (services: the demo's sales queue; numbers: 13800000002; agents: a1010; all: a policy made over
 * the admin API) is recorded — one row, closed with the file's bytes and sha256 — and a call no
 * policy covers is not, with the decision `noPolicy` on its call row.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken } from '../helpers/acd.ts';
import { answeredCall, callRow, closedRecording, recordingRows, sleep } from '../helpers/recording-capture.ts';
import { eventually, startWorld, type World } from '../helpers/world.ts';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => w?.close());

const policyId = (name: string) => (w.daemon.storage.sqlite.prepare('SELECT id FROM recording_policies WHERE name = ?').get(name) as { id: number }).id;

async function talkAndHangUp(simCallId: string): Promise<void> {
  await sleep(300);
  await w.simApi('POST', `/sim/calls/${simCallId}/hangup`);
}

it('services: a call through the sales queue is recorded by the demo policy', async () => {
  const a = await w.readyAgent('a1001');
  const { callId, simCallId } = await answeredCall(w, a, '13900000001', '8000');
  await talkAndHangUp(simCallId);
  const rec = await closedRecording(w, callId);
  expect(rec).toMatchObject({ queue: 'sales', pilot: '8000', caller: '13900000001', direction: 'inbound', policy_id: policyId('demo: sales and vip queues') });
  expect(rec.duration_ms).toBeGreaterThan(200);
  expect(callRow(w, callId)).toMatchObject({ decision: 'recorded', policyId: policyId('demo: sales and vip queues'), policyVersion: 1 });
  await a.call('agent.signOut', {});
});

it('numbers: a support call from 13800000002 is recorded; agents: a support call a1010 takes is recorded', async () => {
  const b = await w.readyAgent('a1010');
  const first = await answeredCall(w, b, '13800000002', '8001');
  await talkAndHangUp(first.simCallId);
  expect((await closedRecording(w, first.callId)).policy_id).toBe(policyId('demo: regular customer 13800000002'));
  await sleep(200);
  const second = await answeredCall(w, b, '13900000777', '8001');
  await talkAndHangUp(second.simCallId);
  expect((await closedRecording(w, second.callId)).policy_id).toBe(policyId('demo: agent a1010'));
  expect(callRow(w, second.callId)).toMatchObject({ decision: 'recorded', policyId: policyId('demo: agent a1010') });
  await b.call('agent.signOut', {});
});

it('no policy: a call dialled straight to an extension is not recorded (noPolicy); all: once an "all" policy exists, it is', async () => {
  const c = await w.readyAgent('a1003');
  const first = await answeredCall(w, c, '13900000888', '2003');
  await talkAndHangUp(first.simCallId);
  await eventually(() => (callRow(w, first.callId)?.decision === 'noPolicy' ? true : null));
  expect(callRow(w, first.callId)).toMatchObject({ decision: 'noPolicy', policyId: null, policyVersion: null });
  expect(recordingRows(w, first.callId)).toEqual([]);

  const token = await adminToken(w);
  const made = await w.http('POST', '/api/v1/admin/recording-policies', { token, body: { name: 'everything', mode: 'all', priority: 1000 } });
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({ name: 'everything', mode: 'all', samplePercent: 100, priority: 1000, enabled: true, version: 1 });
  const patched = await w.http('PATCH', `/api/v1/admin/recording-policies/${made.body.id}`, { token, body: { samplePercent: 100 } });
  expect(patched.body.version).toBe(2);

  await sleep(200);
  const second = await answeredCall(w, c, '13900000889', '2003');
  await talkAndHangUp(second.simCallId);
  expect((await closedRecording(w, second.callId)).policy_version).toBe(2);
  expect(callRow(w, second.callId)).toMatchObject({ decision: 'recorded', policyId: made.body.id, policyVersion: 2 });
});

it('the admin API: closed schemas and stable 400 codes, 404, audited, delete', async () => {
  const token = await adminToken(w);
  const unknown = await w.http('POST', '/api/v1/admin/recording-policies', { token, body: { name: 'x', mode: 'all', colour: 'red' } });
  expect(unknown.status).toBe(400);
  expect(unknown.body.error.code).toBe('BAD_REQUEST');
  const badMode = await w.http('POST', '/api/v1/admin/recording-policies', { token, body: { name: 'x', mode: 'some' } });
  expect(badMode.status).toBe(400);
  const empty = await w.http('POST', '/api/v1/admin/recording-policies', { token, body: { name: 'x', mode: 'numbers' } });
  expect(empty.status).toBe(400);
  expect(empty.body.error.details).toMatchObject({ field: 'numbers', reason: 'EMPTY_TARGETS' });
  const pct = await w.http('POST', '/api/v1/admin/recording-policies', { token, body: { name: 'x', mode: 'all', samplePercent: 101 } });
  expect(pct.status).toBe(400);
  const dup = await w.http('POST', '/api/v1/admin/recording-policies', { token, body: { name: 'demo: agent a1010', mode: 'all' } });
  expect(dup.status).toBe(409);
  const list = await w.http('GET', '/api/v1/admin/recording-policies', { token });
  expect(list.body.items.map((p: any) => p.name)).toContain('demo: support sampled');
  const agentLogin = await w.http('POST', '/api/v1/auth/login', { body: { username: 'a1001', password: 'demo-a1001' } });
  expect((await w.http('GET', '/api/v1/admin/recording-policies', { token: agentLogin.body.token })).status).toBe(403);
  const id = list.body.items.find((p: any) => p.name === 'everything').id;
  expect((await w.http('DELETE', `/api/v1/admin/recording-policies/${id}`, { token })).status).toBe(204);
  expect((await w.http('GET', `/api/v1/admin/recording-policies/${id}`, { token })).status).toBe(404);
  const audit = w.daemon.storage.repos.audit.list({ actor: 'admin' }).map((a) => a.action);
  expect(audit).toEqual(expect.arrayContaining(['recordingPolicy.create', 'recordingPolicy.update', 'recordingPolicy.delete']));
});
