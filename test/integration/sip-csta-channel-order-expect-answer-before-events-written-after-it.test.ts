/**
 * Order over the SIP/CSTA channel: an event the switch writes after an answer (which rides in the
 * 200 OK of the request's INFO) reaches the CTI after that answer, as over one Annex G stream —
 * also over TCP, where both may arrive in one read (direct, and through a recording relay).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rootElementName } from '../../src/pbx-adapters/csta/transport/csta-sip-body.ts';
import { EVENT_INVOKE_ID } from '../../src/pbx-adapters/csta/transport/sip-channel.ts';
import { answerSystemStatus, field, openPair, TRANSPORTS, xml, type Pair } from '../helpers/sip-csta-pair.ts';

let p: Pair | null = null;
afterEach(async () => { await p?.close(); p = null; });

describe.each(TRANSPORTS)('order over %s', (transport) => {
  it.each([false, true])('an event the switch wrote AFTER an answer reaches the CTI after it (tap %s)', async (tap) => {
    p = await openPair(transport, {
      tap,
      onSwitchMessage: (rec, id, doc) => {
        if (answerSystemStatus(rec, id, doc)) return;
        rec.channel.send(id, xml.monitorStartResponse(field(doc, 'deviceObject')!)); // rides in the 200 OK
        rec.channel.send(EVENT_INVOKE_ID, xml.event(1)); // an INFO written after it
      },
    });
    p.cti.channel.send(7, xml.monitorStart('201'));
    await p.cti.until(() => p!.cti.messages.length === 2, 'answer and event');
    expect(p.cti.messages.map((m) => `${m.invokeId} ${rootElementName(m.xml)}`)).toEqual(['7 MonitorStartResponse', '9999 DeliveredEvent']);
  });
});
