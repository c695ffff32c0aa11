/**
 * The daemon's metrics (docs/metrics.md), in Prometheus text format from its own registry. Made
 * before the parts they measure, so that the hot paths get their meters at construction
 * (routing, the CSTA link, the write queue, overload refusals); the figures read at scrape time are attached once
 * the daemon's parts exist (wiring/metrics.ts).
 */
import { Registry } from 'prom-client';
import { CallAgentMetrics } from './calls-agents.ts';
import { CstaMetrics } from './csta.ts';
import { GatewayMetrics } from './gateway.ts';
import { OverloadMetrics } from './overload.ts';
import { createRegistry, processRegistry } from './registry.ts';
import { RoutingMetrics } from './routing.ts';
import { StorageMetrics } from './storage.ts';

export interface MetricsOptions {
  /** prom-client's process metrics (event loop, GC, heap, RSS, CPU) in the scrape: registry.ts. */
  defaultMetrics: boolean;
  /** The wire to the switch, a label of switchboard_csta_link_up. */
  transport: string;
}

export class DaemonMetrics {
  /** This daemon's own metrics (the process's are apart: `exposed`). */
  readonly registry: Registry;
  private readonly withProcess: boolean;
  readonly routing: RoutingMetrics;
  readonly csta: CstaMetrics;
  readonly storage: StorageMetrics;
  readonly callsAgents: CallAgentMetrics;
  readonly gateway: GatewayMetrics;
  readonly overload: OverloadMetrics;

  constructor(opts: MetricsOptions) {
    this.registry = createRegistry();
    this.withProcess = opts.defaultMetrics;
    this.routing = new RoutingMetrics(this.registry);
    this.csta = new CstaMetrics(this.registry, opts.transport);
    this.storage = new StorageMetrics(this.registry);
    this.callsAgents = new CallAgentMetrics(this.registry);
    this.gateway = new GatewayMetrics(this.registry);
    this.overload = new OverloadMetrics(this.registry);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** What a scrape shows: this daemon's metrics and, when asked, the process's. */
  exposed(): Registry {
    return this.withProcess ? Registry.merge([this.registry, processRegistry()]) : this.registry;
  }

  /** Every metric in the Prometheus text format (0.0.4). */
  scrape(): Promise<string> {
    return this.exposed().metrics();
  }

  close(): void {
    this.csta.close();
    this.registry.clear();
  }
}
