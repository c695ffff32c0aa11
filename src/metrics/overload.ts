/**
 * Overload metrics (docs/overload.md): calls refused at the pilot by cause (counted as they
 * happen, through the OverloadMeter port of services/overload/admission-gate.ts), and, read at
 * scrape time from the admission control, whether new calls are being refused and which signals
 * are over their high water mark.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { OVERLOAD_CAUSES, type OverloadCause } from '../services/overload/admission.ts';
import type { OverloadMeter } from '../services/overload/admission-gate.ts';

/** What the gauges read: the admission control's signals (null: admission is off). */
export interface AdmissionSource {
  isOver(cause: OverloadCause): boolean;
}

export class OverloadMetrics implements OverloadMeter {
  private readonly byCause: Record<OverloadCause, { inc(): void }>;
  private source: AdmissionSource | null = null;

  constructor(registry: Registry) {
    const registers = [registry];
    const shed = new Counter({
      name: 'switchboard_overload_shed_total',
      help: "New calls refused at their pilot because the daemon is overloaded (answered RouteEnd: the switch applies the pilot's fallback), by cause: eventLoop, memory, storageBacklog, routeDialogues, callsInRouting.",
      labelNames: ['cause'],
      registers,
    });
    this.byCause = Object.fromEntries(OVERLOAD_CAUSES.map((c) => [c, shed.labels(c)])) as OverloadMetrics['byCause'];
    for (const c of OVERLOAD_CAUSES) shed.labels(c).inc(0);
    const self = this;
    new Gauge({
      name: 'switchboard_overload_refusing',
      help: '1 while new calls are refused for overload (some signal is over its high water mark and not yet back under its low one), else 0 (also when admission control is off).',
      registers,
      collect() {
        const s = self.source;
        this.set(s && OVERLOAD_CAUSES.some((c) => s.isOver(c)) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'switchboard_overload_signal_over',
      help: '1 for each overload signal over its high water mark now (until it is back under its low one), else 0.',
      labelNames: ['signal'],
      registers,
      collect() {
        const s = self.source;
        for (const c of OVERLOAD_CAUSES) this.set({ signal: c }, s?.isOver(c) ? 1 : 0);
      },
    });
  }

  shed(cause: OverloadCause): void {
    this.byCause[cause].inc();
  }

  watch(source: AdmissionSource): void {
    this.source = source;
  }
}
