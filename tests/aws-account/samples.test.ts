import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { sampleAccounts } from "../../src/features/aws-account/samples.job";
import { fakeClock } from "../support/app";
import { ACCOUNT } from "../support/aws";
import { page, startAccountTests, text, type AccountTests } from "./support";

const clock = fakeClock(new Date("2026-06-01T10:00:00Z"));
let s: AccountTests;
beforeAll(async () => {
  s = await startAccountTests({ clock });
});
afterAll(async () => {
  await s.stop();
});
afterEach(() => s.aws.fake.faults.clear());

const MINUTE = 60_000;

async function samples(workspaceId: string) {
  const { db } = s.t.database;
  const t = db.t.awsAccountSamples;
  return db.orm.select().from(t).where(eq(t.workspaceId, workspaceId)).orderBy(asc(t.at), asc(t.id));
}

const getAccountCalls = (accessKeyId: string) => s.aws.fake.calls.filter((c) => c.action === "GetAccount" && c.accessKeyId === accessKeyId).length;

describe("the account's history", () => {
  test("the background job reads the account of workspaces with saved keys only, and keeps the reading", async () => {
    const saved = await s.owner();
    const sessionOnly = await s.owner({ save: false });
    await sampleAccounts(s.t.deps);
    const rows = await samples(saved.workspaceId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      region: "eu-west-1",
      sendingEnabled: true,
      productionAccess: true,
      enforcementStatus: "HEALTHY",
      reviewStatus: "GRANTED",
      maxSendRate: 14,
      max24HourSend: 50000,
      sentLast24Hours: 12500,
      vdmEnabled: false,
    });
    expect(rows[0]!.at.getTime()).toBe(clock.now().getTime());
    expect(await samples(sessionOnly.workspaceId)).toEqual([]);
    expect(getAccountCalls(sessionOnly.key.accessKeyId)).toBe(1);
  });

  test("a change from healthy to under review is recorded once, and the page shows it at its time in the person's zone", async () => {
    const { c, workspaceId, userId, account } = await s.owner();
    await sampleAccounts(s.t.deps);
    clock.advance(5 * MINUTE);
    account().EnforcementStatus = "PROBATION";
    await sampleAccounts(s.t.deps);
    const changedAt = clock.now();
    clock.advance(5 * MINUTE);
    await sampleAccounts(s.t.deps);
    clock.advance(5 * MINUTE);
    await sampleAccounts(s.t.deps);
    expect((await samples(workspaceId)).map((r) => r.enforcementStatus)).toEqual(["HEALTHY", "PROBATION"]);

    const json = (await c.get("/aws/account")).json;
    expect(json.history).toHaveLength(2);
    expect(json.history[0]).toEqual({ at: changedAt.toISOString(), first: false, changes: [{ field: "enforcementStatus", from: "HEALTHY", to: "PROBATION" }] });
    expect(json.history[1].first).toBe(true);
    // The page's own reading was the same: still two.
    expect(await samples(workspaceId)).toHaveLength(2);

    const { db } = s.t.database;
    await db.orm.update(db.t.users).set({ timeZone: "Asia/Tokyo" }).where(eq(db.t.users.id, userId));
    const html = text((await c.get("/settings/aws/account", page)).text);
    const row = new RegExp(`<time datetime="${changedAt.toISOString()}"[^]*?</tr>`).exec(html)?.[0] ?? "";
    // 10:05 UTC is 19:05 in Tokyo.
    expect(row).toContain("19:05");
    expect(row).toContain("(Asia/Tokyo)");
    expect(row).toContain("Account status: Healthy → Under review");
  });

  test("each workspace's account is read at most every five minutes", async () => {
    const { key } = await s.owner();
    await sampleAccounts(s.t.deps);
    await sampleAccounts(s.t.deps);
    expect(getAccountCalls(key.accessKeyId)).toBe(2); // the connect, then one reading
    clock.advance(4 * MINUTE);
    await sampleAccounts(s.t.deps);
    expect(getAccountCalls(key.accessKeyId)).toBe(2);
    clock.advance(MINUTE);
    await sampleAccounts(s.t.deps);
    expect(getAccountCalls(key.accessKeyId)).toBe(3);
  });

  test("an unchanged account is kept once an hour (the quota over time), and readings older than 90 days are dropped", async () => {
    const { workspaceId, account } = await s.owner();
    await sampleAccounts(s.t.deps);
    clock.advance(30 * MINUTE);
    account().SendQuota.SentLast24Hours = 13000;
    await sampleAccounts(s.t.deps);
    expect(await samples(workspaceId)).toHaveLength(1);
    clock.advance(30 * MINUTE);
    await sampleAccounts(s.t.deps);
    const rows = await samples(workspaceId);
    expect(rows.map((r) => r.sentLast24Hours)).toEqual([12500, 13000]);

    clock.advance(91 * 24 * 60 * MINUTE);
    await sampleAccounts(s.t.deps);
    const left = await samples(workspaceId);
    expect(left).toHaveLength(1);
    expect(left[0]!.at.getTime()).toBe(clock.now().getTime());
  });

  test("one workspace's refused keys do not stop the others' readings, and the refusal is logged without secrets", async () => {
    // Keys denied GetAccount cannot connect: the denial comes after connecting.
    const failing = await s.owner();
    const working = await s.owner();
    s.aws.fake.keys.get(failing.key.accessKeyId)!.deny = ["ses:GetAccount"];
    const since = s.t.logs.length;
    await sampleAccounts(s.t.deps);
    expect(await samples(failing.workspaceId)).toEqual([]);
    expect(await samples(working.workspaceId)).toHaveLength(1);
    const logged = s.t.logs.slice(since).join("\n");
    expect(logged).toContain("account sample failed");
    expect(logged).toContain(failing.workspaceId);
    expect(logged).not.toContain(failing.key.secretAccessKey);
  });

  test("the Account page's reading counts too, for session-only keys only while the workspace has no saved ones", async () => {
    const alone = await s.owner({ save: false });
    expect((await alone.c.get("/aws/account")).status).toBe(200);
    expect(await samples(alone.workspaceId)).toHaveLength(1);

    const { workspaceId } = await s.owner();
    const { c } = await s.member(workspaceId);
    const own = s.newKey({ account: { ...ACCOUNT, EnforcementStatus: "SHUTDOWN" } });
    await c.post("/aws/connect", { ...own, region: "eu-west-1", save: false });
    expect((await c.get("/aws/account")).status).toBe(200);
    expect((await samples(workspaceId)).map((r) => r.enforcementStatus)).not.toContain("SHUTDOWN");
  });
});
