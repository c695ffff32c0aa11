/**
 * Interop (a): sipp plays the SIP/CSTA switch (test/interop/scenarios/switch-uas.xml, written from
 * ECMA TR/87 and RFC 3261) and the REAL daemon is the CTI, over UDP and over TCP. The daemon opens
 * the association (INVITE, ACK), starts its session and monitors through INFOs that sipp answers
 * with the CSTA answer in the 200 OK; an agent created over the admin API signs in at 2001; sipp
 * then sends one inbound call there as INFO events, which the agent sees over WebSocket and which
 * ends as a call row. Closing the daemon sends StopApplicationSession and BYE; sipp exits 0 only
 * if every one of its checks held (docs/sip-interop.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.ts';
import { buildDaemon, type Daemon } from '../../src/daemon.ts';
import { TEST_SCRYPT } from '../../src/storage/test-support.ts';
import { freeSipPort, SippRun, waitForBound, type SipTransport, type TracedMessage } from '../helpers/sipp.ts';
import { eventually } from '../helpers/world.ts';
import { WsClient } from '../helpers/ws-client.ts';
import { TEST_OVERLOAD } from '../helpers/config.ts';

/** sipp sent its CallClearedEvent and received our 200 OK to it (its trace, written as it goes). */
function callClearedAnswered(trace: TracedMessage[]): boolean {
  const sent = trace.find((m) => m.dir === 'sent' && m.startLine.startsWith('INFO ') && m.body.includes('CallClearedEvent'));
  const cseq = sent?.headers.get('cseq');
  return cseq !== undefined && trace.some((m) => m.dir === 'received' && m.startLine.startsWith('SIP/2.0 200') && m.headers.get('cseq') === cseq);
}

const ADMIN_PASSWORD = 'interop-admin-password';
const EXT = '2001';

describe.each<SipTransport>(['udp', 'tcp'])('sipp as the SIP/CSTA switch over %s', (transport) => {
  let sipp: SippRun | null = null;
  let daemon: Daemon | null = null;
  let agent: WsClient | null = null;
  let dataDir: string | null = null;

  afterEach(async () => {
    agent?.close();
    await daemon?.close();
    sipp?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    sipp = null;
    daemon = null;
    agent = null;
    dataDir = null;
  });

  it('the daemon links up, an agent at 2001 is offered the call, it ends as a call row; sipp exits 0', { timeout: 60_000 }, async () => {
    const port = await freeSipPort();
    sipp = SippRun.start({ scenario: 'switch-uas.xml', transport, localPort: port, args: ['-nr', '-key', 'agent_ext', EXT], timeoutS: 50 });
    const run = sipp;
    await waitForBound(port, transport, run);

    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-sipp-'));
    const logLevel = process.env.TEST_LOG_LEVEL ?? 'silent';
    // A tiny directory: no demo centre and no IVR ports, so the daemon monitors only the agent's phone.
    const base = defaultConfig();
    daemon = await buildDaemon(
      defaultConfig({
        port: 0,
        dataDir,
        pbx: { kind: 'sip-csta', host: '127.0.0.1', port, transport },
        demo: false,
        adminPassword: ADMIN_PASSWORD,
        logLevel,
        ivr: { ...base.ivr, ports: [] },
        overload: TEST_OVERLOAD,
      }),
      { scrypt: TEST_SCRYPT, logger: pino({ level: logLevel, base: { side: 'daemon' } }) },
    );
    const d = daemon;
    const failedSipp = run.exited.then(() => {
      throw new Error(`sipp ended early\n${run.report()}`);
    });
    failedSipp.catch(() => undefined); // handled by the races below; sipp's normal end is awaited last
    const orSipp = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failedSipp]);

    await orSipp(eventually(() => d.pbx.linkUp, 15_000));

    const http = async (method: string, path: string, body?: object, token?: string) => {
      const res = await fetch(d.url + path, {
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };
    const admin = (await http('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).body.token as string;
    expect((await http('POST', '/api/v1/admin/users', { username: 'a1', displayName: 'Agent One', password: 'agent-one-password', roles: ['agent'] }, admin)).status).toBe(201);
    expect((await http('PATCH', '/api/v1/admin/agents/a1', { defaultExtension: EXT }, admin)).status).toBe(200);

    agent = await WsClient.login(d.wsUrl, 'a1', 'agent-one-password');
    const a = agent;
    // Signing in sends SetAgentState loggedOn: sipp's cue to ring 2001.
    await orSipp(a.call('agent.signIn', { extension: EXT }));
    const offered = await orSipp(a.waitFor('call.offered'));
    expect(offered.data).toMatchObject({ from: '0612345678', to: EXT, direction: 'inbound', state: 'alerting' });
    const callId = offered.data.callId as string;
    await orSipp(a.waitFor('call.established', (data) => data.callId === callId));
    await orSipp(a.waitFor('call.cleared', (data) => data.callId === callId));
    // The agent's call ends at the ConnectionClearedEvent of 2001; sipp still has its
    // CallClearedEvent to send, and takes a BYE only once every event was answered. Closing the
    // daemon before that answer is on sipp's side races the scenario (a CTI may stop at any time,
    // but this scenario checks the whole sequence): wait until sipp's trace has it.
    await orSipp(eventually(() => callClearedAnswered(run.messages()), 10_000));

    const row = await eventually(
      () =>
        d.storage.sqlite
          .prepare<[string], { from_number: string; to_number: string; answered_at: number | null; ended_at: number | null }>(
            'SELECT from_number, to_number, answered_at, ended_at FROM calls WHERE id = ?',
          )
          .get(callId),
      5_000,
    );
    expect(row).toMatchObject({ from_number: '0612345678', to_number: EXT });
    expect(row.answered_at).not.toBeNull();
    expect(row.ended_at).not.toBeNull();

    // Closing the daemon ends the association: StopApplicationSession, then BYE.
    a.close();
    agent = null;
    await d.close();
    daemon = null;
    const exit = await run.exited;
    expect(exit.code, run.report()).toBe(0);

    // On the wire, as sipp logged it: every request of the daemon (INFOs, BYE; an ACK has no answer)
    // got exactly one answer, a 200 OK, also when two of its INFOs were in flight at once.
    const trace = run.messages();
    const answers = new Map<string, string[]>();
    for (const m of trace.filter((m) => m.dir === 'sent' && m.startLine.startsWith('SIP/2.0 '))) {
      const cseq = m.headers.get('cseq') ?? '';
      answers.set(cseq, [...(answers.get(cseq) ?? []), m.startLine]);
    }
    const requests = trace.filter((m) => m.dir === 'received' && !m.startLine.startsWith('SIP/2.0 ') && !m.startLine.startsWith('ACK '));
    expect(requests.length).toBeGreaterThan(5);
    for (const r of requests) {
      const cseq = r.headers.get('cseq') ?? '';
      expect([cseq, answers.get(cseq)], run.report()).toEqual([cseq, ['SIP/2.0 200 OK']]);
    }
  });
});
