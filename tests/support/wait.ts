/** Polls `what` until `done` holds or the time runs out, and returns the last value (the test asserts on it). */
export async function waitFor<T>(what: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (done(v) || Date.now() > end) return v;
    await Bun.sleep(everyMs);
  }
}
