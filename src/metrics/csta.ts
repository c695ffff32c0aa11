/**
 * CSTA link metrics: whether the link to the switch is up (read at scrape time), how often it went
 * down and came back (counted from the PBX port's linkDown / linkUp events), and the round trip of
 * each of our requests, by request type, from written to answered (pbx-adapters/csta/link.ts,
 * where invoke ids are matched to answers, over Annex G and SIP alike).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PbxEvent } from '../core/pbx-port.ts';
import type { CstaRequestMeter } from '../pbx-adapters/csta/link.ts';
import { cached } from './registry.ts';

/** A switch on the LAN answers in a millisecond or two; 5 s is the request timeout. */
export const CSTA_RTT_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface LinkSource {
  readonly linkUp: boolean;
  onEvent(listener: (event: PbxEvent) => void): () => void;
}

export class CstaMetrics implements CstaRequestMeter {
  private readonly rtt: (type: string) => { observe(v: number): void };
  private readonly timeouts: (type: string) => { inc(): void };
  private readonly reconnects: Counter;
  private readonly downs: Counter;
  private link: LinkSource | null = null;
  private unsubscribe: (() => void) | null = null;

  /** `transport`: the wire to the switch, a label of the link gauge (annex-g, sip-csta-udp, …). */
  constructor(registry: Registry, transport: string) {
    const registers = [registry];
    const read = () => this.link;
    new Gauge({
      name: 'switchboard_csta_link_up',
      help: '1 while the CSTA link to the switch is up (session, monitors and snapshot done), else 0.',
      labelNames: ['transport'],
      registers,
      collect() {
        this.set({ transport }, read()?.linkUp ? 1 : 0);
      },
    });
    this.reconnects = new Counter({ name: 'switchboard_csta_link_reconnects_total', help: 'Times the CSTA link came back up after it had been up before.', registers });
    this.downs = new Counter({ name: 'switchboard_csta_link_downs_total', help: 'Times the CSTA link went down (or a first connection failed).', registers });
    const rtt = new Histogram({
      name: 'switchboard_csta_request_duration_seconds',
      help: 'Round trip of a CSTA request of ours, from written to its answer (a response or a CSTAErrorCode), by request type.',
      labelNames: ['request'],
      buckets: CSTA_RTT_BUCKETS_S,
      registers,
    });
    this.rtt = cached((type) => rtt.labels(type));
    const timeouts = new Counter({
      name: 'switchboard_csta_request_timeouts_total',
      help: 'CSTA requests of ours the switch did not answer in time, by request type.',
      labelNames: ['request'],
      registers,
    });
    this.timeouts = cached((type) => timeouts.labels(type));
  }

  answered(type: string, ms: number): void {
    this.rtt(type).observe(ms / 1000);
  }

  timedOut(type: string): void {
    this.timeouts(type).inc();
  }

  /** Follows the link's state; call before the link is started so the first linkUp is seen. */
  watchLink(link: LinkSource): void {
    this.unsubscribe?.();
    this.link = link;
    this.unsubscribe = link.onEvent((event) => {
      if (event.kind === 'linkUp') {
        if (event.reconnect) this.reconnects.inc();
      } else if (event.kind === 'linkDown') this.downs.inc();
    });
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
