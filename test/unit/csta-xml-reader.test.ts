/**
 * Our CSTA XML reader (src/pbx-adapters/csta/protocol/xml-reader.ts) against fast-xml-parser, the
 * parser it replaced, configured as xml.ts configured it: the same tree for every document both
 * accept, and the same verdict (well-formed or not) on documents broken at random. Where the two
 * disagree by design, the case is listed here with the XML rule that decides it.
 */
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../src/pbx-adapters/csta/protocol/codec.ts';
import { decodeEntities, isListElement, readDocument, XmlShapeError } from '../../src/pbx-adapters/csta/protocol/xml.ts';
import { readXml, XmlReadError } from '../../src/pbx-adapters/csta/protocol/xml-reader.ts';
import { ALL_SAMPLES } from '../helpers/csta-samples.ts';

const reference = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
  tagValueProcessor: (_name: string, value: string) => (value.includes('&') ? decodeEntities(value) : value),
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => isListElement(name),
});

/** fast-xml-parser's reading: null when its validator or its parser refuses the document. */
function theirs(xml: string): { root: string; content: unknown } | null {
  if (XMLValidator.validate(xml) !== true) return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = reference.parse(xml) as Record<string, unknown>;
  } catch {
    return null; // validated, and still not parsed (e.g. "Pi Tag is not closed.")
  }
  const roots = Object.keys(parsed);
  if (roots.length !== 1) return null;
  return { root: roots[0]!, content: parsed[roots[0]!] };
}

function ours(xml: string): { root: string; content: unknown } | null {
  return why(xml) === null ? readXml(xml, decodeEntities, isListElement) : null;
}

/** Why our reader refuses the document; null when it reads it. */
function why(xml: string): string | null {
  try {
    readXml(xml, decodeEntities, isListElement);
    return null;
  } catch (err) {
    if (err instanceof XmlReadError) return err.message;
    throw err;
  }
}

/** Where we are stricter than fast-xml-parser's validator, each by a rule of XML 1.0 (5th ed.):
 * - text after the root element: `document ::= prolog element Misc*`, Misc being comments, PIs
 *   and white space only;
 * - `<` in an attribute value: `AttValue ::= '"' ([^<&"] | Reference)* '"'`;
 * - `&` that starts no reference, in an attribute value (the same production);
 * - the XML declaration and processing instructions: `XMLDecl ::= '<?xml' VersionInfo
 *   EncodingDecl? SDDecl? S? '?>'`, `PI ::= '<?' PITarget (S …)? '?>'` (the validator reads
 *   little of either). */
const STRICTER = [/text after the root element/, /'<' in the value of attribute/, /'&' that starts no entity reference/, /^in the XML declaration or a processing instruction/];

const DOCS = [
  '<?xml version="1.0" encoding="UTF-8"?><MakeCall xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed5"><callingDevice>2001</callingDevice><calledDirectoryNumber>0612345678</calledDirectoryNumber></MakeCall>',
  '<csta:DeliveredEvent xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed3"><csta:monitorCrossRefID>7</csta:monitorCrossRefID><csta:connection><csta:callID>9</csta:callID></csta:connection></csta:DeliveredEvent>',
  '<a><b>1</b><b>2</b><b>3</b><c/></a>',
  '<a><connectionListItem><x>1</x></connectionListItem></a>',
  '<a><connectionListItem><x>1</x></connectionListItem><connectionListItem><x>2</x></connectionListItem></a>',
  '<a>  <b>  spaced  </b>\n\t<c></c></a>',
  '<a><b>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;</b><c>&amp;#65;</c><d>&unknown;</d></a>',
  '<a><!-- a comment --><b>x</b><?pi data?></a>',
  '\uFEFF<a><b>bom</b></a>',
  '<a x="1" y=\'2\' xmlns:p="urn:x"><p:b q="&amp;">v</p:b></a>',
  '<a><b><![CDATA[<raw & text>]]></b></a>',
  '<a>text<b>1</b>more</a>',
  '<a/>',
  '<a></a>',
  '<a>only text</a>',
  '<a><b><c><d><e>deep</e></d></c></b></a>',
  '<a><private><x>1</x></private><protocolVersion>ed5</protocolVersion></a>',
  '<?xml version="1.0"?>\n<!-- before -->\n<a><b>1</b></a>\n<!-- after -->\n',
];

const BROKEN = [
  '<a><b>1</a>',
  '<a><b>1</b>',
  '<a>1</a><b>2</b>',
  'text<a/>',
  '<a><b>x & y</b></a>',
  '<a x=1/>',
  '<a x="1" x="2"/>',
  '<a><!-- unclosed </a>',
  '<a><![CDATA[ unclosed </a>',
  '<1a/>',
  '<a></b>',
  '',
  '   ',
  '<a',
  '<a><b/',
  '</a>',
  '<a x="1"y="2"/>',
];

describe('the same tree as fast-xml-parser', () => {
  it.each(DOCS.map((d) => [d]))('%s', (xml) => {
    expect(ours(xml)).toEqual(theirs(xml));
  });

  it('every message of the catalogue, as our encoder writes it', () => {
    for (const msg of ALL_SAMPLES) {
      const xml = encodeMessage(msg);
      expect(ours(xml), msg.type).toEqual(theirs(xml));
    }
  });

  it('generated documents: nested elements, repeats, prefixes, attributes, entities, comments, white space', () => {
    const name = fc.constantFrom('a', 'b', 'callID', 'deviceID', 'connectionListItem', 'private', 'x-y', 'n.1', '_u');
    const prefix = fc.constantFrom('', '', 'csta:', 'p:');
    const text = fc.stringMatching(/^[ \tA-Za-z0-9+#.-]{0,12}$/).chain((t) => fc.constantFrom(t, `${t}&amp;`, `&#65;${t}`, ` ${t} `));
    const attrs = fc.constantFrom('', ' x="1"', " y='2'", ' xmlns="urn:a"', ' xmlns:p="urn:p"');
    const spacing = fc.constantFrom('', ' ', '\n  ', '<!-- c -->');
    const tree: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(prefix, name, attrs, text).map(([p, n, a, t]) => `<${p}${n}${a}>${t}</${p}${n}>`),
        fc.tuple(prefix, name, attrs).map(([p, n, a]) => `<${p}${n}${a}/>`),
        fc
          .tuple(prefix, name, attrs, fc.array(fc.tuple(spacing, tie('node')), { maxLength: 4 }))
          .map(([p, n, a, kids]) => `<${p}${n}${a}>${kids.map(([s, k]) => s + k).join('')}</${p}${n}>`),
      ),
    })).node;
    // Under a root of its own: fast-xml-parser applies isArray to the root too (our reader does
    // not; a CSTA root is a message name, never a list element).
    fc.assert(
      fc.property(tree, (inner) => {
        const xml = `<Root>${inner}</Root>`;
        expect(ours(xml)).toEqual(theirs(xml));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the same verdict on broken documents', () => {
  it.each(['<a/>text', '<a x="<"/>', '<a x="&"/>'].map((d) => [d]))('%s: refused by us only (XML 1.0, see STRICTER)', (xml) => {
    expect(theirs(xml)).not.toBeNull();
    expect(STRICTER.some((r) => r.test(why(xml) ?? ''))).toBe(true);
  });

  it.each(BROKEN.map((d) => [d]))('%s is refused by both', (xml) => {
    expect(theirs(xml)).toBeNull();
    expect(ours(xml)).toBeNull();
  });

  it('documents broken at random (a character dropped, doubled or replaced by one of < > & / = " \')', () => {
    const base = fc.constantFrom(...DOCS.filter((d) => !d.includes('CDATA') && !d.includes('<!--') && !d.includes('<?')), ...ALL_SAMPLES.slice(0, 40).map((m) => encodeMessage(m)));
    const edit = fc.tuple(fc.nat(), fc.constantFrom('drop', 'double', '<', '>', '&', '/', '=', '"', "'"));
    fc.assert(
      fc.property(base, edit, (xml, [at, op]) => {
        const i = at % xml.length;
        const broken = op === 'drop' ? xml.slice(0, i) + xml.slice(i + 1) : op === 'double' ? xml.slice(0, i + 1) + xml.slice(i) : xml.slice(0, i) + op + xml.slice(i + 1);
        const reason = why(broken);
        const reference = theirs(broken);
        if (reason === null) expect(ours(broken), broken).toEqual(reference);
        else if (reference !== null) expect(STRICTER.some((r) => r.test(reason)), `${broken}: ${reason}`).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('readDocument', () => {
  it('refuses a DTD, and says what is not well-formed', () => {
    expect(() => readDocument('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')).toThrow(XmlShapeError);
    expect(() => readDocument('<a><b>1</a>')).toThrow(/not well-formed XML: end tag a closes b/);
    expect(() => readDocument('<a>1</a><b/>')).toThrow(/not well-formed XML: a second root element/);
  });

  it('an element named __proto__ is a key like any other, not the object\'s prototype', () => {
    const { body } = readDocument('<MakeCall><__proto__><polluted>yes</polluted></__proto__><__proto__>x</__proto__></MakeCall>');
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect(body['__proto__']).toEqual([{ polluted: 'yes' }, 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a root with text only has an empty body', () => {
    expect(readDocument('<SystemStatus>normal</SystemStatus>')).toEqual({ root: 'SystemStatus', body: {} });
  });
});
