/**
 * A WebSocket client for tests and benchmarks, speaking the client API the way a softphone does:
 * numbered requests with their responses, and the event stream with a way to wait for an event.
 */
import WebSocket from 'ws';

export interface EventFrame {
  event: string;
  seq?: number;
  ts: string;
  data: any;
}

export interface ResponseFrame {
  id: string | number;
  ok: boolean;
  data?: any;
  error?: { code: string; message: string };
}

export class WsClient {
  readonly events: EventFrame[] = [];
  closeCode: number | null = null;
  private nextId = 1;
  private readonly pending = new Map<string | number, (r: ResponseFrame) => void>();
  private waiters: { test: (e: EventFrame) => boolean; resolve: (e: EventFrame) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];
  onEvent: ((e: EventFrame) => void) | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString());
      if ('event' in msg) {
        this.events.push(msg);
        this.onEvent?.(msg);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(msg)) return true;
          w.resolve(msg);
          return false;
        });
      } else {
        const cb = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        cb?.(msg);
      }
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.closeWaiters) w(code);
    });
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      ws.once('open', () => resolve(new WsClient(ws)));
      ws.once('error', reject);
    });
  }

  static async login(url: string, username: string, password = `demo-${username}`): Promise<WsClient> {
    const c = await WsClient.open(url);
    const r = await c.request('auth.login', { username, password });
    if (!r.ok) throw new Error(`login ${username} failed: ${JSON.stringify(r.error)}`);
    c.session = r.data;
    return c;
  }

  session: any = null;

  /** Sends a request and resolves with the whole response frame (ok or not). */
  request(op: string, data: object = {}, timeoutMs = 10_000): Promise<ResponseFrame> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no response to ${op} in ${timeoutMs} ms`)), timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.ws.send(JSON.stringify({ id, op, data }));
    });
  }

  /** Like request, but throws unless ok; returns data. */
  async call(op: string, data: object = {}): Promise<any> {
    const r = await this.request(op, data);
    if (!r.ok) throw new Error(`${op} failed: ${r.error?.code} ${r.error?.message}`);
    return r.data;
  }

  sendRaw(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** Resolves with the first event (already received or future) matching. */
  waitFor(event: string, match: (data: any) => boolean = () => true, timeoutMs = 8000, from = 0): Promise<EventFrame> {
    const test = (e: EventFrame) => e.event === event && match(e.data);
    const seen = this.events.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no ${event} event in ${timeoutMs} ms; got ${this.events.map((e) => e.event).join(',')}`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(t);
          resolve(e);
        },
      });
    });
  }

  /** Waits for the next matching event after now (ignores ones already received). */
  next(event: string, match: (data: any) => boolean = () => true, timeoutMs = 8000): Promise<EventFrame> {
    return this.waitFor(event, match, timeoutMs, this.events.length);
  }

  waitClose(timeoutMs = 15_000): Promise<number> {
    if (this.closeCode !== null) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('socket not closed in time')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}
