/**
 * A minimal client of the WebSocket API for benchmarks that hold thousands of sockets: numbered
 * requests with their answers, and events handed to a callback and then dropped. Unlike
 * test/helpers/ws-client.ts it keeps no event history, so 10,000 of them cost the bench process
 * little memory and the bench's event loop little time.
 */
import WebSocket from 'ws';

type OnEvent = (event: string, data: any) => void;

export class LightClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (d: unknown) => void; reject: (e: Error) => void; op: string }>();

  private constructor(
    private readonly ws: WebSocket,
    private readonly onEvent: OnEvent | null,
  ) {
    ws.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { id?: number; ok?: boolean; data?: unknown; error?: { code: string; message: string }; event?: string };
      if (msg.event !== undefined) {
        this.onEvent?.(msg.event, msg.data);
        return;
      }
      const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.ok) p.resolve(msg.data);
      else p.reject(new Error(`${p.op} failed: ${msg.error?.code} ${msg.error?.message}`));
    });
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error(`${p.op}: the socket closed`));
      this.pending.clear();
    });
  }

  static open(url: string, onEvent: OnEvent | null = null): Promise<LightClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.once('open', () => resolve(new LightClient(ws, onEvent)));
      ws.once('error', reject);
    });
  }

  /** Sends a request; resolves with its data, rejects on an error answer or after `timeoutMs`. */
  call(op: string, data: object = {}, timeoutMs = 30_000): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${op} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        op,
        resolve: (d) => {
          clearTimeout(t);
          resolve(d);
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      this.ws.send(JSON.stringify({ id, op, data }));
    });
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 5000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close();
    });
  }
}
