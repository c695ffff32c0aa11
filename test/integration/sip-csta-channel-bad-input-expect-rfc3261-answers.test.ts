/**
 * A hand-built CTI (SipEndpoint + SipTransactionLayer + SipDialog, and raw bytes) sends what a
 * SIP/CSTA switch must refuse to a SipCstaListener's dialog over real loopback UDP and TCP; each
 * gets its RFC 3261 answer (415, 481, 500, 400, 413, 405, 482; OPTIONS 200), the switch's
 * channel reports it (onIssue) where it is the dialog's, and the dialog goes on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  newBranch,
  newCallId,
  serializeSip,
  type SipRequest,
  type SipResponse,
  type SipTransportName,
} from '../../src/pbx-adapters/sip/index.ts';
import { handCti, responsesTo, startSwitch, TRANSPORTS, xml, type HandCti, type Rec, type Switch } from '../helpers/sip-csta-pair.ts';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Setup { sw: Switch; swc: Rec; cti: HandCti }

async function associate(transport: SipTransportName): Promise<Setup> {
  const sw = await startSwitch();
  const cti = await handCti(transport, sw.port).catch(async (e: unknown) => {
    await sw.close();
    throw e;
  });
  cleanup.push(() => cti.close());
  cleanup.push(() => sw.close()); // first: its BYE is answered by the hand CTI, still there
  expect(cti.final.status).toBe(200);
  const swc = await sw.channel(0);
  return { sw, swc, cti };
}

/** An in-dialog request from the hand CTI's dialog (CSeq one more), CSTA body and type unless told. */
function inDialog(cti: HandCti, method: string, opts: { body?: string; contentType?: string | null } = {}): SipRequest {
  const body = opts.body ?? (method === 'INFO' ? xml.event(1) : '');
  const ct = opts.contentType === undefined ? (body ? 'application/csta+xml' : undefined) : opts.contentType ?? undefined;
  return cti.dialog!.request(method, { body: Buffer.from(body), ...(ct !== undefined ? { contentType: ct } : {}) });
}

/** The wire bytes of a request with a Via of ours, for raw writes (and their answers by CSeq). */
function wire(cti: HandCti, req: SipRequest): string {
  const t = cti.peer.transport.toUpperCase();
  req.headers.prepend('Via', `SIP/2.0/${t} 127.0.0.1:${cti.endpoint.local.port};branch=${newBranch()};rport`);
  return serializeSip(req).toString('latin1');
}

async function rawAnswer(cti: HandCti, bytes: string | Buffer, cseq: string): Promise<SipResponse> {
  cti.endpoint.writeRaw(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, cti.peer);
  return cti.until(() => responsesTo(cti, cseq)[0], `the answer to ${cseq}`);
}

/** The dialog still works: a proper INFO is answered 200 and handed up. */
async function stillWorks(s: Setup): Promise<void> {
  const before = s.swc.messages.length;
  const res = await s.cti.layer.request(inDialog(s.cti, 'INFO', { body: xml.event(77) }), s.cti.peer);
  expect(res.status).toBe(200);
  await s.swc.until(() => s.swc.messages.length === before + 1, 'the good INFO at the switch');
  expect(s.swc.messages.at(-1)).toEqual({ invokeId: 9999, xml: xml.event(77) });
  expect(s.swc.channel.isOpen).toBe(true);
}

describe.each(TRANSPORTS)('bad input to a SIP/CSTA dialog over %s', (transport) => {
  it('INFO with a CSTA body and no Content-Type, or text/plain: 415 with Accept: application/csta+xml, onIssue sipContentType, nothing handed up', async () => {
    const s = await associate(transport);
    const none = await s.cti.layer.request(inDialog(s.cti, 'INFO', { contentType: null }), s.cti.peer);
    expect(none.status).toBe(415);
    expect(none.headers.get('Accept')).toBe('application/csta+xml');
    const plain = await s.cti.layer.request(inDialog(s.cti, 'INFO', { contentType: 'text/plain; charset=utf-8' }), s.cti.peer);
    expect(plain.status).toBe(415);
    expect(plain.headers.get('Accept')).toBe('application/csta+xml');
    expect(s.swc.issues.map((i) => [i.reason, i.detail])).toEqual([
      ['sipContentType', 'INFO with Content-Type (none)'],
      ['sipContentType', 'INFO with Content-Type text/plain'],
    ]);
    expect(s.swc.messages).toHaveLength(1); // only the INVITE's RequestSystemStatus
    // the type is matched without its parameters and case
    const upper = await s.cti.layer.request(inDialog(s.cti, 'INFO', { contentType: 'Application/CSTA+XML; charset=UTF-8' }), s.cti.peer);
    expect(upper.status).toBe(200);
    await s.swc.until(() => s.swc.messages.length === 2, 'the INFO with parameters');
    await stillWorks(s);
  });

  it('INFO with an unknown Call-ID: 481 (no dialog); with this Call-ID but a wrong From or To tag: 481 and onIssue sipOutsideDialog', async () => {
    const s = await associate(transport);
    const stranger = inDialog(s.cti, 'INFO');
    stranger.headers.set('Call-ID', newCallId('127.0.0.1'));
    const a = await s.cti.layer.request(stranger, s.cti.peer);
    expect(a.status).toBe(481);
    expect(s.swc.issues).toEqual([]); // not this dialog's business

    const wrongFrom = inDialog(s.cti, 'INFO');
    wrongFrom.headers.set('From', `<sip:handcti@127.0.0.1>;tag=not-the-tag`);
    expect((await s.cti.layer.request(wrongFrom, s.cti.peer)).status).toBe(481);
    const wrongTo = inDialog(s.cti, 'INFO');
    wrongTo.headers.set('To', `<sip:csta@127.0.0.1:${s.sw.port}>;tag=not-the-switch`);
    expect((await s.cti.layer.request(wrongTo, s.cti.peer)).status).toBe(481);
    expect(s.swc.issues.map((i) => [i.reason, i.detail])).toEqual([
      ['sipOutsideDialog', 'INFO answered 481'],
      ['sipOutsideDialog', 'INFO answered 481'],
    ]);
    expect(s.swc.messages).toHaveLength(1);
    await stillWorks(s);
  });

  it('INFO with a CSeq lower than the last: 500, onIssue sipOutOfOrder, not handed up', async () => {
    const s = await associate(transport);
    const earlier = inDialog(s.cti, 'INFO', { body: xml.event(1) }); // CSeq 2
    const later = inDialog(s.cti, 'INFO', { body: xml.event(2) }); // CSeq 3
    expect((await s.cti.layer.request(later, s.cti.peer)).status).toBe(200);
    const res = await s.cti.layer.request(earlier, s.cti.peer);
    expect(res.status).toBe(500);
    expect(res.headers.get('CSeq')).toBe('2 INFO');
    expect(s.swc.issues.map((i) => [i.reason, i.detail])).toEqual([['sipOutOfOrder', 'INFO answered 500']]);
    await s.swc.until(() => s.swc.messages.length === 2, 'the later INFO');
    expect(s.swc.messages.map((m) => m.xml).slice(1)).toEqual([xml.event(2)]);
    await stillWorks(s);
  });

  it('a header line without a colon: 400 with a Warning, onIssue sipMalformed, and the dialog goes on', async () => {
    const s = await associate(transport);
    const req = inDialog(s.cti, 'INFO');
    const bytes = wire(s.cti, req).replace('Max-Forwards: 70\r\n', 'Max-Forwards: 70\r\nthis line has no colon\r\n');
    const res = await rawAnswer(s.cti, bytes, req.headers.get('CSeq')!);
    expect(res.status).toBe(400);
    expect(res.headers.get('Warning')).toMatch(/^399 .*colon/);
    const issue = await s.swc.until(() => s.swc.issues[0], 'the issue');
    expect(issue.reason).toBe('sipMalformed');
    expect(s.swc.messages).toHaveLength(1);
    await stillWorks(s);
  });

  it('OPTIONS in the dialog: 200 with Allow (INFO, UPDATE) and Accept: application/csta+xml; outside any dialog too', async () => {
    const s = await associate(transport);
    const res = await s.cti.layer.request(inDialog(s.cti, 'OPTIONS'), s.cti.peer);
    expect(res.status).toBe(200);
    const allow = res.headers.getAll('Allow').join(',').split(',').map((m) => m.trim());
    expect(allow).toEqual(expect.arrayContaining(['INVITE', 'ACK', 'BYE', 'INFO', 'OPTIONS', 'UPDATE']));
    expect(res.headers.get('Accept')).toBe('application/csta+xml');
    const outside = inDialog(s.cti, 'OPTIONS');
    outside.headers.set('Call-ID', newCallId('127.0.0.1'));
    outside.headers.set('To', `<sip:csta@127.0.0.1:${s.sw.port}>`);
    const out = await s.cti.layer.request(outside, s.cti.peer);
    expect(out.status).toBe(200);
    expect(out.headers.get('Allow')).toContain('INFO');
    expect(out.headers.get('Accept')).toBe('application/csta+xml');
    expect(out.headers.get('Supported')).toBe('timer');
    expect(s.swc.issues).toEqual([]);
  });

  it('an unknown method in the dialog, and outside: 405 with Allow; the dialog goes on', async () => {
    const s = await associate(transport);
    const res = await s.cti.layer.request(inDialog(s.cti, 'SUBSCRIBE'), s.cti.peer);
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toContain('INFO');
    const outside = inDialog(s.cti, 'MESSAGE');
    outside.headers.set('Call-ID', newCallId('127.0.0.1'));
    outside.headers.set('To', `<sip:csta@127.0.0.1:${s.sw.port}>`);
    const out = await s.cti.layer.request(outside, s.cti.peer);
    expect(out.status).toBe(405);
    expect(out.headers.get('Allow')).toContain('INFO');
    await stillWorks(s);
  });

  it('an INFO with no body: 200, nothing handed up', async () => {
    const s = await associate(transport);
    const res = await s.cti.layer.request(inDialog(s.cti, 'INFO', { body: '' }), s.cti.peer);
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(0);
    await stillWorks(s);
    expect(s.swc.messages).toHaveLength(2); // the INVITE's and stillWorks' only
  });

  it('a second INVITE with the same Call-ID and no To tag: 482; an INVITE with a text/plain body: 415; BYE or INFO outside any dialog: 481', async () => {
    const s = await associate(transport);
    const again = await handCti(transport, s.sw.port, { callId: s.cti.dialog!.callId });
    cleanup.push(() => again.close());
    expect(again.final.status).toBe(482);
    const plain = await handCti(transport, s.sw.port, { contentType: 'text/plain', body: 'hello' });
    cleanup.push(() => plain.close());
    expect(plain.final.status).toBe(415);
    expect(plain.final.headers.get('Accept')).toBe('application/csta+xml');
    expect(s.sw.channels).toHaveLength(1);
    for (const method of ['BYE', 'INFO']) {
      const stray = inDialog(s.cti, method);
      stray.headers.set('Call-ID', newCallId('127.0.0.1'));
      expect((await s.cti.layer.request(stray, s.cti.peer)).status, method).toBe(481);
    }
    await stillWorks(s);
  });

  it('after the CTI\'s BYE, an INFO of that dialog: 481', async () => {
    const s = await associate(transport);
    expect((await s.cti.layer.request(inDialog(s.cti, 'BYE'), s.cti.peer)).status).toBe(200);
    expect(await s.swc.closed()).toBe('BYE from the CTI');
    expect((await s.cti.layer.request(inDialog(s.cti, 'INFO'), s.cti.peer)).status).toBe(481);
  });
});

describe('bad input over UDP only', () => {
  it('a bad Content-Length: 400, onIssue sipMalformed, the dialog goes on', async () => {
    const s = await associate('udp');
    const req = inDialog(s.cti, 'INFO');
    const bytes = wire(s.cti, req).replace(/Content-Length: \d+/, 'Content-Length: abc');
    const res = await rawAnswer(s.cti, bytes, req.headers.get('CSeq')!);
    expect(res.status).toBe(400);
    expect(res.headers.get('Warning')).toMatch(/Content-Length/);
    expect((await s.swc.until(() => s.swc.issues[0], 'the issue')).reason).toBe('sipMalformed');
    await stillWorks(s);
  });

  it('a retransmitted INFO (same branch): handed up once, answered twice with the same answer', async () => {
    const s = await associate('udp');
    const req = inDialog(s.cti, 'INFO', { body: xml.event(5) });
    const cseq = req.headers.get('CSeq')!;
    const bytes = Buffer.from(wire(s.cti, req), 'latin1');
    await rawAnswer(s.cti, bytes, cseq);
    s.cti.endpoint.writeRaw(bytes, s.cti.peer);
    await s.cti.until(() => responsesTo(s.cti, cseq).length === 2, 'the second answer');
    const [a, b] = responsesTo(s.cti, cseq);
    expect([a!.status, b!.status]).toEqual([200, 200]);
    expect(b!.headers.get('To')).toBe(a!.headers.get('To'));
    await stillWorks(s);
    expect(s.swc.messages.filter((m) => m.xml === xml.event(5))).toHaveLength(1);
  });
});

describe('bad input over TCP only', () => {
  it('a message over 65,535 bytes with a sound Content-Length: 413, onIssue sipTooLarge, skipped, and the flow goes on', async () => {
    const s = await associate('tcp');
    const big = inDialog(s.cti, 'INFO', { body: `<DeliveredEvent>${'x'.repeat(70_000)}</DeliveredEvent>` });
    const cseq = big.headers.get('CSeq')!;
    const headBytes = wire(s.cti, { ...big, body: Buffer.alloc(0) }).replace('Content-Length: 0', `Content-Length: ${big.body.length}`);
    const flowsBefore = s.cti.endpoint.flowCount;
    const res = await rawAnswer(s.cti, Buffer.concat([Buffer.from(headBytes, 'latin1'), big.body]), cseq);
    expect(res.status).toBe(413);
    expect((await s.swc.until(() => s.swc.issues[0], 'the issue')).reason).toBe('sipTooLarge');
    expect(s.cti.endpoint.flowCount).toBe(flowsBefore);
    await stillWorks(s);
    expect(s.swc.messages).toHaveLength(2);
  });

  it('a bad Content-Length (the stream cannot be framed): 400, then the switch closes the flow and the channel says the CTI is gone', async () => {
    const s = await associate('tcp');
    const req = inDialog(s.cti, 'INFO');
    const bytes = wire(s.cti, req).replace(/Content-Length: \d+/, 'Content-Length: -5');
    const res = await rawAnswer(s.cti, bytes, req.headers.get('CSeq')!);
    expect(res.status).toBe(400);
    expect((await s.swc.until(() => s.swc.issues[0], 'the issue')).reason).toBe('sipMalformed');
    expect(await s.swc.closed()).toMatch(/^closed by the CTI \(/);
    expect(s.sw.listener.channelCount).toBe(0);
  });
});
