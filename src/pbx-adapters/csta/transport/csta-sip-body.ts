/**
 * What the SIP/CSTA channel needs to know about a CSTA body without parsing it: the root element's
 * name (a cheap scan), whether it is an answer and to what, and the bookkeeping that maps SIP's
 * invoke-id-less traffic onto the invoke ids of the session above (docs/sip.md, "SIP/CSTA channel").
 *
 * - `AwaitingAnswers`: our requests whose answer may still come in an INFO of the peer (after an
 *   empty 200 OK); an answer `XResponse` / `XPosResponse` / `XNegResponse` goes to the OLDEST
 *   request `X` waiting, a `CSTAErrorCode` to the oldest waiting for anything.
 * - `InvokeIds`: fresh ids 1–9998 for the peer's requests, cycling, never one still unanswered.
 */

export const CSTA_CONTENT_TYPE = 'application/csta+xml';
/** The largest CSTA body either end accepts (a SIP message is capped at 65,535 bytes anyway). */
export const MAX_CSTA_BODY_BYTES = 64 * 1024;
/** Any edition of ECMA-323. */
export const ECMA_323_NS = /^http:\/\/www\.ecma-international\.org\/standards\/ecma-323\/csta\/ed\d+$/;

/** Requests that have no CSTA answer: an empty 200 OK is all they get. The routeing dialogue
 * (ECMA-269 §15) goes on in requests of its own: a RouteRequest is followed by RouteSelect or
 * RouteEnd, never answered. */
const NO_ANSWER = new Set(['RouteRequest', 'RouteSelect', 'RouteSelectRequest', 'RouteEnd', 'RouteEndRequest', 'RouteReject']);
const ANSWER_SUFFIX = /(PosResponse|NegResponse|Response)$/;
/** How long a request may wait for an answer in an INFO of the peer (the link's own timeout is 5 s). */
const AWAIT_MS = 60_000;

/** A message's media type, lower-cased, without parameters; '' when it has none. */
export function contentTypeOf(msg: { headers: { get(name: string): string | undefined } }): string {
  return (msg.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The root element's local name (`<(prefix:)?Name`), skipping a BOM, whitespace, `<?…?>`,
 * comments and a doctype; null when there is none. */
export function rootElementName(xml: string): string | null {
  let i = 0;
  const n = xml.length;
  if (xml.charCodeAt(0) === 0xfeff) i = 1;
  for (;;) {
    while (i < n && /\s/.test(xml[i]!)) i++;
    if (i >= n || xml[i] !== '<') return null;
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i + 2);
      if (end < 0) return null;
      i = end + 2;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      if (end < 0) return null;
      i = end + 3;
    } else if (xml.startsWith('<!', i)) {
      const end = xml.indexOf('>', i + 2);
      if (end < 0) return null;
      i = end + 1;
    } else {
      const m = /^<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(xml.slice(i, i + 200));
      return m ? m[1]! : null;
    }
  }
}

/** The namespace the root element declares for its own prefix (or the default one). */
export function rootNamespace(xml: string): string | null {
  const start = xml.search(/<(?![?!])/);
  if (start < 0) return null;
  const end = xml.indexOf('>', start);
  const tag = xml.slice(start, end < 0 ? undefined : end);
  const prefix = /^<([A-Za-z_][\w.-]*):/.exec(tag)?.[1];
  const attr = prefix === undefined ? /\sxmlns\s*=\s*(["'])(.*?)\1/ : new RegExp(`\\sxmlns:${prefix}\\s*=\\s*(["'])(.*?)\\1`);
  return attr.exec(tag)?.[2] ?? null;
}

export function isAnswer(root: string): boolean {
  return root === 'CSTAErrorCode' || ANSWER_SUFFIX.test(root);
}

export function isEvent(root: string): boolean {
  return root.endsWith('Event');
}

export function expectsAnswer(root: string): boolean {
  return !NO_ANSWER.has(root) && !isAnswer(root) && !isEvent(root);
}

interface Waiting { invokeId: number; root: string; at: number }

/** Every operation O(1) (amortised): at 200 calls/s hundreds of requests may wait at once, and a
 * scan of them per request, per answer and per 200 OK made that quadratic. Entries are kept in the
 * order they were added (which is the order of `at`: the clock does not go back within a run), all
 * together and by request type. */
export class AwaitingAnswers {
  private readonly all = new Map<number, Waiting>();
  private readonly byRoot = new Map<string, Map<number, Waiting>>();

  add(invokeId: number, root: string, now = Date.now()): void {
    // The oldest come first: drop those past AWAIT_MS until one is not.
    for (const w of this.all.values()) {
      if (now - w.at < AWAIT_MS) break;
      this.remove(w.invokeId);
    }
    this.remove(invokeId); // an id reused: the new request replaces it, as the newest
    const w: Waiting = { invokeId, root, at: now };
    this.all.set(invokeId, w);
    let same = this.byRoot.get(root);
    if (!same) this.byRoot.set(root, (same = new Map()));
    same.set(invokeId, w);
  }

  remove(invokeId: number): void {
    const w = this.all.get(invokeId);
    if (!w) return;
    this.all.delete(invokeId);
    const same = this.byRoot.get(w.root)!;
    same.delete(invokeId);
    if (same.size === 0) this.byRoot.delete(w.root);
  }

  /** The invoke id of the oldest request this answer is for, removed; null when none waits. */
  take(answerRoot: string): number | null {
    const from = answerRoot === 'CSTAErrorCode' ? this.all : this.byRoot.get(answerRoot.replace(ANSWER_SUFFIX, ''));
    const w = from?.values().next().value;
    if (w === undefined) return null;
    this.remove(w.invokeId);
    return w.invokeId;
  }

  get size(): number {
    return this.all.size;
  }

  clear(): number[] {
    const ids = [...this.all.keys()];
    this.all.clear();
    this.byRoot.clear();
    return ids;
  }
}

/** Invoke ids for the peer's requests: 1–9998 cycling, skipping the ones still unanswered. */
export class InvokeIds {
  private last = 0;

  next(inUse: { has(id: number): boolean }): number | null {
    for (let tries = 0; tries < 9998; tries++) {
      this.last = (this.last % 9998) + 1;
      if (!inUse.has(this.last)) return this.last;
    }
    return null;
  }
}
