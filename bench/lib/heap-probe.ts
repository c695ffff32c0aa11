/**
 * Preloaded into the daemon by the fault run (`node --expose-gc --import tsx --import
 * bench/lib/heap-probe.ts src/main.ts`): every FAULT_PROBE_MS (default 2,000) ms it runs a full GC
 * (when `--expose-gc` is given) and appends one JSON line `{atMs, rssMiB, heapUsedMiB,
 * heapTotalMiB, externalMiB, gc}` to FAULT_PROBE_OUT. Heap measured right after a full GC is what
 * is still reachable: the signal for "memory flat", free of the sawtooth of young garbage.
 * Costs one full GC (a few ms at the daemon's heap size) per sample.
 *
 * FAULT_PROBE_SNAPSHOTS=40,100 (seconds after the probe started) also writes a V8 heap snapshot
 * at each of those times into FAULT_PROBE_SNAPSHOT_DIR (default: the directory of
 * FAULT_PROBE_OUT), named `heap-<s>s.heapsnapshot`: two of them, compared by constructor
 * (`node --import tsx bench/lib/heap-diff.ts a b`), say what grows.
 */
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const file = process.env.FAULT_PROBE_OUT;
if (file) {
  const everyMs = Number(process.env.FAULT_PROBE_MS ?? 2000);
  const gc = (globalThis as { gc?: () => void }).gc;
  const mib = (b: number) => Math.round((b / 1048576) * 10) / 10;
  setInterval(() => {
    if (gc) gc();
    const m = process.memoryUsage();
    try {
      // Which of V8's spaces holds the reserved heap (space_size) and how much of it is live.
      const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, [mib(sp.space_size), mib(sp.space_used_size)]]));
      appendFileSync(file, `${JSON.stringify({ atMs: Date.now(), rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), heapTotalMiB: mib(m.heapTotal), externalMiB: mib(m.external), gc: gc !== undefined, spaces })}\n`);
    } catch {
      // the run is over and its directory gone
    }
  }, everyMs).unref();
  const dir = process.env.FAULT_PROBE_SNAPSHOT_DIR ?? dirname(file);
  for (const at of (process.env.FAULT_PROBE_SNAPSHOTS ?? '').split(',').map(Number).filter((n) => n > 0)) {
    setTimeout(() => {
      if (gc) gc();
      try {
        writeHeapSnapshot(join(dir, `heap-${at}s.heapsnapshot`));
      } catch {
        // the directory is gone: the run is over
      }
    }, at * 1000).unref();
  }
}
