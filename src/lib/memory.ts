/**
 * A full garbage collection, only when the process has grown past `GC_ABOVE_BYTES`. Sending leaves much
 * short-lived garbage (rendered HTML, SDK requests, query rows) that JSC collects late; at full speed
 * a collection every couple of seconds holds peak memory under 300 MB (bench/send). A paced send
 * stays small and is never paused by one, so its mails keep their slots (a collection can stop the
 * thread for tens of milliseconds, longer than a send may be late).
 */
export const GC_ABOVE_BYTES = 180 * 1024 * 1024;

export function collectIfLarge(): boolean {
  if (process.memoryUsage.rss() < GC_ABOVE_BYTES) return false;
  Bun.gc(true);
  return true;
}
