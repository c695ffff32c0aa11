/**
 * Preloaded into the daemon by the fault run (`node --expose-gc --import tsx --import
 * bench/lib/heap-probe.ts src/main.ts`): every FAULT_PROBE_MS (default 2,000) ms it runs a full GC
 * (when `--expose-gc` is given) and appends one JSON line `{atMs, rssMiB, heapUsedMiB,
 * heapTotalMiB, externalMiB, gc}` to FAULT_PROBE_OUT. Heap measured right after a full GC is what
 * is still reachable: the signal for "memory flat", free of the sawtooth of young garbage.
 * Costs one full GC (a few ms at the daemon's heap size) per sample.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.FAULT_PROBE_OUT;
if (file) {
  const everyMs = Number(process.env.FAULT_PROBE_MS ?? 2000);
  const gc = (globalThis as { gc?: () => void }).gc;
  const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
  setInterval(() => {
    if (gc) gc();
    const m = process.memoryUsage();
    try {
      appendFileSync(file, `${JSON.stringify({ atMs: Date.now(), rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), heapTotalMiB: mib(m.heapTotal), externalMiB: mib(m.external), gc: gc !== undefined })}\n`);
    } catch {
      // the run is over and its directory gone
    }
  }, everyMs).unref();
}
