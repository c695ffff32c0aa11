/**
 * Runs an async job per item with at most `limit` in flight (monitor set-up of thousands of
 * devices must not flood the switch nor go one by one). Each job handles its own errors; `stop`
 * lets the caller abandon the rest (e.g. the link dropped).
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  limit: number,
  job: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  const it = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (let r = it.next(); !r.done; r = it.next()) {
      if (stop()) return;
      await job(r.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
