/**
 * The small XML layer under the CSTA message catalogue: a writer for plain element trees and a
 * reader for ECMA-323 (xml-reader.ts: namespaces stripped, values kept as text, lists forced to
 * arrays, entities decoded here).
 */
import { readXml, XmlReadError } from './xml-reader.ts';

export type XmlTree = { [element: string]: XmlValue };
export type XmlValue = string | number | XmlTree | XmlTree[] | undefined;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export function escapeText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function writeChildren(tree: XmlTree, out: string[]): void {
  for (const [name, value] of Object.entries(tree)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) {
        out.push(`<${name}>`);
        writeChildren(item, out);
        out.push(`</${name}>`);
      }
    } else if (typeof value === 'object') {
      out.push(`<${name}>`);
      writeChildren(value, out);
      out.push(`</${name}>`);
    } else {
      out.push(`<${name}>${escapeText(String(value))}</${name}>`);
    }
  }
}

export function writeDocument(root: string, namespace: string, body: XmlTree): string {
  const out: string[] = [`<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${namespace}">`];
  writeChildren(body, out);
  out.push(`</${root}>`);
  return out.join('');
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** XML's predefined entities and character references (decimal and hex) → text; anything else
 * that looks like an entity is left as written. A reference to a code point XML does not allow is
 * left as written too. */
export function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g, (whole, ref: string) => {
    if (ref[0] !== '#') return PREDEFINED[ref] ?? whole;
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    return allowed ? String.fromCodePoint(code) : whole;
  });
}

/** Elements that may repeat inside a message; the reader always gives them as arrays. */
const LIST_ELEMENTS = new Set(['connectionListItem', 'snapshotDeviceResponseInfo', 'protocolVersion', 'private', 'localConnectionState']);
export const isListElement = (name: string): boolean => LIST_ELEMENTS.has(name);


const DTD = /<!(DOCTYPE|ENTITY)/i;

export class XmlShapeError extends Error {
  readonly code = 'CSTA_BAD_XML';
}

/** Parses one CSTA XML document; returns the root element name and its content. */
export function readDocument(xml: string): { root: string; body: Record<string, unknown> } {
  // CSTA XML never carries a DTD. One would let the peer define entities that expand into caller
  // numbers and names (or into a billion laughs): refuse the document instead.
  if (DTD.test(xml)) throw new XmlShapeError('a document type declaration (DTD) is not allowed in CSTA XML');
  let doc: ReturnType<typeof readXml>;
  try {
    doc = readXml(xml, decodeEntities, isListElement);
  } catch (err) {
    if (err instanceof XmlReadError) throw new XmlShapeError(`not well-formed XML: ${err.message}`);
    throw err;
  }
  const body = typeof doc.content === 'object' && !Array.isArray(doc.content) ? (doc.content as Record<string, unknown>) : {};
  return { root: doc.root, body };
}
