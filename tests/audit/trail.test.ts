import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { auditIdle } from "../../src/features/audit/trail";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

/** What the audit trail records from real requests: who, what, when and where, once, and never a secret. */

const KEY = { accessKeyId: "AKIAAUDITTRAIL000001", secretAccessKey: "audit-trail-secret-access-key-0000000000" };
const PASSWORD = "owner password 123";
const WHERE = { "x-forwarded-for": "203.0.113.7", "user-agent": "AuditTest/1.0" };

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let owner: Client;
let ownerId: string;
let workspaceId: string;

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  // One proxy in front: X-Forwarded-For says where each request came from.
  t = await createTestApp({ env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, TRUST_PROXY: "1" } });
  owner = new Client(t.app);
  const signup = await owner.post("/auth/signup", { email: "owner@example.com", password: PASSWORD }, WHERE);
  ownerId = signup.json.user.id;
  workspaceId = signup.json.workspace.id;
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

type Row = typeof import("../../src/db/schema.sqlite").auditLog.$inferSelect;

/** Every row written so far (after the writes still on their way). */
async function rows(where: { action?: string; workspaceId?: string | null } = {}): Promise<Row[]> {
  await auditIdle();
  const { auditLog } = t.deps.db.t;
  const all = await t.deps.db.orm.select().from(auditLog).orderBy(auditLog.at, auditLog.id);
  return all.filter((r) => (where.action === undefined || r.action === where.action) && (where.workspaceId === undefined || r.workspaceId === where.workspaceId));
}

describe("the account's own actions", () => {
  test("sign-up and sign-in are recorded once each in the account's workspace, with who, when and from where", async () => {
    const before = Date.now();
    const again = new Client(t.app);
    expect((await again.post("/auth/login", { email: "owner@example.com", password: PASSWORD }, WHERE)).status).toBe(200);
    const signups = await rows({ action: "auth.signup" });
    const logins = await rows({ action: "auth.login" });
    expect(signups).toHaveLength(1);
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ workspaceId, actorType: "user", actorId: ownerId, actorLabel: "owner@example.com", ip: "203.0.113.7", userAgent: "AuditTest/1.0" });
    expect(logins[0]!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(logins[0]!.at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test("a wrong password is a failed sign-in in the account's workspaces; an unknown address goes in the instance's log", async () => {
    const stranger = new Client(t.app);
    expect((await stranger.post("/auth/login", { email: "Owner@Example.com", password: "not it at all" }, { ...WHERE, "x-forwarded-for": "198.51.100.1" })).status).toBe(401);
    expect((await stranger.post("/auth/login", { email: "nobody@example.com", password: "not it at all" }, { ...WHERE, "x-forwarded-for": "198.51.100.1" })).status).toBe(401);
    const failed = await rows({ action: "auth.login_failed" });
    expect(failed).toHaveLength(2);
    expect(failed[0]).toMatchObject({ workspaceId, actorType: "anonymous", actorId: null, actorLabel: "owner@example.com", targetType: "user", targetId: ownerId, ip: "198.51.100.1" });
    expect(failed[0]!.detail).toEqual({ reason: "invalid_credentials" });
    expect(failed[1]).toMatchObject({ workspaceId: null, actorType: "anonymous", actorLabel: "nobody@example.com", targetType: null });
  });

  test("what was typed as the email is kept only when it is an email address", async () => {
    expect((await new Client(t.app).post("/auth/login", { email: "hunter2-my-password", password: "whatever it is" }, WHERE)).status).toBe(401);
    const [entry] = (await rows({ action: "auth.login_failed" })).slice(-1);
    expect(entry!.actorLabel).toBe("Someone (no valid email address given)");
    expect(JSON.stringify(await rows())).not.toContain("hunter2-my-password");
  });

  test("sign-ins refused for too many failures are recorded once a minute, not once a request", async () => {
    const guesser = new Client(t.app);
    const from = { ...WHERE, "x-forwarded-for": "192.0.2.50" };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await guesser.post("/auth/login", { email: "owner@example.com", password: `guess number ${i}` }, from)).status);
    // A burst answered at once: the refusals' entries are written side by side, and still only one is kept.
    const burst = await Promise.all([6, 7, 8, 9].map((i) => guesser.post("/auth/login", { email: "owner@example.com", password: `guess number ${i}` }, from)));
    statuses.push(...burst.map((r) => r.status));
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429, 429, 429]);
    const mine = (await rows({ action: "auth.login_failed" })).filter((r) => r.ip === "192.0.2.50");
    expect(mine.map((r) => (r.detail as { reason: string }).reason)).toEqual(["invalid_credentials", "invalid_credentials", "invalid_credentials", "invalid_credentials", "invalid_credentials", "throttled"]);
  });

  test("sign-ins through the login page's plain form are recorded the same way", async () => {
    const browser = new Client(t.app);
    const form = (password: string) => ({
      body: new URLSearchParams({ email: "owner@example.com", password }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", ...WHERE, "x-forwarded-for": "192.0.2.77" },
    });
    expect((await browser.request("POST", "/auth/login", form("wrong password here"))).status).toBe(401);
    expect((await browser.request("POST", "/auth/login", form(PASSWORD))).status).toBe(303);
    const mine = (await rows()).filter((r) => r.ip === "192.0.2.77");
    expect(mine.map((r) => r.action)).toEqual(["auth.login_failed", "auth.login"]);
  });

  test("signing out is recorded; a sign-out without a session is not", async () => {
    const session = new Client(t.app);
    await session.post("/auth/login", { email: "owner@example.com", password: PASSWORD }, WHERE);
    expect((await session.post("/auth/logout", {}, WHERE)).status).toBe(204);
    expect((await session.post("/auth/logout", {}, WHERE)).status).toBe(204);
    const logouts = await rows({ action: "auth.logout" });
    expect(logouts).toHaveLength(1);
    expect(logouts[0]).toMatchObject({ workspaceId, actorId: ownerId, actorLabel: "owner@example.com" });
  });
});

describe("changes to the workspace", () => {
  test("connecting AWS keys is recorded with the masked key id, the region and whether they were saved; a refused connect is not", async () => {
    expect((await owner.post("/aws/connect", { ...KEY, secretAccessKey: "wrong-secret-wrong-secret-wrong-secret00", region: "us-east-1", save: true }, WHERE)).status).toBe(422);
    expect(await rows({ action: "aws.connected" })).toHaveLength(0);
    expect((await owner.post("/aws/connect", { ...KEY, region: "us-east-1", save: true }, WHERE)).status).toBe(200);
    const connected = await rows({ action: "aws.connected" });
    expect(connected).toHaveLength(1);
    expect(connected[0]).toMatchObject({ workspaceId, actorId: ownerId, ip: "203.0.113.7" });
    expect(connected[0]!.detail).toEqual({ accessKeyId: "AKIA…0001", region: "us-east-1", saved: true });
  });

  test("launching, pausing, resuming, resending unknown recipients and cancelling are recorded with the campaign's name", async () => {
    const list = (await owner.post("/lists", { name: "Audit list" })).json;
    expect((await owner.post(`/lists/${list.id}/contacts`, { email: "reader@example.com" })).status).toBe(201);
    const campaign = (await owner.post("/campaigns", { name: "Spring sale", from: "news@example.com", subject: "Hi", html: "<p>Hello</p>", listIds: [list.id] })).json;
    // A refusal is no action: nothing is recorded for it.
    expect((await owner.post(`/campaigns/${campaign.id}/pause`, {}, WHERE)).status).toBe(409);
    for (const step of ["launch", "pause", "resume", "resend-unknown", "cancel"]) {
      const reply = await owner.post(`/campaigns/${campaign.id}/${step}`, {}, WHERE);
      expect(reply.status).toBeLessThan(300);
    }
    const recorded = (await rows()).filter((r) => r.targetType === "campaign");
    expect(recorded.map((r) => r.action)).toEqual(["campaign.launched", "campaign.paused", "campaign.resumed", "campaign.unknown_resent", "campaign.cancelled"]);
    for (const r of recorded) expect(r).toMatchObject({ workspaceId, actorId: ownerId, targetId: campaign.id, targetLabel: "Spring sale", ip: "203.0.113.7" });
  });

  test("removing the AWS keys is recorded", async () => {
    expect((await owner.delete("/aws/connect")).status).toBe(204);
    expect(await rows({ action: "aws.disconnected" })).toHaveLength(1);
  });

  test("instance administration goes in the instance's log, not a workspace's", async () => {
    const other = new Client(t.app);
    const otherId = (await other.signup("colleague@example.com")).user.id;
    expect((await owner.patch(`/admin/users/${otherId}`, { disabled: true })).status).toBe(200);
    const changes = await rows({ action: "admin.user_changed" });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ workspaceId: null, actorId: ownerId, targetType: "user", targetId: otherId, targetLabel: "colleague@example.com" });
    expect(changes[0]!.detail).toEqual({ disabled: true });
  });
});

describe("members and invites", () => {
  let inviteeId: string;
  let inviteUrl: string;

  test("an invite is recorded when it is made and when it is accepted, in the inviting workspace", async () => {
    const made = await owner.post("/workspace/invites", { role: "member", email: "invitee@example.com" }, WHERE);
    expect(made.status).toBe(201);
    inviteUrl = made.json.url;
    const invitee = new Client(t.app);
    inviteeId = (await invitee.post("/auth/signup", { email: "invitee@example.com", password: "invitee password 1" }, WHERE)).json.user.id;
    expect((await invitee.post(`${new URL(inviteUrl).pathname}/accept`, {}, WHERE)).status).toBe(200);
    const [created] = await rows({ action: "invite.created" });
    expect(created).toMatchObject({ workspaceId, actorId: ownerId, targetType: "invite", targetId: made.json.id, targetLabel: "invitee@example.com" });
    expect(created!.detail).toEqual({ role: "member", email: "invitee@example.com", emailed: false });
    const accepted = await rows({ action: "invite.accepted" });
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ workspaceId, actorId: inviteeId, actorLabel: "invitee@example.com", targetId: made.json.id });
  });

  test("a role change and a removal are recorded with the member's address; a refused one is not", async () => {
    expect((await owner.patch(`/workspace/members/${inviteeId}`, { role: "admin" })).status).toBe(200);
    expect((await owner.patch(`/workspace/members/${inviteeId}`, { role: "emperor" })).status).toBeGreaterThanOrEqual(400);
    expect((await owner.delete(`/workspace/members/${inviteeId}`)).status).toBe(204);
    const [changed] = await rows({ action: "member.role_changed" });
    expect(await rows({ action: "member.role_changed" })).toHaveLength(1);
    expect(changed).toMatchObject({ workspaceId, actorId: ownerId, targetType: "user", targetId: inviteeId, targetLabel: "invitee@example.com" });
    expect(changed!.detail).toEqual({ role: "admin" });
    const [removed] = await rows({ action: "member.removed" });
    expect(removed).toMatchObject({ workspaceId, targetId: inviteeId, targetLabel: "invitee@example.com", detail: null });
  });

  test("revoking an invite is recorded with whom it was for", async () => {
    const made = await owner.post("/workspace/invites", { role: "admin", email: "later@example.com" });
    expect((await owner.delete(`/workspace/invites/${made.json.id}`)).status).toBe(204);
    const [revoked] = await rows({ action: "invite.revoked" });
    expect(revoked).toMatchObject({ workspaceId, targetId: made.json.id, targetLabel: "later@example.com" });
    expect(revoked!.detail).toEqual({ role: "admin" });
  });

  test("a sign-up through an invite is recorded in the workspace it joins", async () => {
    const made = await owner.post("/workspace/invites", { role: "member" });
    const token = new URL(made.json.url).pathname.split("/").pop()!;
    const joined = await new Client(t.app).post("/auth/signup", { email: "newcomer@example.com", password: "newcomer password 1", invite: token }, WHERE);
    expect(joined.status).toBe(201);
    const signup = (await rows({ action: "auth.signup" })).filter((r) => r.actorLabel === "newcomer@example.com");
    expect(signup).toHaveLength(1);
    expect(signup[0]).toMatchObject({ workspaceId, actorId: joined.json.user.id, detail: { invited: true } });
    expect(JSON.stringify(await rows())).not.toContain(token);
  });

  test("no invite link is ever recorded", async () => {
    const everything = JSON.stringify(await rows());
    expect(everything).not.toContain(new URL(inviteUrl).pathname.split("/").pop()!);
  });
});

describe("what is never recorded", () => {
  test("no password, AWS secret, session cookie or full access key id is in any entry", async () => {
    const everything = JSON.stringify(await rows());
    const cookie = [...owner.cookies.values()][0]!;
    for (const secret of [PASSWORD, KEY.secretAccessKey, KEY.accessKeyId, "not it at all", "guess number", cookie]) expect(everything).not.toContain(secret);
  });

  test("an entry that cannot be written leaves the answer as it was, and says so in the log", async () => {
    const { db } = t.deps;
    await db.rows(sql`alter table audit_log rename to audit_log_away`);
    try {
      const reply = await new Client(t.app).post("/auth/login", { email: "owner@example.com", password: PASSWORD }, WHERE);
      expect(reply.status).toBe(200);
      await auditIdle();
    } finally {
      await db.rows(sql`alter table audit_log_away rename to audit_log`);
    }
    expect(t.logs.some((line) => line.includes('"audit entry not written"') && line.includes('"route":"/auth/login"'))).toBe(true);
    expect(t.logs.join("\n")).not.toContain(PASSWORD);
  });
});
