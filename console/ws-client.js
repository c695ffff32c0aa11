// @ts-check
/**
 * The WebSocket API (docs/api.md) for pages: logs in with the session's token, numbers requests
 * and matches their responses, hands events to the page, and reconnects after a drop with a
 * random, growing delay (0–2 s, doubling up to 30 s, as docs/api.md asks of clients). After each
 * (re)connection `onReady` runs again, so a page re-subscribes and reloads its snapshot there.
 */

/** @typedef {{event: string, seq?: number, ts: string, data: any}} ApiEvent */
/** @typedef {'connecting' | 'live' | 'reconnecting' | 'replaced' | 'ended'} SocketStatus */
/**
 * @typedef {object} SocketHandlers
 * @property {(socket: ApiSocket) => Promise<void> | void} onReady after each login
 * @property {(e: ApiEvent) => void} onEvent
 * @property {(s: SocketStatus) => void} [onStatus]
 * @property {(code: number) => void} [onAuthLost] the token was refused, expired or revoked
 */

export class ApiError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}

// 4002 authentication failed, 4003 token expired or revoked (docs/api.md, "Transport").
const AUTH_LOST = new Set([4002, 4003]);
// A newer session of the same user (another console window, the user's softphone) took over:
// reconnecting would take it back, and the two would take turns for ever. The page offers it.
const REPLACED = 4009;

export class ApiSocket {
  /** @param {string} token @param {SocketHandlers} handlers */
  constructor(token, handlers) {
    this.token = token;
    this.handlers = handlers;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.nextId = 1;
    /** @type {Map<number, {resolve: (d: any) => void, reject: (e: Error) => void}>} */
    this.pending = new Map();
    this.closed = false;
    this.backoffMs = 2000;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
  }

  static url() {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  }

  start() {
    this.handlers.onStatus?.('connecting');
    this.connect();
    return this;
  }

  connect() {
    const ws = new WebSocket(ApiSocket.url());
    this.ws = ws;
    ws.onopen = () => {
      // A console session: the user's softphone keeps its own (only another console replaces it).
      this.request('auth.login', { token: this.token, client: 'console' })
        .then(async () => {
          this.backoffMs = 2000;
          await this.handlers.onReady(this);
          this.handlers.onStatus?.('live');
        })
        .catch(() => undefined); // a refused login closes the socket: onclose decides
    };
    ws.onmessage = (m) => this.receive(String(m.data));
    ws.onclose = (e) => this.dropped(ws, e.code);
  }

  /** @param {string} text */
  receive(text) {
    const msg = JSON.parse(text);
    if ('event' in msg) {
      this.handlers.onEvent(msg);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.data);
    else p.reject(new ApiError(msg.error?.code ?? 'INTERNAL', msg.error?.message ?? ''));
  }

  /** @param {WebSocket} ws @param {number} code */
  dropped(ws, code) {
    if (ws !== this.ws) return;
    for (const p of this.pending.values()) p.reject(new ApiError('CLOSED', `socket closed (${code})`));
    this.pending.clear();
    if (this.closed) return;
    if (AUTH_LOST.has(code)) {
      this.closed = true;
      this.handlers.onStatus?.('ended');
      this.handlers.onAuthLost?.(code);
      return;
    }
    if (code === REPLACED) {
      this.closed = true;
      this.handlers.onStatus?.('replaced');
      return;
    }
    this.handlers.onStatus?.('reconnecting');
    const delay = Math.random() * this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** @param {string} op @param {object} [data] @returns {Promise<any>} */
  request(op, data = {}) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ApiError('CLOSED', 'not connected'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, op, data }));
    });
  }

  close() {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.ws?.close(1000);
  }
}
