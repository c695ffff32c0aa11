/**
 * `POST /api/v1/ivr/say` over real HTTP on the daemon (../shared/spec/ivr.md, "Read-outs"):
 * an admin gets `{text, prompts}` in both languages; a bad value is 400 BAD_REQUEST naming the
 * problem; a field the contract does not have, an unknown `as`, no token, or a role other than
 * admin are refused with their codes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminToken, supervisorToken } from '../helpers/acd.ts';
import { startWorld, type World } from '../helpers/world.ts';

let w: World;
let admin: string;
beforeAll(async () => {
  w = await startWorld();
  admin = await adminToken(w);
});
afterAll(async () => w?.close());

const say = (body: object, token: string | null = admin) => w.http('POST', '/api/v1/ivr/say', { ...(token ? { token } : {}), body });

it('reads numbers, money and dates in Mandarin and English', async () => {
  expect(await say({ lang: 'zh-CN', as: 'number', value: '100010000' })).toMatchObject({ status: 200, body: { text: '一亿零一万', prompts: ['一', '亿', '零', '一', '万'] } });
  expect((await say({ lang: 'zh-CN', as: 'money', value: '12.05' })).body.text).toBe('十二元零五分');
  expect((await say({ lang: 'zh-CN', as: 'time', value: '02:00' })).body.text).toBe('两点整');
  expect((await say({ lang: 'en-US', as: 'money', value: '1005.30' })).body).toEqual({
    text: 'one thousand five dollars and thirty cents',
    prompts: ['one', 'thousand', 'five', 'dollars', 'and', 'thirty', 'cents'],
  });
  expect((await say({ lang: 'en-US', as: 'date', value: '2026-12-01' })).body.text).toBe('tuesday december first twenty twenty-six');
});

it('answers a bad value with 400 BAD_REQUEST naming the problem', async () => {
  const r = await say({ lang: 'zh-CN', as: 'date', value: '2026-02-30' });
  expect(r.status).toBe(400);
  expect(r.body.error).toMatchObject({ code: 'BAD_REQUEST', message: '"2026-02-30" is not a date of the calendar' });
  expect((await say({ lang: 'en-US', as: 'money', value: '1.234' })).body.error.message).toMatch(/not an amount of money/);
});

it('refuses what the contract does not have, and anyone but an admin', async () => {
  expect((await say({ lang: 'fr-FR', as: 'number', value: '1' })).status).toBe(400);
  expect((await say({ lang: 'en-US', as: 'roman', value: '1' })).status).toBe(400);
  expect((await say({ lang: 'en-US', as: 'number', value: '1', voice: 'x' })).body.error).toMatchObject({ code: 'BAD_REQUEST' });
  expect((await say({ lang: 'en-US', as: 'number', value: '1' }, null)).status).toBe(401);
  const sup = await supervisorToken(w);
  expect((await say({ lang: 'en-US', as: 'number', value: '1' }, sup)).body.error).toMatchObject({ code: 'FORBIDDEN' });
});
