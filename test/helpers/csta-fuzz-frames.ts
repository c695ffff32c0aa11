/**
 * Structure-aware CSTA XML frames for the CSTA fuzz test (fast-check arbitraries). A frame starts
 * as a valid ECMA-323 message of the catalogue (csta-samples.ts, with the values the caller's
 * context allows: monitor cross-references, devices, call ids), encoded by the codec, and is then
 * mutated at three levels:
 *  - the element tree: elements dropped, duplicated, reordered, renamed (typos, other messages,
 *    unknown roots), wrong types (text where a structure goes and back, letters in numbers, huge
 *    values), unknown elements, deep nesting, namespace prefixes and other editions, attributes;
 *  - the text: entity and character references (predefined, undefined, out of range, double
 *    escaped), CDATA, a DTD, comments and processing instructions, truncation, two roots, a BOM;
 *  - the bytes and the Annex G frame: invalid UTF-8, a NUL in the body, a length field that is too
 *    long or too short, a non-zero version, an invoke id that is not digits.
 * `framing: 'broken'` marks the frames the framing layer must skip (and resynchronise after).
 */
import fc from 'fast-check';
import { CSTA_NS, type CstaMessage } from '../../src/pbx-adapters/csta/protocol/catalogue.ts';
import { encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { HEADER_BYTES, MAX_FRAME_BYTES } from '../../src/pbx-adapters/csta/protocol/framing.ts';
import { escapeText } from '../../src/pbx-adapters/csta/protocol/xml.ts';
import { SAMPLES } from './csta-samples.ts';

export interface CstaFuzzContext {
  /** Message types the frames start from (keys of SAMPLES, or CSTAErrorCode). */
  types: readonly string[];
  /** Values substituted for the samples' monitor cross-references, devices and call ids. */
  monitors: readonly string[];
  devices: readonly string[];
  callIds: readonly string[];
  /** Invoke ids for frames that are not events (requests or answers). */
  invokeIds: fc.Arbitrary<number>;
  /** Share of frames (0..1) that start as events (invoke id 9999). */
  eventShare: number;
}

export interface FuzzCstaFrame {
  bytes: Buffer;
  /** The invoke id in the header, when the header is intact. */
  invokeId: number | null;
  framing: 'intact' | 'broken';
  /** The message it started from, and what was done to it. */
  base: string;
  mutations: string[];
  /** The same frame with no byte- or frame-level mutation (framing intact). */
  intact: Buffer;
}

// ------------------------------------------------------------------------ a small element tree

type XNode = { name: string; attrs: string; children: XNode[] } | { text: string; raw?: boolean };
type XElem = Extract<XNode, { name: string }>;
const isElem = (n: XNode): n is XElem => 'name' in n;

/** Parses the codec's own output (no self-closing tags, no attributes but the root's xmlns). */
function parseTree(xml: string): XElem {
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  const stack: XElem[] = [{ name: '#doc', attrs: '', children: [] }];
  for (const m of body.matchAll(/<(\/?)([A-Za-z0-9_.:-]+)([^>]*)>|([^<]+)/g)) {
    const top = stack[stack.length - 1]!;
    if (m[4] !== undefined) top.children.push({ text: m[4], raw: true });
    else if (m[1]) stack.pop();
    else {
      const el: XElem = { name: m[2]!, attrs: m[3] ?? '', children: [] };
      top.children.push(el);
      stack.push(el);
    }
  }
  return stack[0]!.children[0] as XElem;
}

function serialize(n: XNode, prefix: string): string {
  if (!isElem(n)) return n.raw ? n.text : escapeText(n.text);
  const name = prefix + n.name;
  return `<${name}${n.attrs}>${n.children.map((c) => serialize(c, prefix)).join('')}</${name}>`;
}

/** Every element under (not including) `root`, with its parent. */
function elements(root: XElem): { el: XElem; parent: XElem; index: number }[] {
  const out: { el: XElem; parent: XElem; index: number }[] = [];
  const walk = (p: XElem) =>
    p.children.forEach((c, index) => {
      if (isElem(c)) {
        out.push({ el: c, parent: p, index });
        walk(c);
      }
    });
  walk(root);
  return out;
}

function clone(n: XNode): XNode {
  return isElem(n) ? { name: n.name, attrs: n.attrs, children: n.children.map(clone) } : { ...n };
}

// ------------------------------------------------------------------------------ junk values

const JUNK_NAMES = ['Foo', 'deviceId', 'callId', 'DeliveredEvnt', 'x:y', 'connection', 'callID', 'deviceID', 'monitorCrossRefID', 'ÄÖÜ', 'a-b.c', 'CSTAErrorCode', 'SystemStatus', 'RouteRequest', 'EstablishedEvent', 'ConnectionClearedEvent', 'MakeCall', 'SnapshotDeviceResponse'];

export const junkText: fc.Arbitrary<{ text: string; raw: boolean; why: string }> = fc.oneof(
  fc.constantFrom('', ' ', '-1', '0', '00000000000000000001', '99999999999999999999999', '1.5e308', 'NaN', 'true', 'null', '𝄞', '中文', 'é', '\u0001\u0002', '\uFFFE', '\uD800').map((text) => ({ text, raw: false, why: `text ${JSON.stringify(text)}` })),
  fc.string({ maxLength: 60 }).map((text) => ({ text, raw: false, why: 'random text' })),
  fc.string({ unit: 'binary', maxLength: 30 }).map((text) => ({ text, raw: false, why: 'random unicode' })),
  fc.integer({ min: 1, max: 30_000 }).chain((n) => fc.constantFrom('x', '9', 'é', '&amp;').map((c) => ({ text: c.repeat(Math.ceil(n / c.length)), raw: c === '&amp;', why: `huge value (${n} × ${c})` }))),
  fc
    .constantFrom('&amp;', '&lt;x&gt;', '&#65;', '&#x41;', '&#0;', '&#xD800;', '&#1114112;', '&#xFFFFFFFF;', '&foo;', '&amp;#65;', '&', '&#;', '&#x;', '<![CDATA[2001]]>', '<![CDATA[<a>]]>', ']]>', '<', '>', '<!-- c -->2', '<?pi x?>')
    .map((text) => ({ text, raw: true, why: `raw ${JSON.stringify(text)}` })),
);

const badUtf8 = fc.constantFrom(
  Buffer.from([0xff]),
  Buffer.from([0xc3]),
  Buffer.from([0xc0, 0xaf]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0x80, 0x80, 0x80]),
);

// ------------------------------------------------------------------------------ mutations

type TreeMutation = (root: XElem, pick: (n: number) => number, junk: { text: string; raw: boolean; why: string }, depth: number) => string | null;

const TREE_MUTATIONS: Record<string, TreeMutation> = {
  drop(root, pick) {
    const all = elements(root);
    if (!all.length) return null;
    const t = all[pick(all.length)]!;
    t.parent.children.splice(t.parent.children.indexOf(t.el), 1);
    return `drop ${t.el.name}`;
  },
  duplicate(root, pick) {
    const all = elements(root);
    if (!all.length) return null;
    const t = all[pick(all.length)]!;
    t.parent.children.splice(t.parent.children.indexOf(t.el), 0, clone(t.el));
    return `duplicate ${t.el.name}`;
  },
  reorder(root, pick) {
    const parents = [root, ...elements(root).map((e) => e.el)].filter((e) => e.children.length > 1);
    if (!parents.length) return null;
    const p = parents[pick(parents.length)]!;
    p.children.reverse();
    const a = pick(p.children.length);
    p.children.push(...p.children.splice(a, 1));
    return `reorder children of ${p.name}`;
  },
  wrongText(root, pick, junk) {
    const leaves = elements(root).filter((e) => e.el.children.every((c) => !isElem(c)));
    if (!leaves.length) return null;
    const t = leaves[pick(leaves.length)]!;
    t.el.children = [{ text: junk.text, raw: junk.raw }];
    return `${t.el.name}: ${junk.why}`;
  },
  structureForText(root, pick) {
    const leaves = elements(root).filter((e) => e.el.children.every((c) => !isElem(c)));
    if (!leaves.length) return null;
    const t = leaves[pick(leaves.length)]!;
    t.el.children = [{ name: 'deviceIdentifier', attrs: '', children: [{ text: '2006' }] }, { name: 'callID', attrs: '', children: [] }];
    return `${t.el.name}: elements where text goes`;
  },
  textForStructure(root, pick, junk) {
    const inner = elements(root).filter((e) => e.el.children.some(isElem));
    if (!inner.length) return null;
    const t = inner[pick(inner.length)]!;
    t.el.children = [{ text: junk.text, raw: junk.raw }];
    return `${t.el.name}: text where elements go (${junk.why})`;
  },
  rename(root, pick) {
    const all = [root, ...elements(root).map((e) => e.el)];
    const el = all[pick(all.length)]!;
    const to = JUNK_NAMES[pick(JUNK_NAMES.length)]!;
    const was = el.name;
    el.name = to;
    return `rename ${was} → ${to}`;
  },
  unknownElement(root, pick) {
    const all = [root, ...elements(root).map((e) => e.el)];
    const p = all[pick(all.length)]!;
    p.children.splice(pick(p.children.length + 1), 0, { name: 'vendorThing', attrs: ' a="1"', children: [{ name: 'x', attrs: '', children: [{ text: 'y' }] }] });
    return `unknown element in ${p.name}`;
  },
  deep(root, pick, _junk, depth) {
    const all = [root, ...elements(root).map((e) => e.el)];
    const p = all[pick(all.length)]!;
    // Raw text, not a tree: the fuzzer's own walks stay shallow.
    p.children.push({ text: `${'<d>'.repeat(depth)}leaf${'</d>'.repeat(depth)}`, raw: true });
    return `${depth} levels deep in ${p.name}`;
  },
  attributes(root, pick) {
    const all = [root, ...elements(root).map((e) => e.el)];
    const el = all[pick(all.length)]!;
    el.attrs += ' typeOfNumber="dialingNumber" xsi:nil="true" x="&amp;&lt;"';
    return `attributes on ${el.name}`;
  },
};

const TEXT_MUTATIONS: Record<string, (xml: string, at: number) => string> = {
  truncate: (xml, at) => xml.slice(0, at),
  dtd: (xml) => `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>${xml.replace(/^<\?xml[^>]*\?>/, '')}`,
  comment: (xml, at) => `${xml.slice(0, xml.indexOf('>', at) + 1)}<!-- <DeliveredEvent> -->${xml.slice(xml.indexOf('>', at) + 1)}`,
  processingInstruction: (xml) => xml.replace(/^(<\?xml[^>]*\?>)/, '$1<?switch hint="x"?>'),
  junkChars: (xml, at) => `${xml.slice(0, at)}<&]]>\u0000${xml.slice(at)}`,
  twoRoots: (xml) => `${xml}${xml.replace(/^<\?xml[^>]*\?>/, '')}`,
  bom: (xml) => `\uFEFF${xml}`,
  whitespace: (xml) => `\r\n  ${xml.replace(/></g, '>\n\t<')}  \n`,
  utf16Declaration: (xml) => xml.replace(/encoding="UTF-8"/, 'encoding="UTF-16"'),
  noDeclaration: (xml) => xml.replace(/^<\?xml[^>]*\?>/, ''),
  empty: () => '',
  notXml: () => 'HELLO SWITCH 200 OK',
};

/** Other editions' namespaces, a prefix, none. */
const NAMESPACES = [
  { ns: CSTA_NS, prefix: '' },
  { ns: 'http://www.ecma-international.org/standards/ecma-323/csta/ed3', prefix: '' },
  { ns: 'http://www.ecma-international.org/standards/ecma-323/csta/ed4', prefix: 'csta:' },
  { ns: '', prefix: '' },
  { ns: 'urn:something-else', prefix: 'x:' },
];

// ------------------------------------------------------------------------------ messages

/** A sample message of `type` with its values replaced by the context's. */
function baseMessage(type: string, ctx: CstaFuzzContext, pick: (n: number) => number): CstaMessage {
  if (type === 'CSTAErrorCode') return { type: 'CSTAErrorCode', error: { category: 'operation', value: 'invalidCallID' } };
  const sample = (SAMPLES as Record<string, object>)[type];
  if (!sample) throw new Error(`no sample for ${type}`);
  const from = (list: readonly string[], fallback: string) => (list.length ? list[pick(list.length)]! : fallback);
  const map = (key: string, v: unknown): unknown => {
    if (typeof v === 'string') {
      if (key === 'monitorCrossRefId') return from(ctx.monitors, v);
      if (key === 'callId') return from(ctx.callIds, v);
      if (/^\d{4}$/.test(v) || key.endsWith('Device') || key === 'deviceId' || key === 'device' || key === 'agentDevice' || key === 'endpoint') return v === '' ? v : from(ctx.devices, v);
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => map(key, x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, map(k, x)]));
    return v;
  };
  return { type, ...(map('', sample) as object) } as CstaMessage;
}

function header(version: number, length: number, invokeId: string): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeUInt16BE(version, 0);
  h.writeUInt16BE(length & 0xffff, 2);
  h.write(invokeId.slice(0, 4).padEnd(4, ' '), 4, 4, 'latin1');
  return h;
}

/** `arb` once in `n` draws, else null. */
const rarely = <T>(arb: fc.Arbitrary<T>, n: number): fc.Arbitrary<T | null> => fc.oneof({ weight: n - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });

/** A mutated CSTA frame for the context (see the module comment). */
export function cstaFrame(ctx: CstaFuzzContext): fc.Arbitrary<FuzzCstaFrame> {
  return fc
    .record({
      type: fc.constantFrom(...ctx.types),
      event: fc.integer({ min: 0, max: 999 }).map((x) => x / 1000), // uniform (fc.double favours the edges)
      invokeId: ctx.invokeIds,
      picks: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
      tree: fc.array(fc.constantFrom(...Object.keys(TREE_MUTATIONS)), { maxLength: 3 }),
      junk: fc.array(junkText, { minLength: 3, maxLength: 3 }),
      depth: fc.oneof(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 500, max: 8000 })),
      namespace: fc.constantFrom(...NAMESPACES.keys()),
      text: rarely(fc.constantFrom(...Object.keys(TEXT_MUTATIONS)), 3),
      textAt: fc.integer({ min: 0, max: 999 }).map((x) => x / 1000),
      utf8: rarely(fc.tuple(badUtf8, fc.integer({ min: 0, max: 999 }).map((x) => x / 1000)), 12),
      framing: rarely(
        fc.oneof(
          fc.integer({ min: 1, max: 2000 }).map((d) => ({ kind: 'length+', d })),
          fc.integer({ min: 1, max: 200 }).map((d) => ({ kind: 'length-', d })),
          fc.constantFrom(0, 7, 8, 65535).map((d) => ({ kind: 'length=', d })),
          fc.integer({ min: 1, max: 65535 }).map((d) => ({ kind: 'version', d })),
          fc.constantFrom('ABCD', '12 4', '-001', '\u0000\u0000\u0000\u0000', '99x9').map((s) => ({ kind: 'invokeId', d: 0, s })),
          fc.constant({ kind: 'nul', d: 0 }),
        ),
        10,
      ),
    })
    .map((r) => {
      let k = 0;
      const pick = (n: number) => (n <= 0 ? 0 : r.picks[k++ % r.picks.length]! % n);
      const mutations: string[] = [];
      const msg = baseMessage(r.type, ctx, pick);
      const root = parseTree(encodeMessage(msg));
      let j = 0;
      for (const m of r.tree) {
        const done = TREE_MUTATIONS[m]!(root, pick, r.junk[j++ % r.junk.length]!, r.depth);
        if (done) mutations.push(done);
      }
      const ns = NAMESPACES[r.namespace]!;
      if (r.namespace !== 0) mutations.push(`namespace ${JSON.stringify(ns.ns)} prefix ${JSON.stringify(ns.prefix)}`);
      const xmlns = ns.ns ? ` xmlns${ns.prefix ? `:${ns.prefix.slice(0, -1)}` : ''}="${ns.ns}"` : '';
      root.attrs = root.attrs.replace(/ xmlns="[^"]*"/, '') + xmlns;
      let xml = `<?xml version="1.0" encoding="UTF-8"?>${serialize(root, ns.prefix)}`;
      if (r.text) {
        xml = TEXT_MUTATIONS[r.text]!(xml, Math.floor(r.textAt * xml.length));
        mutations.push(`text: ${r.text}`);
      }
      let body = Buffer.from(xml, 'utf8');
      if (body.length > MAX_FRAME_BYTES - HEADER_BYTES) {
        body = body.subarray(0, MAX_FRAME_BYTES - HEADER_BYTES);
        mutations.push('cut to one frame');
      }
      const invokeId = r.event < ctx.eventShare ? 9999 : r.invokeId;
      const id = String(invokeId).padStart(4, '0');
      // A NUL (from junk text) is a frame boundary to the decoder: the intact variant has none.
      const clean = Buffer.from(body.map((b) => (b === 0 ? 0x20 : b)));
      const intact = Buffer.concat([header(0, HEADER_BYTES + clean.length, id), clean]);
      let bodyOut = body;
      let framing: FuzzCstaFrame['framing'] = body.includes(0) ? 'broken' : 'intact';
      if (framing === 'broken') mutations.push('NUL in the text');
      if (r.utf8) {
        const at = Math.floor(r.utf8[1] * body.length);
        bodyOut = Buffer.concat([body.subarray(0, at), r.utf8[0], body.subarray(at)]).subarray(0, MAX_FRAME_BYTES - HEADER_BYTES);
        mutations.push(`bad UTF-8 ${r.utf8[0].toString('hex')} at ${at}`);
      }
      let bytes = Buffer.concat([header(0, HEADER_BYTES + bodyOut.length, id), bodyOut]);
      let headerIntact = true;
      const f = r.framing as { kind: string; d: number; s?: string } | null;
      if (f) {
        framing = 'broken';
        headerIntact = f.kind === 'nul';
        const len = HEADER_BYTES + bodyOut.length;
        switch (f.kind) {
          case 'length+':
            bytes = Buffer.concat([header(0, Math.min(MAX_FRAME_BYTES, len + f.d), id), bodyOut]);
            if (len + f.d > MAX_FRAME_BYTES) bytes = Buffer.concat([header(0, MAX_FRAME_BYTES, id), bodyOut.subarray(0, Math.max(0, bodyOut.length - 1))]);
            break;
          case 'length-':
            bytes = Buffer.concat([header(0, Math.max(0, len - f.d), id), bodyOut]);
            break;
          case 'length=':
            bytes = Buffer.concat([header(0, f.d, id), bodyOut]);
            break;
          case 'version':
            bytes = Buffer.concat([header(f.d, len, id), bodyOut]);
            break;
          case 'invokeId':
            bytes = Buffer.concat([header(0, len, f.s!), bodyOut]);
            break;
          case 'nul': {
            const at = pick(bodyOut.length + 1);
            bytes = Buffer.concat([header(0, len + 1, id), bodyOut.subarray(0, at), Buffer.from([0]), bodyOut.subarray(at)]);
            break;
          }
        }
        mutations.push(`frame: ${f.kind}${f.d ? ` ${f.d}` : ''}${f.s ? ` ${JSON.stringify(f.s)}` : ''}`);
      }
      return { bytes, invokeId: headerIntact ? invokeId : null, framing: bytes.includes(0, HEADER_BYTES) ? 'broken' : framing, base: r.type, mutations, intact };
    });
}

/** Whether the framing layer sees a frame it can hand on (bad UTF-8 is reported by the decoder
 * but keeps the header, so the invoke id is known). */
export function hasBadUtf8(f: FuzzCstaFrame): boolean {
  return f.mutations.some((m) => m.startsWith('bad UTF-8'));
}

/** A short description for a violation report. */
export function showFrame(f: FuzzCstaFrame): string {
  const text = f.bytes.subarray(HEADER_BYTES, HEADER_BYTES + 240).toString('utf8').replace(/[\u0000-\u001f]/g, '?');
  return `${f.base} invoke ${f.invokeId ?? '-'} [${f.mutations.join('; ')}] ${JSON.stringify(text)}`;
}
