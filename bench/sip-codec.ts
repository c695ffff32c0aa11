/**
 * The SIP work the CTI does per CSTA message over SIP/CSTA, without sockets: what bench:e2e
 * `--transport sip-csta-tcp` spends in the SIP layer, measured alone so a change to the codec can
 * be judged on a busy machine (the e2e figures depend on the VM's neighbours).
 *
 *   npx tsx bench/sip-codec.ts [--n 200000] [--json]
 *
 * Rounds, each on `n` messages (an event INFO as the simulated switch sends it, ~700 bytes with a
 * CSTA body; its 200 OK; the CTI's own INFO request):
 *   - `event in`: an INFO from the switch framed off a TCP read (SipStreamParser, 8 per read),
 *     checked against the dialog (Call-ID, tags, CSeq), its server-transaction key and top Via
 *     read, answered 200 OK (responseFor) and the answer serialised: the CTI's work per event;
 *   - `request out`: the CTI's INFO built in the dialog, given its Via, serialised, and the
 *     switch's 200 OK parsed and matched by branch: the CTI's work per request.
 * Prints ops/s, the mean cost per message, and p50/p99/max of batches of 1,000 (µs per message),
 * and heap used after. See docs/performance.md.
 */
import { parseArgs } from 'node:util';
import { SipDialog } from '../src/pbx-adapters/sip/dialog.ts';
import { newBranch, newVia, parseVia, SipHeaders } from '../src/pbx-adapters/sip/headers.ts';
import { parseSipMessage, responseFor, serializeSip, SipStreamParser, type SipRequest } from '../src/pbx-adapters/sip/message.ts';
import { round, summarize } from './lib/stats.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } } });
const N = Number(values.n);
if (!Number.isInteger(N) || N < 1000) throw new Error('--n: an integer ≥ 1000');

const CALL_ID = '6f1c2a9e0b7d4c3e8a5f1b2c@192.0.2.10';
const CTI_TAG = 'a1b2c3d4e5f6';
const SWITCH_TAG = '0f9e8d7c6b5a';
const BODY = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<DeliveredEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed5">' +
    '<monitorCrossRefID>17</monitorCrossRefID><connection><callID>4711</callID><deviceID>2001</deviceID></connection>' +
    '<alertingDevice><deviceIdentifier>2001</deviceIdentifier></alertingDevice><callingDevice><deviceIdentifier>0612345678</deviceIdentifier></callingDevice>' +
    '<calledDevice><deviceIdentifier>8000</deviceIdentifier></calledDevice><lastRedirectionDevice><notKnown/></lastRedirectionDevice>' +
    '<localConnectionInfo>alerting</localConnectionInfo><cause>newCall</cause></DeliveredEvent>',
);

/** An event INFO as the switch writes it (CSeq `seq`, a fresh branch). */
function eventInfo(seq: number): Buffer {
  const h = new SipHeaders([
    ['Via', `SIP/2.0/TCP 192.0.2.20:5060;branch=${newBranch()};rport`],
    ['Max-Forwards', '70'],
    ['From', `<sip:csta@192.0.2.20:5060>;tag=${SWITCH_TAG}`],
    ['To', `<sip:cti@192.0.2.10:40000>;tag=${CTI_TAG}`],
    ['Call-ID', CALL_ID],
    ['CSeq', `${seq} INFO`],
    ['Content-Type', 'application/csta+xml'],
    ['Content-Disposition', 'signal;handling=required'],
  ]);
  return serializeSip({ kind: 'request', method: 'INFO', uri: 'sip:cti@192.0.2.10:40000;transport=tcp', headers: h, body: BODY });
}

function measure(name: string, n: number, once: (i: number) => void): { name: string; opsPerS: number; meanUs: number; p50Us: number; p99Us: number; maxUs: number } {
  for (let i = 0; i < Math.min(20_000, n); i++) once(i); // warm up
  const batches: number[] = [];
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < n; b += 1000) {
    const s = process.hrtime.bigint();
    for (let i = b; i < b + 1000; i++) once(i);
    batches.push(Number(process.hrtime.bigint() - s) / 1000 / 1000);
  }
  const totalS = Number(process.hrtime.bigint() - t0) / 1e9;
  const sum = summarize(batches);
  return { name, opsPerS: Math.round(n / totalS), meanUs: round((totalS * 1e6) / n, 3), p50Us: round(sum.p50, 3), p99Us: round(sum.p99, 3), maxUs: round(sum.max, 3) };
}

// ----------------------------------------------------------------------------- event in

const dialog = new SipDialog({
  callId: CALL_ID, localTag: CTI_TAG, remoteTag: SWITCH_TAG, localUri: 'sip:cti@192.0.2.10:40000', remoteUri: 'sip:csta@192.0.2.20:5060',
  remoteTarget: 'sip:csta@192.0.2.20:5060;transport=tcp', routeSet: [], localSeq: 1, remoteSeq: null,
});
const READ = 8;
const reads: Buffer[] = [];
for (let r = 0; r < 64; r++) reads.push(Buffer.concat(Array.from({ length: READ }, (_, k) => eventInfo(r * READ + k + 1))));
const parser = new SipStreamParser();
let sink = 0;
let seqBase = 0;
const eventIn = measure('event in (parse, admit, 200 OK)', N, (i) => {
  if (i % READ !== 0) return;
  const out = parser.push(reads[(i / READ) % reads.length]!);
  for (const m of out.messages) {
    const req = m as SipRequest;
    dialog.remoteSeq = seqBase; // the reads repeat: keep admit's CSeq check passing
    const adm = dialog.admit(req);
    if (!adm.ok) throw new Error(adm.reason);
    const top = parseVia(req.headers.getAll('Via')[0]!);
    sink += top.port ?? 0;
    sink += serializeSip(responseFor(req, 200)).length;
  }
});

// ---------------------------------------------------------------------------- request out

const local = { address: '192.0.2.10', port: 40000 };
const requestOut = measure('request out (build, serialise, parse 200 OK)', N, () => {
  const req = dialog.request('INFO', { body: BODY, contentType: 'application/csta+xml' });
  req.headers.prepend('Via', newVia('tcp', local));
  const bytes = serializeSip(req);
  sink += bytes.length;
  const ok = serializeSip(responseFor(req, 200, undefined, { toTag: SWITCH_TAG }));
  const res = parseSipMessage(ok, { requireContentLength: true });
  sink += parseVia(res.headers.getAll('Via')[0]!).params['branch'] === undefined ? 0 : 1;
});

const heapMiB = round(process.memoryUsage().heapUsed / 2 ** 20, 1);
const rows = [eventIn, requestOut];
if (values.json) {
  process.stdout.write(JSON.stringify({ n: N, bodyBytes: BODY.length, eventInfoBytes: eventInfo(1).length, rows, heapMiB }, null, 2) + '\n');
} else {
  process.stdout.write(`SIP codec benchmark: ${N} messages per round, INFO ${eventInfo(1).length} bytes (CSTA body ${BODY.length}), ${READ} INFOs per TCP read\n`);
  for (const r of rows) {
    process.stdout.write(`  ${r.name.padEnd(46)} ${String(r.opsPerS).padStart(8)} ops/s  mean ${r.meanUs} µs  batch p50 ${r.p50Us} p99 ${r.p99Us} max ${r.maxUs} µs/msg\n`);
  }
  process.stdout.write(`  heap used after ${heapMiB} MiB (sink ${sink % 10})\n`);
}
