/**
 * A strict reader for the XML that CSTA carries (ECMA-323): one pass over the text, checking that
 * it is well-formed and building the same tree as the parser it replaces (fast-xml-parser with
 * the options xml.ts used: namespace prefixes stripped, attributes dropped, text trimmed and kept
 * as strings, repeated elements as arrays, some elements always arrays).
 *
 * Why our own: every CSTA message in and out of the daemon and the simulator goes through here, a
 * few thousand a second at load. fast-xml-parser validated and then parsed each document, ~38 µs
 * for a 600-byte event, 20 % of the daemon's CPU at 300 calls/s (docs/performance.md, 2026-12-03
 * (fifth session)). CSTA XML uses a small part of XML — elements, text, namespace declarations,
 * the predefined entities and character references; never a DTD — so a reader of that part, in
 * one pass with no intermediate nodes, does the same work several times faster. It is tested
 * against fast-xml-parser's validator and parser on the same documents (test/unit/csta-xml-reader).
 *
 * Well-formedness checked: one root element; start and end tags match; names are XML names;
 * attributes are `name="value"` or `name='value'`, unique in their element, with no `<` in the
 * value; `&` in text or attribute values starts an entity or character reference; comments,
 * processing instructions and CDATA sections are closed; nothing but white space, comments and
 * processing instructions outside the root; no document type declaration (refused by the caller
 * before, xml.ts).
 */

export class XmlReadError extends Error {}

export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

interface Open {
  /** Qualified name as written (the end tag must repeat it). */
  qname: string;
  /** Local name (prefix stripped). */
  name: string;
  children: Record<string, XmlNode | XmlNode[]> | null;
  text: string;
}

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const EQ = 61; // =
const Q2 = 34; // "
const Q1 = 39; // '
const BANG = 33; // !
const QUEST = 63; // ?

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 0xb7;
}

const REFERENCE = /^&(?:[A-Za-z_:][\w.:-]*|#[0-9]+|#x[0-9a-fA-F]+);/;

/** Every `&` in `s` (text or an attribute value) starts a reference. */
function checkReferences(s: string, at: number): void {
  let i = s.indexOf('&');
  while (i !== -1) {
    if (!REFERENCE.test(s.slice(i, i + 40))) throw new XmlReadError(`'&' that starts no entity reference at ${at + i}`);
    i = s.indexOf('&', i + 1);
  }
}

function fail(what: string, at: number): never {
  throw new XmlReadError(`${what} at ${at}`);
}

/**
 * Reads one document. `decode` turns a text value that has a `&` into its characters (the caller's
 * entity rules); `isList` names the elements always given as arrays. Returns the root's local name
 * and its content: an object of its children, or its text.
 */
export function readXml(xml: string, decode: (text: string) => string, isList: (name: string) => boolean): { root: string; content: XmlNode } {
  return new Reader(xml, decode, isList).read();
}

/** One document's reading: its position and the elements open (methods, not closures made per
 * document). */
class Reader {
  private i: number;
  private readonly n: number;
  private readonly start: number;
  private readonly stack: Open[] = [];
  private root: { name: string; content: XmlNode } | null = null;

  constructor(
    private readonly xml: string,
    private readonly decode: (text: string) => string,
    private readonly isList: (name: string) => boolean,
  ) {
    this.n = xml.length;
    this.start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.i = this.start;
  }

  private readName(): string {
    const from = this.i;
    if (this.i >= this.n || !isNameStart(this.xml.charCodeAt(this.i))) fail('a name expected', this.i);
    this.i++;
    while (this.i < this.n && isNameChar(this.xml.charCodeAt(this.i))) this.i++;
    return this.xml.slice(from, this.i);
  }
  private skipSpace(): void {
    while (this.i < this.n && isSpace(this.xml.charCodeAt(this.i))) this.i++;
  }
  /** The attributes of a start tag (or the pseudo-attributes of the XML declaration, `decl`)
   * up to its end: `>` (`open`), `/>` (`empty`), `?>` (the declaration). Checked, not kept. */
  private readAttributes(owner: string, decl = false): 'open' | 'empty' {
    // A set, not a list: a hostile element with thousands of attributes must not cost their square.
    let seen: Set<string> | null = null;
    for (;;) {
      const hadSpace = this.i < this.n && isSpace(this.xml.charCodeAt(this.i));
      this.skipSpace();
      if (this.i >= this.n) fail(`unclosed ${decl ? 'XML declaration' : `start tag ${owner}`}`, this.i);
      const d = this.xml.charCodeAt(this.i);
      if (decl) {
        if (d === QUEST && this.xml.charCodeAt(this.i + 1) === GT) {
          if (!seen?.has('version')) fail('XML declaration without its version', this.i);
          this.i += 2;
          return 'open';
        }
      } else if (d === GT) {
        this.i++;
        return 'open';
      } else if (d === SLASH) {
        if (this.xml.charCodeAt(this.i + 1) !== GT) fail(`'/>' expected in ${owner}`, this.i);
        this.i += 2;
        return 'empty';
      }
      if (!hadSpace) fail(`white space expected before an attribute of ${owner}`, this.i);
      const attr = this.readName();
      if ((seen ??= new Set()).has(attr)) fail(`attribute ${attr} twice in ${owner}`, this.i);
      seen.add(attr);
      this.skipSpace();
      if (this.xml.charCodeAt(this.i) !== EQ) fail(`'=' expected after attribute ${attr}`, this.i);
      this.i++;
      this.skipSpace();
      const q = this.xml.charCodeAt(this.i);
      if (q !== Q2 && q !== Q1) fail(`quoted value expected for attribute ${attr}`, this.i);
      const end = this.xml.indexOf(q === Q2 ? '"' : "'", this.i + 1);
      if (end === -1) fail(`unclosed value of attribute ${attr}`, this.i);
      const value = this.xml.slice(this.i + 1, end);
      if (value.includes('<')) fail(`'<' in the value of attribute ${attr}`, this.i);
      checkReferences(value, this.i + 1);
      this.i = end + 1;
    }
  }
  /** Text of the open element; `raw`: a CDATA section's, kept as written (no references). */
  private addText(top: Open, text: string, raw: boolean): void {
    const t = text.trim();
    if (t === '') return;
    if (raw || !t.includes('&')) {
      top.text += t;
      return;
    }
    checkReferences(t, this.i);
    top.text += this.decode(t);
  }
  private close(el: Open): void {
    let content: XmlNode;
    if (el.children === null) content = el.text;
    else {
      content = el.children;
      if (el.text !== '') el.children['#text'] = el.text;
    }
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      this.root = { name: el.name, content };
      return;
    }
    // No prototype: an element named `__proto__` is a key like any other.
    const siblings = (parent.children ??= Object.create(null) as Record<string, XmlNode | XmlNode[]>);
    const existing = siblings[el.name];
    if (existing === undefined) siblings[el.name] = this.isList(el.name) ? [content] : content;
    else if (Array.isArray(existing)) existing.push(content);
    else siblings[el.name] = [existing, content];
  }

  read(): { root: string; content: XmlNode } {
    while (this.i < this.n) {
      const c = this.xml.charCodeAt(this.i);
      if (c !== LT) {
        // Text: inside an element, content; outside, only white space.
        const next = this.xml.indexOf('<', this.i);
        const end = next === -1 ? this.n : next;
        const top = this.stack[this.stack.length - 1];
        if (top) this.addText(top, this.xml.slice(this.i, end), false);
        else
          for (let k = this.i; k < end; k++) {
            if (!isSpace(this.xml.charCodeAt(k))) fail(this.root ? 'text after the root element' : 'text before the root element', k);
          }
        this.i = end;
        continue;
      }
      const c1 = this.xml.charCodeAt(this.i + 1);
      if (c1 === QUEST) {
        // The XML declaration (first in the document, its pseudo-attributes checked) or a
        // processing instruction (its content is free).
        const at = this.i;
        try {
          this.i += 2;
          const target = this.readName();
          if (target.toLowerCase() === 'xml') {
            if (at !== this.start) fail('not at the start', at);
            this.readAttributes('xml', true);
            continue;
          }
          if (!isSpace(this.xml.charCodeAt(this.i)) && !this.xml.startsWith('?>', this.i)) fail('white space expected after the target', this.i);
          const end = this.xml.indexOf('?>', this.i);
          if (end === -1) fail('unclosed', at);
          this.i = end + 2;
          continue;
        } catch (err) {
          if (err instanceof XmlReadError) throw new XmlReadError(`in the XML declaration or a processing instruction: ${err.message}`);
          throw err;
        }
      }
      if (c1 === BANG) {
        if (this.xml.startsWith('<!--', this.i)) {
          const end = this.xml.indexOf('-->', this.i + 4);
          if (end === -1) fail('unclosed comment', this.i);
          if (this.xml.slice(this.i + 4, end).includes('--')) fail("'--' inside a comment", this.i);
          this.i = end + 3;
          continue;
        }
        if (this.xml.startsWith('<![CDATA[', this.i)) {
          const top = this.stack[this.stack.length - 1];
          if (!top) fail('CDATA outside the root element', this.i);
          const end = this.xml.indexOf(']]>', this.i + 9);
          if (end === -1) fail('unclosed CDATA section', this.i);
          this.addText(top, this.xml.slice(this.i + 9, end), true);
          this.i = end + 3;
          continue;
        }
        fail('a declaration CSTA XML does not use', this.i);
      }
      if (c1 === SLASH) {
        // An end tag.
        const at = this.i;
        this.i += 2;
        const qname = this.readName();
        this.skipSpace();
        if (this.xml.charCodeAt(this.i) !== GT) fail(`'>' expected in the end tag of ${qname}`, this.i);
        this.i++;
        const el = this.stack.pop();
        if (!el) fail(`end tag ${qname} with no element open`, at);
        if (el.qname !== qname) fail(`end tag ${qname} closes ${el.qname}`, at);
        this.close(el);
        continue;
      }
      // A start tag.
      if (this.root !== null) fail('a second root element', this.i);
      this.i++;
      const qname = this.readName();
      const colon = qname.indexOf(':');
      if (colon === 0 || colon === qname.length - 1) fail(`bad qualified name ${qname}`, this.i);
      const el: Open = { qname, name: colon === -1 ? qname : qname.slice(colon + 1), children: null, text: '' };
      const end = this.readAttributes(qname);
      this.stack.push(el);
      if (end === 'empty') this.close(this.stack.pop()!);
    }
    if (this.stack.length > 0) fail(`unclosed element ${this.stack[this.stack.length - 1]!.qname}`, this.n);
    if (!this.root) throw new XmlReadError('no root element');
    return { root: this.root.name, content: this.root.content };
  }
}
