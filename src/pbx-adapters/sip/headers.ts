/**
 * SIP header fields (RFC 3261 §7.3, §20): an ordered, case-insensitive list, and the parsers for
 * the few header values the stack itself reads (Via, name-addr, CSeq).
 *
 * Names are normalised once, when a field goes in: a compact form (`i`, `v`, `l`…) becomes its
 * full name and a known name its usual spelling (`call-id` → `Call-ID`), so what we serialise is
 * always the long form and lookups never have to know about either. Unknown names keep their case.
 * Values are kept as received (trimmed), so a message we relay or echo is the peer's own text.
 */
import { randomBytes } from 'node:crypto';

/** RFC 3261 §7.3.3, RFC 3515, RFC 3265, RFC 4028, RFC 3841: compact form → full name. */
const COMPACT: Record<string, string> = {
  i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type', f: 'From',
  s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', r: 'Refer-To', b: 'Referred-By',
  u: 'Allow-Events', x: 'Session-Expires', a: 'Accept-Contact', j: 'Reject-Contact', d: 'Request-Disposition',
};

const KNOWN = [
  'Accept', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Authorization', 'Call-ID', 'Call-Info',
  'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq',
  'Date', 'Error-Info', 'Expires', 'From', 'In-Reply-To', 'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE',
  'Organization', 'Priority', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'Record-Route',
  'Reply-To', 'Require', 'Retry-After', 'Route', 'Server', 'Session-Expires', 'Subject', 'Supported', 'Timestamp',
  'To', 'Unsupported', 'User-Agent', 'Via', 'Warning', 'WWW-Authenticate', 'Event', 'Allow-Events', 'Refer-To',
  'Referred-By', 'Reason',
];
const CANONICAL = new Map<string, string>(KNOWN.map((n) => [n.toLowerCase(), n]));

/** Fields whose value is a comma-separated list that may also be written as several fields
 * (RFC 3261 §7.3.1); `getAll` returns one element each. The auth headers are not: their commas
 * separate parameters. */
const LIST_FIELDS = new Set([
  'via', 'route', 'record-route', 'contact', 'allow', 'supported', 'require', 'proxy-require', 'unsupported',
  'accept', 'accept-encoding', 'accept-language', 'content-encoding', 'allow-events',
]);

/** The full, usual spelling of a header name (compact forms expanded). */
export function canonicalHeaderName(name: string): string {
  return spelling(name).name;
}

/** Names seen, as written → canonical name and its lower-case key: a message's dozen fields are
 * looked up many times (parse, dialog, transaction, answer). Bounded: a peer inventing names
 * cannot grow it past `SPELLINGS_MAX`. */
const spellings = new Map<string, { name: string; key: string }>();
const SPELLINGS_MAX = 512;

function spelling(name: string): { name: string; key: string } {
  let s = spellings.get(name);
  if (s === undefined) {
    const n = name.trim();
    const lower = n.toLowerCase();
    const canonical = COMPACT[lower] ?? CANONICAL.get(lower) ?? n;
    s = { name: canonical, key: canonical.toLowerCase() };
    if (spellings.size >= SPELLINGS_MAX) spellings.clear();
    spellings.set(name, s);
  }
  return s;
}

/** Splits on commas outside quoted strings and `<…>` (a URI may hold commas). */
export function splitTopLevel(value: string, sep = ','): string[] {
  if (!value.includes(sep)) {
    // The usual case (one Via, one param): nothing to split, nothing quoted to look at.
    const t = value.trim();
    return t.length > 0 ? [t] : [];
  }
  if (!value.includes('"') && !value.includes('<')) {
    const out: string[] = [];
    for (const part of value.split(sep)) {
      const t = part.trim();
      if (t.length > 0) out.push(t);
    }
    return out;
  }
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      if (ch === '\\' && i + 1 < value.length) {
        cur += ch + value[++i]!;
        continue;
      }
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') angle = true;
    else if (ch === '>') angle = false;
    else if (ch === sep && !angle) {
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  out.push(cur.trim());
  return out.filter((s) => s.length > 0);
}

export class SipHeaders {
  private list: { name: string; key: string; value: string }[] = [];

  constructor(entries?: [string, string][]) {
    for (const [n, v] of entries ?? []) this.append(n, v);
  }

  private static item(name: string, value: string): { name: string; key: string; value: string } {
    const s = spelling(name);
    return { name: s.name, key: s.key, value: value.trim() };
  }

  get(name: string): string | undefined {
    const key = spelling(name).key;
    for (const e of this.list) if (e.key === key) return e.value;
    return undefined;
  }

  /** Every value, in order; list fields (Via, Route, Record-Route, Contact, Allow…) split on
   * their top-level commas. */
  getAll(name: string): string[] {
    const key = spelling(name).key;
    const list = LIST_FIELDS.has(key);
    const out: string[] = [];
    for (const e of this.list) {
      if (e.key !== key) continue;
      if (list) for (const v of splitTopLevel(e.value)) out.push(v);
      else out.push(e.value);
    }
    return out;
  }

  /** `getAll(name)[0]` without splitting the rest (the top Via, the first Contact). */
  first(name: string): string | undefined {
    const key = spelling(name).key;
    if (!LIST_FIELDS.has(key)) return this.get(name);
    for (const e of this.list) {
      if (e.key !== key) continue;
      const first = splitTopLevel(e.value)[0];
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** How many fields of that name (not list elements: `Via: a, b` is one). */
  count(name: string): number {
    const key = spelling(name).key;
    let n = 0;
    for (const e of this.list) if (e.key === key) n++;
    return n;
  }

  /** Replaces the first value of a field in place (the top Via, stamped on receipt); false when
   * the field is absent. */
  replaceFirst(name: string, value: string): boolean {
    const key = spelling(name).key;
    const e = this.list.find((x) => x.key === key);
    if (e === undefined) return false;
    e.value = value.trim();
    return true;
  }

  /** The header block as written on the wire (`Name: value` CRLF each, the empty line after),
   * with Content-Length set to `contentLength` where the first one stood, else last. */
  wireHead(startLine: string, contentLength: number): string {
    let out = startLine + '\r\n';
    let placed = false;
    for (const e of this.list) {
      if (e.key === 'content-length') {
        if (!placed) out += `Content-Length: ${contentLength}\r\n`;
        placed = true;
        continue;
      }
      out += `${e.name}: ${e.value}\r\n`;
    }
    if (!placed) out += `Content-Length: ${contentLength}\r\n`;
    return out + '\r\n';
  }

  set(name: string, value: string): this {
    const item = SipHeaders.item(name, value);
    const at = this.list.findIndex((e) => e.key === item.key);
    this.list = this.list.filter((e) => e.key !== item.key);
    this.list.splice(at < 0 ? this.list.length : at, 0, item);
    return this;
  }

  append(name: string, value: string): this {
    this.list.push(SipHeaders.item(name, value));
    return this;
  }

  /** Before every other field of that name (a new top Via), else first of all. */
  prepend(name: string, value: string): this {
    const item = SipHeaders.item(name, value);
    const at = this.list.findIndex((e) => e.key === item.key);
    this.list.splice(at < 0 ? 0 : at, 0, item);
    return this;
  }

  delete(name: string): this {
    const key = spelling(name).key;
    this.list = this.list.filter((e) => e.key !== key);
    return this;
  }

  has(name: string): boolean {
    const key = spelling(name).key;
    return this.list.some((e) => e.key === key);
  }

  entries(): [string, string][] {
    return this.list.map((e) => [e.name, e.value]);
  }

  clone(): SipHeaders {
    return new SipHeaders(this.entries());
  }
}

export type SipParams = Record<string, string | true>;

/** `;a=1;b;c="x;y"` → params (names lower-cased, quotes kept off the value). */
export function parseParams(text: string): SipParams {
  const params: SipParams = {};
  for (const part of splitTopLevel(text, ';')) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      params[part.trim().toLowerCase()] = true;
      continue;
    }
    let v = part.slice(eq + 1).trim();
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = unquote(v);
    params[part.slice(0, eq).trim().toLowerCase()] = v;
  }
  return params;
}

function unquote(q: string): string {
  return q.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** One Via value: `SIP / 2.0 / UDP host:port;branch=…` (whitespace allowed around `/`, §25.1). */
export function parseVia(value: string): { transport: string; host: string; port?: number; params: SipParams } {
  const m = /^\s*SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z0-9.!%*_+`'~-]+)\s+([^;]+?)\s*(;.*)?$/is.exec(value);
  if (!m) throw new SyntaxError(`not a Via value: ${JSON.stringify(value)}`);
  const hostPort = m[2]!.trim();
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[^:\s]+)(?:\s*:\s*(\d{1,5}))?$/.exec(hostPort);
  if (!hp) throw new SyntaxError(`not a Via sent-by: ${JSON.stringify(hostPort)}`);
  const out: { transport: string; host: string; port?: number; params: SipParams } = {
    transport: m[1]!.toUpperCase(),
    host: hp[1]!,
    params: parseParams(m[3] ?? ''),
  };
  if (hp[2] !== undefined) out.port = Number(hp[2]);
  return out;
}

/** From / To / Contact / Route / Record-Route: `"Display" <uri;uparams>;hparams` or
 * `uri;hparams` (addr-spec: what follows `;` are the header's params, §20.10). */
export function parseNameAddr(value: string): { display?: string; uri: string; params: SipParams } {
  const v = value.trim();
  const lt = findUnquoted(v, '<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) throw new SyntaxError(`unclosed < in ${JSON.stringify(value)}`);
    let display = v.slice(0, lt).trim();
    if (display.startsWith('"') && display.endsWith('"') && display.length >= 2) display = unquote(display);
    const out: { display?: string; uri: string; params: SipParams } = {
      uri: v.slice(lt + 1, gt).trim(),
      params: parseParams(v.slice(gt + 1).replace(/^\s*;/, '')),
    };
    if (display.length > 0) out.display = display;
    return out;
  }
  const semi = v.indexOf(';');
  const uri = (semi < 0 ? v : v.slice(0, semi)).trim();
  if (uri.length === 0 || /\s/.test(uri)) throw new SyntaxError(`not a name-addr: ${JSON.stringify(value)}`);
  return { uri, params: semi < 0 ? {} : parseParams(v.slice(semi + 1)) };
}

function findUnquoted(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ch) return i;
  }
  return -1;
}

/** `CSeq: 4711 INVITE` (sequence number below 2**31, §8.1.1.5). */
export function parseCSeq(value: string): { seq: number; method: string } {
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9.!%*_+`'~-]+)\s*$/.exec(value);
  const seq = m ? Number(m[1]) : NaN;
  if (!m || seq >= 2 ** 31) throw new SyntaxError(`not a CSeq: ${JSON.stringify(value)}`);
  return { seq, method: m[2]! };
}

/** From/To values seen → their tag: every request and answer of a dialog carries the same two,
 * and the dialog checks both on each. Bounded like the spellings. */
const tags = new Map<string, string>();
const TAGS_MAX = 512;
const NO_TAG = '\u0000';

/** The tag param of a From/To value, if any. */
export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = tags.get(value);
  if (known !== undefined) return known === NO_TAG ? undefined : known;
  let tag: string | undefined;
  try {
    const t = parseNameAddr(value).params['tag'];
    tag = typeof t === 'string' ? t : undefined;
  } catch {
    tag = undefined;
  }
  if (tags.size >= TAGS_MAX) tags.clear();
  tags.set(value, tag ?? NO_TAG);
  return tag;
}

/** An address as a SIP host: an IPv6 address in brackets. */
export function sipHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** A top Via for a request we send (a new branch, `rport` asked for: RFC 3581). */
export function newVia(transport: string, by: { address: string; port: number }, branch: string = newBranch()): string {
  return `SIP/2.0/${transport.toUpperCase()} ${sipHost(by.address)}:${by.port};branch=${branch};rport`;
}

/** 80 random bits drawn once per process: with a counter after them, every branch is unique
 * across space and time (RFC 3261 §8.1.1.7) without a call into the CSPRNG per request. */
const BRANCH_PREFIX = randomBytes(10).toString('hex');
let branchSeq = 0;

/** The magic cookie of RFC 3261 §8.1.1.7, this process's random prefix, then a counter. */
export function newBranch(): string {
  branchSeq = (branchSeq + 1) % Number.MAX_SAFE_INTEGER;
  return `z9hG4bK${BRANCH_PREFIX}.${branchSeq.toString(36)}`;
}

export function newTag(): string {
  return randomBytes(6).toString('hex');
}

export function newCallId(host: string): string {
  return `${randomBytes(12).toString('hex')}@${host}`;
}
