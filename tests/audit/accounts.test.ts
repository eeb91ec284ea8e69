import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { auditIdle } from "../../src/features/audit/trail";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

/** The trail of API keys, passwords and instance administration: who, what, and never the secret that was made or used. */

const PASSWORD = "owner password 123";
const NEW_PASSWORD = "a brand new password 456";
const WHERE = { "x-forwarded-for": "203.0.113.9", "user-agent": "AuditTest/2.0" };

let t: TestApp;
let owner: Client;
let ownerId: string;
let workspaceId: string;
let secondWorkspaceId: string;
const secrets: string[] = [PASSWORD, NEW_PASSWORD];

beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY: "1" } });
  owner = new Client(t.app);
  const signup = await owner.post("/auth/signup", { email: "owner@example.com", password: PASSWORD }, WHERE);
  ownerId = signup.json.user.id;
  workspaceId = signup.json.workspace.id;
  const second = await owner.post("/workspaces", { name: "Second" });
  expect(second.status).toBe(201);
  secondWorkspaceId = second.json.id ?? second.json.workspace?.id;
});
afterAll(async () => {
  await t.close();
});

type Row = typeof import("../../src/db/schema.sqlite").auditLog.$inferSelect;

async function rows(action?: string): Promise<Row[]> {
  await auditIdle();
  const { auditLog } = t.deps.db.t;
  const all = await t.deps.db.orm.select().from(auditLog).orderBy(auditLog.at, auditLog.id);
  return all.filter((r) => action === undefined || r.action === action);
}

describe("API keys", () => {
  let keyId: string;
  let key: string;

  test("making a key is recorded with its name, scope and role, never the key", async () => {
    const made = await owner.post("/api-keys", { name: "Deploy", scope: "full", role: "admin" }, WHERE);
    expect(made.status).toBe(201);
    keyId = made.json.id;
    key = made.json.key;
    secrets.push(key);
    const [created] = await rows("api_key.created");
    expect(created).toMatchObject({ workspaceId, actorId: ownerId, targetType: "api_key", targetId: keyId, targetLabel: "Deploy", ip: "203.0.113.9" });
    expect(created!.detail).toEqual({ scope: "full", role: "admin" });
  });

  test("a key made from the page's form is recorded with its id too", async () => {
    const form = new URLSearchParams({ name: "From the page", scope: "send" });
    const made = await owner.request("POST", "/api-keys", { body: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" } });
    expect(made.status).toBe(201);
    const [, fromPage] = await rows("api_key.created");
    const { apiKeys } = t.deps.db.t;
    const [stored] = await t.deps.db.orm.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.name, "From the page"));
    expect(fromPage).toMatchObject({ targetId: stored!.id, targetLabel: "From the page" });
    // The page shows the key once, in its copy field: it is not in the log.
    const shown = /value="([^"]+)"[^>]*data-testid="new-key-value"/.exec(made.text)?.[1];
    expect(shown?.length).toBeGreaterThan(20);
    secrets.push(shown!);
  });

  test("what a key does is recorded as the key's, with the person who made it", async () => {
    const api = new Client(t.app);
    const bearer = { authorization: `Bearer ${key}`, ...WHERE };
    const list = await api.request("POST", "/lists", { json: { name: "Key list" }, headers: bearer });
    expect(list.status).toBe(201);
    const campaign = await api.request("POST", "/campaigns", { json: { name: "By key", from: "news@example.com", subject: "Hi", html: "<p>Hi</p>", listIds: [list.json.id] }, headers: bearer });
    expect(campaign.status).toBe(201);
    expect((await api.request("POST", `/campaigns/${campaign.json.id}/cancel`, { headers: bearer })).status).toBe(200);
    const [cancelled] = await rows("campaign.cancelled");
    expect(cancelled).toMatchObject({ workspaceId, actorType: "api_key", actorId: keyId, actorLabel: "API key “Deploy” (owner@example.com)", targetLabel: "By key" });
  });

  test("revoking a key is recorded with its name", async () => {
    expect((await owner.delete(`/api-keys/${keyId}`)).status).toBe(204);
    const revoked = await rows("api_key.revoked");
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ workspaceId, actorId: ownerId, targetId: keyId, targetLabel: "Deploy" });
  });
});

describe("passwords", () => {
  test("a password change is recorded in every workspace of the account; a refused one is not", async () => {
    expect((await owner.post("/auth/password", { currentPassword: "not the password", newPassword: NEW_PASSWORD })).status).toBe(422);
    expect((await owner.post("/auth/password", { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, WHERE)).status).toBe(204);
    const changed = await rows("auth.password_changed");
    expect(changed.map((r) => r.workspaceId).sort()).toEqual([workspaceId, secondWorkspaceId].sort());
    for (const r of changed) expect(r).toMatchObject({ actorId: ownerId, actorLabel: "owner@example.com", ip: "203.0.113.9", userAgent: "AuditTest/2.0" });
  });

  test("an administrator's reset link goes in the instance's log, and its use in the account's workspaces, the link in neither", async () => {
    const colleague = new Client(t.app);
    const colleagueSignup = await colleague.post("/auth/signup", { email: "colleague@example.com", password: "colleague password 1" }, WHERE);
    const colleagueId = colleagueSignup.json.user.id;
    const link = await owner.post(`/admin/users/${colleagueId}/reset-link`, {}, WHERE);
    expect(link.status).toBe(201);
    const token = new URL(link.json.url).pathname.split("/").pop()!;
    secrets.push(token);
    const [made] = await rows("admin.reset_link_created");
    expect(made).toMatchObject({ workspaceId: null, actorId: ownerId, targetType: "user", targetId: colleagueId, targetLabel: "colleague@example.com" });
    expect((await new Client(t.app).post("/auth/reset", { token, password: "colleague new password 2" }, WHERE)).status).toBe(204);
    expect((await new Client(t.app).post("/auth/reset", { token, password: "colleague new password 3" }, WHERE)).status).toBeGreaterThanOrEqual(400);
    const reset = await rows("auth.password_reset");
    expect(reset).toHaveLength(1);
    expect(reset[0]).toMatchObject({ workspaceId: colleagueSignup.json.workspace.id, actorType: "user", actorId: colleagueId, actorLabel: "colleague@example.com" });
    secrets.push("colleague new password 2");
  });
});

describe("instance administration", () => {
  test("sign-up mode, limits per role and a key's limits are recorded in the instance's log with what was set", async () => {
    expect((await owner.put("/admin/signup", { mode: "invite" })).status).toBe(200);
    const roles = { owner: { requestsPerMinute: 600, mailsPerDay: null }, admin: { requestsPerMinute: 300, mailsPerDay: 10000 }, member: { requestsPerMinute: 60, mailsPerDay: 1000 } };
    expect((await owner.put("/admin/limits", { roles })).status).toBe(200);
    // The page's form sends flat fields, blank for "no limit".
    const form = new URLSearchParams({ "owner.requestsPerMinute": "", "owner.mailsPerDay": "", "admin.requestsPerMinute": "120", "admin.mailsPerDay": "", "member.requestsPerMinute": "30", "member.mailsPerDay": "500" });
    const flat = await owner.request("PUT", "/admin/limits", { body: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" } });
    expect(flat.status).toBe(200);
    const [key] = await rows("api_key.created");
    expect((await owner.patch(`/admin/api-keys/${key!.targetId}`, { requestsPerMinute: 5, mailsPerDay: null })).status).toBe(200);

    const [mode] = await rows("admin.signup_mode_changed");
    expect(mode).toMatchObject({ workspaceId: null, actorId: ownerId, detail: { mode: "invite" } });
    const limits = await rows("admin.limits_changed");
    expect(limits.map((r) => r.detail)).toEqual([
      { roles },
      { roles: { owner: { requestsPerMinute: null, mailsPerDay: null }, admin: { requestsPerMinute: 120, mailsPerDay: null }, member: { requestsPerMinute: 30, mailsPerDay: 500 } } },
    ]);
    const [keyLimits] = await rows("admin.api_key_limits_changed");
    expect(keyLimits).toMatchObject({ workspaceId: null, targetId: key!.targetId, targetLabel: "Deploy", detail: { requestsPerMinute: 5, mailsPerDay: null } });

    const page = (await owner.get("/admin/audit")).json.items.map((i: { summary: string }) => i.summary);
    expect(page).toContain("Set sign-up to invite only");
    expect(page).toContain("Set the limits of API key “Deploy”: 5 requests a minute, no limit of mails a day");
  });

  test("removing the workspace's S3 bucket is recorded", async () => {
    expect((await owner.delete("/aws/s3")).status).toBe(204);
    expect(await rows("aws.s3_bucket_removed")).toHaveLength(1);
  });
});

test("no password, API key or reset link is in any entry", async () => {
  const everything = JSON.stringify(await rows());
  expect(secrets.length).toBeGreaterThanOrEqual(5);
  for (const secret of secrets) expect(everything).not.toContain(secret);
});
