/**
 * The demo's main flow (8002) over the simulated switch, as callers meet it: every branch of the
 * contract (ivr.md "The demo centre's flows"), checked with the switch's `heard` log and where the
 * call ends up. The switch and the flow timers run 20× faster; the heard log keeps real lengths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type World } from '../helpers/world.ts';
import { heard, ivrWorld, portsIdle, press, waitAt, waitGone, waitHeard, waitRecording } from '../helpers/ivr.ts';

let w: World;
beforeAll(async () => {
  w = await ivrWorld();
}, 60_000);
afterAll(async () => w?.close());

const REGULAR = '13800000002';
const VIP = '13800000001';
const UNKNOWN = '13900000009';

describe('main flow', () => {
  it('no key at the language choice: Mandarin; 1 → sales queue, announced', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, '业务咨询请按一');
    await press(w, id, '1');
    await waitAt(w, id, '8900');
    const items = await heard(w, id);
    expect(items[0]!.text).toContain('欢迎致电');
    expect(items.some((i) => i.text?.includes('正在为您转接业务咨询'))).toBe(true);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('2 at the language choice: English; 2 → support queue', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    await waitHeard(w, id, 'For sales, press one');
    await press(w, id, '2');
    await waitAt(w, id, '8901');
    expect((await heard(w, id)).some((i) => i.text === 'Connecting you to technical support, please hold.')).toBe(true);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('a VIP caller hears the VIP greeting and goes straight to queue vip, without the menu', async () => {
    const id = await w.dial(VIP, '8002');
    await waitAt(w, id, '8902', 15_000);
    const texts = (await heard(w, id)).map((i) => i.text ?? '');
    expect(texts.some((t) => t.includes('尊敬的贵宾客户'))).toBe(true);
    expect(texts.some((t) => t.includes('业务咨询请按一'))).toBe(false);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('3 for a known caller: the balance read as money, then the menu again', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '1');
    await waitHeard(w, id, '业务咨询请按一');
    await press(w, id, '3');
    const items = await waitHeard(w, id, '业务咨询请按一', 2);
    const texts = items.map((i) => i.text ?? '');
    expect(texts).toContain('五角');
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('3 for an unknown caller: the customer number keyed with #, its balance; a number not on file: not found', async () => {
    const id = await w.dial(UNKNOWN, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    await waitHeard(w, id, 'For sales, press one');
    await press(w, id, '3');
    await waitHeard(w, id, 'customer number');
    await press(w, id, '10000003#');
    await waitHeard(w, id, 'For sales, press one', 2);
    expect((await heard(w, id)).map((i) => i.text)).toContain('twenty thousand dollars');
    await press(w, id, '3');
    await waitHeard(w, id, 'customer number', 2);
    await press(w, id, '99999999#');
    await waitHeard(w, id, 'For sales, press one', 3);
    const texts = (await heard(w, id)).map((i) => i.text ?? '');
    expect(texts.some((t) => /not find|not found|no account/i.test(t))).toBe(true);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('three invalid keys: the error prompt twice, then goodbye and the call is cleared', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    for (let n = 1; n <= 3; n++) {
      await waitHeard(w, id, 'For sales, press one', n);
      await press(w, id, '7');
    }
    await waitGone(w, id);
    const texts = (await heard(w, id)).map((i) => i.text ?? '');
    expect(texts.filter((t) => t.startsWith('Sorry, that is not a valid choice'))).toHaveLength(2);
    expect(texts.at(-1)).toBe('Thank you for calling. Goodbye.');
  });

  it('three silences: the menu three times, then the sales queue (nobody is hung up on for silence)', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    await waitAt(w, id, '8900', 20_000);
    const texts = (await heard(w, id)).map((i) => i.text ?? '');
    expect(texts.filter((t) => t.startsWith('For sales, press one'))).toHaveLength(3);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('9: a voicemail for mailbox 8120, recorded until #, stored with caller and duration', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    await waitHeard(w, id, 'For sales, press one');
    await press(w, id, '9');
    await eventually(async () => (await heard(w, id)).some((i) => i.kind === 'tone'));
    await waitRecording(w, id);
    await press(w, id, '#');
    await waitGone(w, id);
    const vm = await eventually(() => w.daemon.storage.repos.voicemails.list({}).items.find((v) => v.caller === REGULAR));
    expect(vm.mailbox).toBe('8120');
    expect(vm.durationMs).toBeGreaterThan(0);
    expect(vm.bytes).toBeGreaterThan(44);
    expect((await heard(w, id)).at(-1)!.text).toMatch(/thank/i);
  });

  it('* goes back to the language choice; 0 says the menu again', async () => {
    const id = await w.dial(REGULAR, '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '2');
    await waitHeard(w, id, 'For sales, press one');
    await press(w, id, '0');
    await waitHeard(w, id, 'For sales, press one', 2);
    await press(w, id, '*');
    await waitHeard(w, id, 'For English', 2);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('while waiting in the queue the caller hears music and, every 30 s, the position and estimated wait', async () => {
    const id = await w.dial('13900000321', '8002');
    await waitHeard(w, id, 'For English');
    await press(w, id, '1');
    await waitHeard(w, id, '业务咨询请按一');
    await press(w, id, '1');
    await waitAt(w, id, '8900');
    // Nobody is signed in: the router cannot estimate; the message says so without a number.
    const items = await waitHeard(w, id, '请您耐心等待', 1, 10_000);
    const at = items.findIndex((i) => i.text?.includes('请您耐心等待'));
    expect(items[at]!.text).toMatch(/^您(是下一位|前面还有.+位客户)，坐席正忙，请您耐心等待。$/);
    expect(items.slice(0, at).some((i) => i.kind === 'music')).toBe(true);
    // About 30 s (real time, 1.5 s here) of music came before it.
    const music = items.slice(0, at).filter((i) => i.kind === 'music').reduce((a, i) => a + i.durationMs, 0);
    expect(music).toBeGreaterThan(20_000);
    await w.simApi('POST', `/sim/calls/${id}/hangup`);
  });

  it('a caller hanging up in a prompt, a menu, a collect, a recording, a read-out and a queue prompt frees the port every time', async () => {
    const stops: ((id: string) => Promise<void>)[] = [
      async (id) => void (await waitHeard(w, id, '欢迎致电')),
      async (id) => {
        await waitHeard(w, id, 'For English');
        await press(w, id, '2');
        await waitHeard(w, id, 'For sales, press one');
      },
      async (id) => {
        await waitHeard(w, id, 'For English');
        await press(w, id, '2');
        await waitHeard(w, id, 'For sales, press one');
        await press(w, id, '3');
        await waitHeard(w, id, 'customer number');
        await press(w, id, '123');
      },
      async (id) => {
        await waitHeard(w, id, 'For English');
        await press(w, id, '2');
        await waitHeard(w, id, 'For sales, press one');
        await press(w, id, '9');
        await eventually(async () => (await heard(w, id)).some((i) => i.kind === 'tone'));
      },
      // a say node (the balance read out) and a queue node's prompt
      async (id) => {
        await waitHeard(w, id, 'For English');
        await press(w, id, '2');
        await waitHeard(w, id, 'For sales, press one');
        await press(w, id, '3');
        await waitHeard(w, id, 'customer number');
        await press(w, id, '10000003#');
        await waitHeard(w, id, 'twenty thousand');
      },
      async (id) => {
        await waitHeard(w, id, 'For English');
        await press(w, id, '2');
        await waitHeard(w, id, 'For sales, press one');
        await press(w, id, '1');
        await waitHeard(w, id, 'Connecting you to sales');
      },
    ];
    for (const reach of stops) {
      const id = await w.dial(UNKNOWN, '8002');
      await reach(id);
      await w.simApi('POST', `/sim/calls/${id}/hangup`);
      await waitGone(w, id);
    }
    await eventually(() => portsIdle(w));
  });
});
