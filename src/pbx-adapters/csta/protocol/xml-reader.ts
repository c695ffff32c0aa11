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
  const n = xml.length;
  const start = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = start;
  const stack: Open[] = [];
  let root: { name: string; content: XmlNode } | null = null;

  const readName = (): string => {
    const start = i;
    if (i >= n || !isNameStart(xml.charCodeAt(i))) fail('a name expected', i);
    i++;
    while (i < n && isNameChar(xml.charCodeAt(i))) i++;
    return xml.slice(start, i);
  };
  const skipSpace = (): void => {
    while (i < n && isSpace(xml.charCodeAt(i))) i++;
  };
  /** The attributes of a start tag (or the pseudo-attributes of the XML declaration, `decl`)
   * up to its end: `>` (`open`), `/>` (`empty`), `?>` (the declaration). Checked, not kept. */
  const readAttributes = (owner: string, decl = false): 'open' | 'empty' => {
    let seen: string[] | null = null;
    for (;;) {
      const hadSpace = i < n && isSpace(xml.charCodeAt(i));
      skipSpace();
      if (i >= n) fail(`unclosed ${decl ? 'XML declaration' : `start tag ${owner}`}`, i);
      const d = xml.charCodeAt(i);
      if (decl) {
        if (d === QUEST && xml.charCodeAt(i + 1) === GT) {
          if (!seen?.includes('version')) fail('XML declaration without its version', i);
          i += 2;
          return 'open';
        }
      } else if (d === GT) {
        i++;
        return 'open';
      } else if (d === SLASH) {
        if (xml.charCodeAt(i + 1) !== GT) fail(`'/>' expected in ${owner}`, i);
        i += 2;
        return 'empty';
      }
      if (!hadSpace) fail(`white space expected before an attribute of ${owner}`, i);
      const attr = readName();
      if ((seen ??= []).includes(attr)) fail(`attribute ${attr} twice in ${owner}`, i);
      seen.push(attr);
      skipSpace();
      if (xml.charCodeAt(i) !== EQ) fail(`'=' expected after attribute ${attr}`, i);
      i++;
      skipSpace();
      const q = xml.charCodeAt(i);
      if (q !== Q2 && q !== Q1) fail(`quoted value expected for attribute ${attr}`, i);
      const end = xml.indexOf(q === Q2 ? '"' : "'", i + 1);
      if (end === -1) fail(`unclosed value of attribute ${attr}`, i);
      const value = xml.slice(i + 1, end);
      if (value.includes('<')) fail(`'<' in the value of attribute ${attr}`, i);
      checkReferences(value, i + 1);
      i = end + 1;
    }
  };
  /** Text of the open element; `raw`: a CDATA section's, kept as written (no references). */
  const addText = (top: Open, text: string, raw: boolean): void => {
    const t = text.trim();
    if (t === '') return;
    if (raw || !t.includes('&')) {
      top.text += t;
      return;
    }
    checkReferences(t, i);
    top.text += decode(t);
  };
  const close = (el: Open): void => {
    let content: XmlNode;
    if (el.children === null) content = el.text;
    else {
      content = el.children;
      if (el.text !== '') el.children['#text'] = el.text;
    }
    const parent = stack[stack.length - 1];
    if (!parent) {
      root = { name: el.name, content };
      return;
    }
    const siblings = (parent.children ??= {});
    const existing = siblings[el.name];
    if (existing === undefined) siblings[el.name] = isList(el.name) ? [content] : content;
    else if (Array.isArray(existing)) existing.push(content);
    else siblings[el.name] = [existing, content];
  };

  while (i < n) {
    const c = xml.charCodeAt(i);
    if (c !== LT) {
      // Text: inside an element, content; outside, only white space.
      const next = xml.indexOf('<', i);
      const end = next === -1 ? n : next;
      const top = stack[stack.length - 1];
      if (top) addText(top, xml.slice(i, end), false);
      else
        for (let k = i; k < end; k++) {
          if (!isSpace(xml.charCodeAt(k))) fail(root ? 'text after the root element' : 'text before the root element', k);
        }
      i = end;
      continue;
    }
    const c1 = xml.charCodeAt(i + 1);
    if (c1 === QUEST) {
      // The XML declaration (first in the document, its pseudo-attributes checked) or a
      // processing instruction (its content is free).
      const at = i;
      try {
        i += 2;
        const target = readName();
        if (target.toLowerCase() === 'xml') {
          if (at !== start) fail('not at the start', at);
          readAttributes('xml', true);
          continue;
        }
        if (!isSpace(xml.charCodeAt(i)) && !xml.startsWith('?>', i)) fail('white space expected after the target', i);
        const end = xml.indexOf('?>', i);
        if (end === -1) fail('unclosed', at);
        i = end + 2;
        continue;
      } catch (err) {
        if (err instanceof XmlReadError) throw new XmlReadError(`in the XML declaration or a processing instruction: ${err.message}`);
        throw err;
      }
    }
    if (c1 === BANG) {
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end === -1) fail('unclosed comment', i);
        if (xml.slice(i + 4, end).includes('--')) fail("'--' inside a comment", i);
        i = end + 3;
        continue;
      }
      if (xml.startsWith('<![CDATA[', i)) {
        const top = stack[stack.length - 1];
        if (!top) fail('CDATA outside the root element', i);
        const end = xml.indexOf(']]>', i + 9);
        if (end === -1) fail('unclosed CDATA section', i);
        addText(top, xml.slice(i + 9, end), true);
        i = end + 3;
        continue;
      }
      fail('a declaration CSTA XML does not use', i);
    }
    if (c1 === SLASH) {
      // An end tag.
      const at = i;
      i += 2;
      const qname = readName();
      skipSpace();
      if (xml.charCodeAt(i) !== GT) fail(`'>' expected in the end tag of ${qname}`, i);
      i++;
      const el = stack.pop();
      if (!el) fail(`end tag ${qname} with no element open`, at);
      if (el.qname !== qname) fail(`end tag ${qname} closes ${el.qname}`, at);
      close(el);
      continue;
    }
    // A start tag.
    if (root !== null) fail('a second root element', i);
    i++;
    const qname = readName();
    const colon = qname.indexOf(':');
    if (colon === 0 || colon === qname.length - 1) fail(`bad qualified name ${qname}`, i);
    const el: Open = { qname, name: colon === -1 ? qname : qname.slice(colon + 1), children: null, text: '' };
    const end = readAttributes(qname);
    stack.push(el);
    if (end === 'empty') close(stack.pop()!);
  }
  if (stack.length > 0) fail(`unclosed element ${stack[stack.length - 1]!.qname}`, n);
  const done = root as { name: string; content: XmlNode } | null;
  if (!done) throw new XmlReadError('no root element');
  return { root: done.name, content: done.content };
}
