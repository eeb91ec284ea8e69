import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { burstDeadline, sendDeadline } from "../../src/features/campaigns/send.job";
import { batchPlan, giveBack, reserveSends, slowDown } from "../../src/jobs/pacing";
import { createTestDatabase, type TestDatabase } from "../support/db";

/** The workspace's pace: no second ever holds more than MaxSendRate, whichever way batches go out. */

/** The most sends any half-open window of `windowMs` holds, for bursts of `size` at `times`. */
function busiest(times: number[], size: number, windowMs = 1000): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= windowMs) j++;
    most = Math.max(most, (i - j + 1) * size);
  }
  return most;
}

describe("batch plans", () => {
  test("bursts of SendBulkEmail never put more than the rate into one second, at any rate from 1 to 1,000", () => {
    for (let rate = 1; rate <= 1000; rate++) {
      const plan = batchPlan(rate, { bulk: true, max: 50 });
      expect(plan.want).toBeLessThanOrEqual(50);
      // Every other burst leaves as late as it may.
      const times = Array.from({ length: 200 }, (_, i) => {
        const start = i * plan.spanMs;
        return i % 2 ? (burstDeadline(start, plan.spanMs) ?? start) : start;
      });
      expect({ rate, busiest: busiest(times, plan.want) <= rate }).toEqual({ rate, busiest: true });
      // And they use most of it: at least 90% of the rate over the run.
      expect((plan.want * 1000) / plan.spanMs).toBeGreaterThanOrEqual(rate * 0.9);
    }
  });

  test("sends one by one, each as late as it may leave, never put more than the rate into one second", () => {
    for (const rate of [1, 2, 14, 50, 51, 99, 200, 500, 970]) {
      const plan = batchPlan(rate, { bulk: false, max: 100 });
      const slots = Array.from({ length: rate * 5 }, (_, i) => i * plan.intervalMs);
      // Every other send leaves as late as it may.
      const sent = slots.map((t, i) => (i % 2 ? (sendDeadline(t, plan.intervalMs) ?? t) : t)).sort((a, b) => a - b);
      expect({ rate, ok: busiest(sent, 1) <= rate }).toEqual({ rate, ok: true });
    }
  });
});

describe("reservations in the database", () => {
  let t: TestDatabase;
  const account = async () => ({ maxSendRate: 10, max24HourSend: 25, sentLast24Hours: 0 });
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  test("reservations made at once get consecutive stretches; unused slots go back when no one reserved after them", async () => {
    const now = Date.now();
    const [a, b] = await Promise.all([reserveSends(t.db, "w1", 5, 500, now, account), reserveSends(t.db, "w1", 5, 500, now, account)]);
    if (!("startAt" in a) || !("startAt" in b)) throw new Error("no reservation");
    const [first, second] = [a, b].sort((x, y) => x.startAt - y.startAt);
    expect(second!.startAt).toBe(first!.startAt + 500);
    await giveBack(t.db, "w1", 5, second!);
    const [row] = await t.db.rows<{ next_slot_at: number; sent_last_24_hours: number }>(sql`select next_slot_at, sent_last_24_hours from send_pacing where workspace_id = 'w1'`);
    expect(Number(row!.next_slot_at)).toBe(second!.startAt);
    expect(Number(row!.sent_last_24_hours)).toBe(5);
  });

  test("the 24-hour quota grants what is left, then nothing", async () => {
    const now = Date.now();
    const partial = await reserveSends(t.db, "w2", 20, 100, now, account);
    expect(partial.count).toBe(20);
    const rest = await reserveSends(t.db, "w2", 10, 100, now, account);
    expect(rest.count).toBe(5);
    expect(await reserveSends(t.db, "w2", 1, 100, now, account)).toEqual({ count: 0, quota: true });
  });

  test("throttling halves the rate and holds every sender back", async () => {
    const now = Date.now();
    await reserveSends(t.db, "w3", 1, 100, now, account);
    await slowDown(t.db, "w3", now, 2_000);
    const after = await reserveSends(t.db, "w3", 1, 100, now, account);
    if (!("startAt" in after)) throw new Error("no reservation");
    expect(after.rate).toBe(5);
    expect(after.startAt).toBeGreaterThanOrEqual(now + 2_000);
  });
});
