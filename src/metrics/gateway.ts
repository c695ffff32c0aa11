/**
 * WebSocket gateway metrics, all read at scrape time: sessions (connected, or detached and waiting
 * to be resumed), the bytes held for clients (unsent on sockets, kept for resume), the budget they
 * share and what the budget cut off or dropped so far (gateway/memory-budget.ts).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { deltaOf } from './registry.ts';

/** What a session looks like from here (gateway/session.ts). */
export interface SessionView {
  socket: { readyState: number; readonly OPEN: number; bufferedAmount: number } | null;
  bufferedBytes: number;
}

export interface GatewaySource {
  sessions(): Iterable<SessionView>;
  /** The memory budget's figures (ws-gateway.ts `memoryStats`). */
  memory(): { budgetBytes: number; cut: number; shedBytes: number };
}

export class GatewayMetrics {
  private source: GatewaySource | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    const read = () => this.source;
    new Gauge({
      name: 'switchboard_ws_sessions',
      help: 'WebSocket sessions by state: connected (a socket open), detached (its socket dropped; resumable until RESUME_GRACE_S).',
      labelNames: ['state'],
      registers,
      collect() {
        let connected = 0;
        let detached = 0;
        for (const s of read()?.sessions() ?? []) {
          if (s.socket && s.socket.readyState === s.socket.OPEN) connected++;
          else detached++;
        }
        this.set({ state: 'connected' }, connected);
        this.set({ state: 'detached' }, detached);
      },
    });
    new Gauge({
      name: 'switchboard_ws_buffered_bytes',
      help: 'Bytes the gateway holds for its clients: unsent (queued on sockets, not yet taken by a slow client), resume (events kept for session.resume).',
      labelNames: ['kind'],
      registers,
      collect() {
        let unsent = 0;
        let resume = 0;
        for (const s of read()?.sessions() ?? []) {
          if (s.socket && s.socket.readyState === s.socket.OPEN) unsent += s.socket.bufferedAmount;
          resume += s.bufferedBytes;
        }
        this.set({ kind: 'unsent' }, unsent);
        this.set({ kind: 'resume' }, resume);
      },
    });
    new Gauge({
      name: 'switchboard_ws_buffer_budget_bytes',
      help: 'The budget of switchboard_ws_buffered_bytes (both kinds together; WS_BUFFER_BUDGET_MB): past it, the slowest clients are cut off.',
      registers,
      collect() {
        const s = read();
        if (s) this.set(s.memory().budgetBytes);
      },
    });
    const cut = deltaOf(() => read()?.memory().cut ?? 0);
    new Counter({
      name: 'switchboard_ws_slow_clients_cut_total',
      help: 'Clients cut off (1008) because the buffer budget was exceeded; their sessions stay resumable.',
      registers,
      collect() {
        this.inc(cut());
      },
    });
    const shed = deltaOf(() => read()?.memory().shedBytes ?? 0);
    new Counter({
      name: 'switchboard_ws_resume_shed_bytes_total',
      help: 'Bytes of resume buffers dropped because the buffer budget was exceeded (a resume from before them gets a snapshot).',
      registers,
      collect() {
        this.inc(shed());
      },
    });
  }

  watch(source: GatewaySource): void {
    this.source = source;
  }
}
