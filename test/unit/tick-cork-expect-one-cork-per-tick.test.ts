/** TickCork (pbx-adapters/net/tick-cork.ts): the writes of one tick leave together. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { TickCork } from '../../src/pbx-adapters/net/tick-cork.ts';

describe('TickCork', () => {
  it('corks once at the first write of a tick, uncorks on the next tick, and again in a later one', async () => {
    const calls: string[] = [];
    const socket = { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') } as unknown as net.Socket;
    const c = new TickCork(socket);
    c.hold();
    c.hold();
    c.hold();
    expect(calls).toEqual(['cork']);
    await new Promise((r) => process.nextTick(r));
    expect(calls).toEqual(['cork', 'uncork']);
    c.hold();
    expect(calls).toEqual(['cork', 'uncork', 'cork']);
    await new Promise((r) => process.nextTick(r));
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('release sends what the tick held at once; the tick\'s own uncork is then a no-op, and a later hold corks again', async () => {
    const calls: string[] = [];
    const socket = { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') } as unknown as net.Socket;
    const c = new TickCork(socket);
    c.release(); // nothing held: nothing to do
    expect(calls).toEqual([]);
    c.hold();
    c.release();
    expect(calls).toEqual(['cork', 'uncork']);
    c.hold(); // same tick, after a release: corks again, and this one's tick uncorks it
    await new Promise((r) => process.nextTick(r));
    expect(calls).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('over a real socket: three writes in one tick reach the peer in one read', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
    const client = net.connect(port, '127.0.0.1');
    await new Promise((r) => client.once('connect', r));
    const peer = await accepted;
    const reads: string[] = [];
    const got = new Promise<void>((r) => peer.on('data', (d) => (reads.push(d.toString()), reads.join('') === 'abc' && r())));
    const cork = new TickCork(client);
    for (const s of ['a', 'b', 'c']) {
      cork.hold();
      client.write(s);
    }
    await got;
    expect(reads).toEqual(['abc']);
    client.destroy();
    peer.destroy();
    await new Promise((r) => server.close(r));
  });
});
