import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { DEFAULT_LIMITS } from "../../src/features/limits/model";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";

/** The instance admin's usage, limits and settings pages and their JSON. */

const clock = fakeClock(new Date("2026-03-10T09:29:00Z"));
const page = { accept: "text/html" };
const htmx = { "hx-request": "true" };
const hour = (iso: string) => new Date(iso).getTime();

let t: TestApp;
let admin: Client;
let member: Client;
let adminWorkspace: string;
let memberWorkspace: string;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  admin = new Client(t.app);
  const first = await admin.signup("root@example.com");
  adminWorkspace = first.workspace.id;
  adminId = first.user.id;
  member = new Client(t.app);
  // Workspaces are listed oldest first.
  clock.advance(60_000);
  memberWorkspace = (await member.signup("member@example.com")).workspace.id;

  const { db } = t.database;
  const stat = (campaignId: string, at: string, counts: { sent?: number; delivered?: number; bounced?: number; complained?: number }) => ({
    workspaceId: adminWorkspace,
    campaignId,
    hour: hour(at),
    ...counts,
  });
  await db.orm.insert(db.t.campaignStats).values([
    stat("cmp_a", "2026-03-10T08:00:00Z", { sent: 100, delivered: 90, bounced: 5, complained: 1 }),
    stat("cmp_a", "2026-03-10T00:00:00Z", { sent: 20, delivered: 20 }),
    stat("cmp_a", "2026-03-09T23:00:00Z", { sent: 7 }),
    stat("cmp_b", "2026-03-01T00:00:00Z", { sent: 3 }),
    // Last month: not "this month", but within the 30 days the rates look at.
    stat("cmp_b", "2026-02-28T23:00:00Z", { sent: 50, delivered: 40, bounced: 10 }),
    // Older than 30 days: counted nowhere.
    stat("cmp_c", "2026-02-01T00:00:00Z", { sent: 1000, bounced: 1000 }),
  ]);
  const sample = (at: string, sentLast24Hours: number) => ({
    workspaceId: adminWorkspace,
    region: "eu-west-1",
    at: new Date(at),
    sendingEnabled: true,
    productionAccess: true,
    enforcementStatus: "HEALTHY",
    maxSendRate: 14,
    max24HourSend: 50000,
    sentLast24Hours,
  });
  await db.orm.insert(db.t.awsAccountSamples).values([sample("2026-03-10T07:00:00Z", 900), sample("2026-03-10T09:00:00Z", 1250)]);
  await db.orm.insert(db.t.apiKeys).values({
    id: "key_deploy",
    workspaceId: adminWorkspace,
    name: "Deploy",
    scope: "send",
    keyHash: "hash-of-a-secret-key",
    prefix: "ses_dep",
    createdBy: adminId,
    createdAt: new Date("2026-03-01T00:00:00Z"),
    role: "member",
  });
});
afterAll(async () => {
  await t.close();
});

describe("usage per workspace", () => {
  test("counts come from the counters and quota readings: today and this month in UTC, rates over 30 days", async () => {
    const reply = await admin.get("/admin/workspaces");
    expect(reply.status).toBe(200);
    expect(reply.json.items).toEqual([
      {
        id: adminWorkspace,
        name: "root's workspace",
        members: 1,
        sentToday: 120,
        sentThisMonth: 130,
        quota: { max24HourSend: 50000, sentLast24Hours: 1250, region: "eu-west-1", measuredAt: "2026-03-10T09:00:00.000Z" },
        bounceRate: 15 / 165,
        complaintRate: 1 / 150,
      },
      { id: memberWorkspace, name: "member's workspace", members: 1, sentToday: 0, sentThisMonth: 0, quota: null, bounceRate: null, complaintRate: null },
    ]);
  });

  test("the usage page shows the same numbers; others get 403", async () => {
    const html = (await admin.get("/admin/workspaces", page)).text;
    expect(html).toContain('data-testid="admin-usage"');
    expect(html).toContain("1,250 of 50,000");
    expect(html).toContain("9.1%");
    expect(html).toContain("0.67%");
    expect(html).toContain("not read yet");
    expect((await member.get("/admin/workspaces")).status).toBe(403);
    expect((await member.get("/admin/workspaces", page)).status).toBe(403);
  });
});

describe("API limits", () => {
  test("per role: the defaults until set, JSON or the page's form, blank is no limit, nonsense a 422", async () => {
    expect((await admin.get("/admin/limits")).json).toEqual(DEFAULT_LIMITS);
    const roles = { owner: { requestsPerMinute: 100, mailsPerDay: null }, admin: { requestsPerMinute: 60, mailsPerDay: 5000 }, member: { requestsPerMinute: 10, mailsPerDay: 500 } };
    const saved = await admin.put("/admin/limits", { roles });
    expect(saved.status).toBe(200);
    expect(saved.json).toEqual({ roles });
    expect((await admin.get("/admin/limits")).json).toEqual({ roles });

    const form = (fields: Record<string, string>) =>
      admin.request("PUT", "/admin/limits", { body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded", ...htmx } });
    const blank = await form({
      "owner.requestsPerMinute": "",
      "owner.mailsPerDay": "",
      "admin.requestsPerMinute": "30",
      "admin.mailsPerDay": "",
      "member.requestsPerMinute": "5",
      "member.mailsPerDay": "200",
    });
    expect(blank.status).toBe(200);
    expect((await admin.get("/admin/limits")).json.roles).toEqual({
      owner: { requestsPerMinute: null, mailsPerDay: null },
      admin: { requestsPerMinute: 30, mailsPerDay: null },
      member: { requestsPerMinute: 5, mailsPerDay: 200 },
    });
    const nonsense = await form({ "member.requestsPerMinute": "lots" });
    expect(nonsense.status).toBe(422);
    expect(JSON.parse(nonsense.headers.get("hx-trigger")!)["field-error"].field).toBe("member.requestsPerMinute");
    expect((await admin.put("/admin/limits", { roles: { ...roles, member: { requestsPerMinute: 0, mailsPerDay: null } } })).status).toBe(422);
    expect((await admin.get("/admin/limits")).json.roles.member).toEqual({ requestsPerMinute: 5, mailsPerDay: 200 });
    expect((await member.put("/admin/limits", { roles })).status).toBe(403);
  });

  test("per key: its own limits replace the role's, null clears them; the page lists keys without their secret", async () => {
    const set = await admin.patch("/admin/api-keys/key_deploy", { requestsPerMinute: 3, mailsPerDay: null });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ id: "key_deploy", requestsPerMinute: 3, mailsPerDay: null });
    const { db } = t.database;
    const [row] = await db.orm.select().from(db.t.apiKeys).where(eq(db.t.apiKeys.id, "key_deploy"));
    expect(row).toMatchObject({ requestsPerMinute: 3, mailsPerDay: null });

    const html = (await admin.get("/admin/limits", page)).text;
    expect(html).toContain('data-testid="key-limits"');
    expect(html).toContain("Deploy");
    expect(html).toContain('name="requestsPerMinute" type="number" min="1" step="1" inputmode="numeric" value="3"');
    expect(html).not.toContain("hash-of-a-secret-key");

    expect((await admin.patch("/admin/api-keys/key_deploy", { requestsPerMinute: null, mailsPerDay: null })).json).toEqual({ id: "key_deploy", requestsPerMinute: null, mailsPerDay: null });
    expect((await admin.patch("/admin/api-keys/key_nope", { requestsPerMinute: 1, mailsPerDay: 1 })).status).toBe(404);
    expect((await admin.patch("/admin/api-keys/key_deploy", { requestsPerMinute: -4, mailsPerDay: null })).status).toBe(422);
    expect((await member.patch("/admin/api-keys/key_deploy", { requestsPerMinute: 1000, mailsPerDay: null })).status).toBe(403);
  });
});

describe("admin pages", () => {
  test("each admin page renders with its tabs for an admin and is refused to anyone else", async () => {
    for (const path of ["/admin", "/admin/workspaces", "/admin/settings", "/admin/limits"]) {
      const reply = await admin.get(path, page);
      expect(reply.status).toBe(200);
      expect(reply.text).toContain('data-testid="admin-tabs"');
      expect(reply.text).toContain(`href="${path}" aria-current="page"`);
      expect((await member.get(path, page)).status).toBe(403);
    }
    const settings = (await admin.get("/admin/settings", page)).text;
    expect(settings).toContain('name="mode" value="open" checked');
    expect(settings).toContain("No workspace has saved AWS keys with a verified sender yet");
    const users = await admin.get("/admin/users", page);
    expect(users.status).toBe(303);
    expect(users.headers.get("location")).toBe("/admin");
  });
});
