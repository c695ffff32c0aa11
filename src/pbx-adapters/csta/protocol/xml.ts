/**
 * The small XML layer under the CSTA message catalogue: a writer for plain element trees and a
 * parser configured for ECMA-323 (namespaces stripped, values kept as text, lists forced to arrays).
 */
import { XMLParser } from 'fast-xml-parser';

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

/** Elements that may repeat inside a message; the parser always gives them as arrays. */
const LIST_ELEMENTS = new Set(['connectionListItem', 'snapshotDeviceResponseInfo', 'protocolVersion', 'private']);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => LIST_ELEMENTS.has(name),
});

export class XmlShapeError extends Error {
  readonly code = 'CSTA_BAD_XML';
}

/** Parses one CSTA XML document; returns the root element name and its content. */
export function readDocument(xml: string): { root: string; body: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = parser.parse(xml, true);
  } catch (err) {
    throw new XmlShapeError(`not well-formed XML: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object') throw new XmlShapeError('empty document');
  const roots = Object.keys(parsed as object);
  if (roots.length !== 1) throw new XmlShapeError(`expected one root element, found ${roots.length}`);
  const root = roots[0]!;
  const content = (parsed as Record<string, unknown>)[root];
  const body = content !== null && typeof content === 'object' ? (content as Record<string, unknown>) : {};
  return { root, body };
}
