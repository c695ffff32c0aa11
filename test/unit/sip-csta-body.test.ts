/** What the SIP/CSTA channel reads of a CSTA body without parsing it (csta-sip-body.ts): the root
 * element, its namespace, answer/event/request, which request an answer in an INFO is for, and
 * the invoke ids it gives the peer's requests. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AwaitingAnswers,
  ECMA_323_NS,
  expectsAnswer,
  InvokeIds,
  isAnswer,
  isEvent,
  rootElementName,
  rootNamespace,
} from '../../src/pbx-adapters/csta/transport/csta-sip-body.ts';

const NS5 = 'http://www.ecma-international.org/standards/ecma-323/csta/ed5';

describe('rootElementName', () => {
  it.each([
    ['<MonitorStart/>', 'MonitorStart'],
    ['<MonitorStart xmlns="x"><a/></MonitorStart>', 'MonitorStart'],
    ['<MonitorStart>', 'MonitorStart'],
    ['  \r\n\t<MonitorStart/>', 'MonitorStart'],
    ['\uFEFF<MonitorStart/>', 'MonitorStart'],
    ['\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<SnapshotDevice/>', 'SnapshotDevice'],
    ['<?xml version="1.0"?><?xml-stylesheet href="a.xsl"?><RouteRequest/>', 'RouteRequest'],
    ['<!-- a comment with <Fake/> inside --><MakeCall/>', 'MakeCall'],
    ['<?xml version="1.0"?>\n<!-- one -->\n<!-- two -->\n<MakeCall/>', 'MakeCall'],
    ['<!DOCTYPE MonitorStart SYSTEM "csta.dtd"><MonitorStart/>', 'MonitorStart'],
    ['<csta:MonitorStartResponse xmlns:csta="x"/>', 'MonitorStartResponse'],
    ['<a.b-c:Delivered_Event.x-y/>', 'Delivered_Event.x-y'],
    ['<_Private/>', '_Private'],
  ])('%j → %s', (xml, name) => {
    expect(rootElementName(xml)).toBe(name);
  });

  it.each([
    ['', 'empty'],
    ['   ', 'whitespace only'],
    ['hello <MonitorStart/>', 'text before the root'],
    ['<?xml version="1.0"', 'an unterminated prolog'],
    ['<!-- never ends <MonitorStart/>', 'an unterminated comment'],
    ['<!DOCTYPE x', 'an unterminated doctype'],
    ['<1abc/>', 'a name starting with a digit'],
    ['< MonitorStart/>', 'a space after <'],
    ['<?xml version="1.0"?>', 'a prolog and nothing else'],
  ])('%j → null (%s)', (xml) => {
    expect(rootElementName(xml)).toBeNull();
  });
});

describe('rootNamespace', () => {
  it('the default namespace of an unprefixed root, either quote', () => {
    expect(rootNamespace(`<MonitorStart xmlns="${NS5}"/>`)).toBe(NS5);
    expect(rootNamespace(`<MonitorStart xmlns='${NS5}'><x xmlns="other"/></MonitorStart>`)).toBe(NS5);
    expect(rootNamespace(`<?xml version="1.0"?><!-- c --><MonitorStart a="1" xmlns = "${NS5}">`)).toBe(NS5);
  });

  it('a prefixed root: the namespace bound to its own prefix, not the default one', () => {
    expect(rootNamespace(`<csta:MonitorStart xmlns="default" xmlns:csta="${NS5}"/>`)).toBe(NS5);
    expect(rootNamespace(`<csta:MonitorStart xmlns:other="x" xmlns="${NS5}"/>`)).toBeNull();
  });

  it('null when there is no root or no declaration on it', () => {
    expect(rootNamespace('<MonitorStart/>')).toBeNull();
    expect(rootNamespace('<MonitorStart><a xmlns="x"/></MonitorStart>')).toBeNull();
    expect(rootNamespace('no xml')).toBeNull();
    expect(rootNamespace('')).toBeNull();
  });

  it('ECMA_323_NS matches any edition and nothing else', () => {
    expect(ECMA_323_NS.test(NS5)).toBe(true);
    expect(ECMA_323_NS.test('http://www.ecma-international.org/standards/ecma-323/csta/ed3')).toBe(true);
    expect(ECMA_323_NS.test('http://www.ecma-international.org/standards/ecma-323/csta/ed')).toBe(false);
    expect(ECMA_323_NS.test(`${NS5}/extra`)).toBe(false);
    expect(ECMA_323_NS.test('https://www.ecma-international.org/standards/ecma-323/csta/ed5')).toBe(false);
  });
});

describe('isAnswer, isEvent, expectsAnswer', () => {
  it.each([
    ['MonitorStartResponse', true, false, false],
    ['MakeCallPosResponse', true, false, false],
    ['MakeCallNegResponse', true, false, false],
    ['CSTAErrorCode', true, false, false],
    ['DeliveredEvent', false, true, false],
    ['ConnectionClearedEvent', false, true, false],
    ['MonitorStart', false, false, true],
    ['RequestSystemStatus', false, false, true],
    ['SystemStatus', false, false, true],
    // requests that get no CSTA answer (the routeing dialogue goes on in requests): an empty 200 OK is all
    ['RouteRequest', false, false, false],
    ['RouteSelect', false, false, false],
    ['RouteSelectRequest', false, false, false],
    ['RouteEnd', false, false, false],
    ['RouteEndRequest', false, false, false],
    ['RouteReject', false, false, false],
    // near misses
    ['ResponseTime', false, false, true],
    ['EventReport', false, false, true],
    ['CSTAErrorCodeX', false, false, true],
  ])('%s: answer %s, event %s, expects an answer %s', (root, answer, event, expects) => {
    expect(isAnswer(root)).toBe(answer);
    expect(isEvent(root)).toBe(event);
    expect(expectsAnswer(root)).toBe(expects);
  });
});

describe('AwaitingAnswers', () => {
  it('an answer goes to the oldest request of its type, Response / PosResponse / NegResponse alike, and is taken once', () => {
    const a = new AwaitingAnswers();
    a.add(7, 'MonitorStart', 1_000);
    a.add(8, 'SnapshotDevice', 1_001);
    a.add(9, 'MonitorStart', 1_002);
    a.add(10, 'MakeCall', 1_003);
    a.add(11, 'MakeCall', 1_004);
    expect(a.size).toBe(5);
    expect(a.take('SnapshotDeviceResponse')).toBe(8);
    expect(a.take('MonitorStartResponse')).toBe(7);
    expect(a.take('MonitorStartResponse')).toBe(9);
    expect(a.take('MonitorStartResponse')).toBeNull();
    expect(a.take('MakeCallNegResponse')).toBe(10);
    expect(a.take('MakeCallPosResponse')).toBe(11);
    expect(a.size).toBe(0);
  });

  it('a CSTAErrorCode goes to the oldest request waiting, whatever its type', () => {
    const a = new AwaitingAnswers();
    a.add(20, 'SnapshotDevice', 1);
    a.add(21, 'MonitorStart', 2);
    expect(a.take('CSTAErrorCode')).toBe(20);
    expect(a.take('CSTAErrorCode')).toBe(21);
    expect(a.take('CSTAErrorCode')).toBeNull();
  });

  it('an answer of a type nobody waits for takes nothing', () => {
    const a = new AwaitingAnswers();
    a.add(1, 'MonitorStart', 1);
    expect(a.take('SnapshotDeviceResponse')).toBeNull();
    expect(a.take('MonitorStartXResponse')).toBeNull();
    expect(a.size).toBe(1);
  });

  it('remove drops one request (its answer came in the 200 OK); re-adding an id replaces the old entry at the end', () => {
    const a = new AwaitingAnswers();
    a.add(1, 'MonitorStart', 10);
    a.add(2, 'MonitorStart', 11);
    a.remove(1);
    expect(a.take('MonitorStartResponse')).toBe(2);
    a.add(3, 'MonitorStart', 20);
    a.add(4, 'MonitorStart', 21);
    a.add(3, 'MonitorStart', 22); // the same id reused: one entry, now the newest
    expect(a.size).toBe(2);
    expect(a.take('MonitorStartResponse')).toBe(4);
    expect(a.take('MonitorStartResponse')).toBe(3);
  });

  it('requests older than 60 s are dropped when the next is added', () => {
    const a = new AwaitingAnswers();
    a.add(1, 'MonitorStart', 0);
    a.add(2, 'MonitorStart', 59_999);
    expect(a.size).toBe(2);
    a.add(3, 'SnapshotDevice', 60_000); // 1 is 60 s old now: gone; 2 is not
    expect(a.size).toBe(2);
    expect(a.take('MonitorStartResponse')).toBe(2);
  });

  it('gives the same answers as a plain list scanned in order, over any run of adds, removes and takes', () => {
    /** The first implementation: a list, filtered on every add and remove, scanned on take. */
    class Reference {
      list: { invokeId: number; root: string; at: number }[] = [];
      add(invokeId: number, root: string, now: number) {
        this.list = this.list.filter((w) => now - w.at < 60_000 && w.invokeId !== invokeId);
        this.list.push({ invokeId, root, at: now });
      }
      remove(invokeId: number) {
        this.list = this.list.filter((w) => w.invokeId !== invokeId);
      }
      take(answer: string) {
        const base = answer === 'CSTAErrorCode' ? null : answer.replace(/(PosResponse|NegResponse|Response)$/, '');
        const at = this.list.findIndex((w) => base === null || w.root === base);
        return at < 0 ? null : this.list.splice(at, 1)[0]!.invokeId;
      }
    }
    const roots = ['MonitorStart', 'MakeCall', 'SnapshotDevice'];
    const answers = ['MonitorStartResponse', 'MakeCallPosResponse', 'SnapshotDeviceResponse', 'CSTAErrorCode', 'AnswerCallResponse'];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('add' as const), id: fc.integer({ min: 1, max: 12 }), root: fc.constantFrom(...roots), dt: fc.integer({ min: 0, max: 30_000 }) }),
            fc.record({ op: fc.constant('remove' as const), id: fc.integer({ min: 1, max: 12 }) }),
            fc.record({ op: fc.constant('take' as const), answer: fc.constantFrom(...answers) }),
          ),
          { maxLength: 200 },
        ),
        (ops) => {
          const a = new AwaitingAnswers();
          const r = new Reference();
          let now = 0;
          for (const o of ops) {
            if (o.op === 'add') {
              now += o.dt;
              a.add(o.id, o.root, now);
              r.add(o.id, o.root, now);
            } else if (o.op === 'remove') {
              a.remove(o.id);
              r.remove(o.id);
            } else expect(a.take(o.answer)).toBe(r.take(o.answer));
            expect(a.size).toBe(r.list.length);
          }
          expect(a.clear()).toEqual(r.list.map((w) => w.invokeId));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('clear returns the ids left, oldest first, and empties it', () => {
    const a = new AwaitingAnswers();
    a.add(5, 'A', 1);
    a.add(3, 'B', 2);
    a.add(9, 'C', 3);
    expect(a.clear()).toEqual([5, 3, 9]);
    expect(a.size).toBe(0);
    expect(a.take('CSTAErrorCode')).toBeNull();
  });
});

describe('InvokeIds', () => {
  it('gives 1, 2, 3… and wraps after 9998 to 1 (never 9999, the event id, nor 0)', () => {
    const ids = new InvokeIds();
    const none = new Set<number>();
    const got = Array.from({ length: 9998 }, () => ids.next(none) ?? 0);
    expect(got[0]).toBe(1);
    expect(got[9997]).toBe(9998);
    expect(new Set(got).size).toBe(9998);
    expect(Math.min(...got)).toBe(1);
    expect(Math.max(...got)).toBe(9998);
    expect(ids.next(none)).toBe(1);
    expect(ids.next(none)).toBe(2);
  });

  it('skips ids still in use, across the wrap too', () => {
    const ids = new InvokeIds();
    const inUse = new Set([1, 2, 4]);
    expect(ids.next(inUse)).toBe(3);
    expect(ids.next(inUse)).toBe(5);
    for (let i = 6; i <= 9997; i++) ids.next(inUse);
    inUse.add(9998);
    expect(ids.next(inUse)).toBe(3); // 9998, 1 and 2 in use
  });

  it('null when every id 1–9998 is in use; the next free one once one is let go', () => {
    const ids = new InvokeIds();
    const inUse = new Set(Array.from({ length: 9998 }, (_, i) => i + 1));
    expect(ids.next(inUse)).toBeNull();
    inUse.delete(4321);
    expect(ids.next(inUse)).toBe(4321);
  });
});
