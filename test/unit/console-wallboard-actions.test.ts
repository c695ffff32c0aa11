/**
 * The wallboard's small rules, from Node: which actions a row's menu offers in each state, the
 * number a row shows, the announcement's audience, today's figures as cells, and a refusal said in
 * words (console/pages/wallboard-agents.js, wallboard-queues.js, announce-form.js,
 * supervisor-actions.js).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const PAGES = join(import.meta.dirname, '..', '..', 'console');
const load = async (path: string) => (await import(pathToFileURL(join(PAGES, path)).href)) as any;
const { actionsFor, callNumber, awayLimit } = await load('pages/wallboard-agents.js');
const { percent, count } = await load('pages/wallboard-queues.js');
const { announceTarget } = await load('pages/announce-form.js');
const { readableError } = await load('pages/supervisor-actions.js');
const { ApiError } = await load('ws-client.js');
const { translate } = await load('i18n/index.js');

const agent = (state: string, calls: object[] = []) => ({ agentId: 'a1001', displayName: 'Agent 1001', extension: '2001', state, reason: null, since: 0, calls, alert: null });
const call = (state: string, extra: object = {}) => ({ callId: 'c1', state, from: '13900000001', to: '8000', queue: 'sales', direction: 'inbound', since: 0, monitoredBy: null, participation: null, ...extra });

describe('wallboard rules', () => {
  it('offers listening in and force-release only on a call talking or held, state changes only to a signed-in agent', () => {
    expect(actionsFor(agent('loggedOut'))).toEqual(['announce']);
    expect(actionsFor(agent('ready'))).toEqual(['notReady', 'loggedOut', 'announce']);
    expect(actionsFor(agent('notReady'))).toEqual(['ready', 'loggedOut', 'announce']);
    expect(actionsFor(agent('reserved', [call('alerting')]))).toEqual(['ready', 'notReady', 'loggedOut', 'announce']);
    expect(actionsFor(agent('busy', [call('connected')]))).toEqual(['silent', 'whisper', 'barge', 'releaseAgent', 'ready', 'notReady', 'loggedOut', 'announce']);
    expect(actionsFor(agent('busy', [call('hold')]))).toContain('barge');
  });

  it('shows the caller on a call that came in, the number dialled on one going out', () => {
    expect(callNumber(call('connected'), '2001')).toBe('13900000001');
    expect(callNumber(call('connected', { direction: 'outbound', from: '2001', to: '013812345678' }), '2001')).toBe('013812345678');
    // The snapshot has no direction: a call from the agent's own phone went out.
    expect(callNumber(call('connected', { direction: null, from: '2001', to: '2005' }), '2001')).toBe('2005');
  });

  it('announces to all, to chosen agents, to chosen queues; nothing chosen is no target', () => {
    expect(announceTarget('all', [], [])).toEqual({ all: true });
    expect(announceTarget('agents', ['a1001', 'a1002'], [])).toEqual({ agentIds: ['a1001', 'a1002'] });
    expect(announceTarget('agents', [], ['sales'])).toBeNull();
    expect(announceTarget('queues', [], ['sales'])).toEqual({ queues: ['sales'] });
    expect(announceTarget('queues', ['a1001'], [])).toBeNull();
  });

  it('says a team\'s away limit in minutes when whole, else in seconds', () => {
    const en = (k: string, p?: Record<string, string>) => translate('en-US', k, p);
    const zh = (k: string, p?: Record<string, string>) => translate('zh-CN', k, p);
    expect(awayLimit(en, 900)).toBe('15 min');
    expect(awayLimit(zh, 900)).toBe('15 分钟');
    expect(awayLimit(en, 1)).toBe('1 s');
    expect(awayLimit(en, 90)).toBe('90 s');
  });

  it('writes today\'s figures, a dash where there is none', () => {
    expect(percent(0.8462)).toBe('84.6%');
    expect(percent(0)).toBe('0.0%');
    expect(percent(null)).toBe('—');
    expect(percent(undefined)).toBe('—');
    expect(count(12)).toBe('12');
    expect(count(undefined)).toBe('—');
  });

  it('says a refusal in the reader\'s language, then the daemon\'s message', () => {
    const en = (k: string, p?: Record<string, string>) => translate('en-US', k, p);
    const zh = (k: string, p?: Record<string, string>) => translate('zh-CN', k, p);
    const err = new ApiError('INVALID_STATE', 'a1001 is not on a call');
    expect(readableError(en, err)).toBe("Not possible in the agent's or the call's state now (the server says: a1001 is not on a call)");
    expect(readableError(zh, err)).toBe('座席或通话当前的状态不允许此操作（服务器：a1001 is not on a call）');
    expect(readableError(en, new ApiError('PBX_REJECTED', 'switch said no'))).toBe('The switch refused it (the server says: switch said no)');
    expect(readableError(en, new ApiError('SOMETHING_NEW', ''))).toBe('It failed: SOMETHING_NEW');
  });
});
