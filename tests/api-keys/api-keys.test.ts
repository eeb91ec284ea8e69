import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createApp } from "../../src/app";
import { saveLimitSettings, setKeyLimits } from "../../src/features/limits/settings";
import { DEFAULT_LIMITS } from "../../src/features/limits/model";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";

/** API keys: made once and kept hashed, Bearer on the JSON API only, scopes, revocation, and limits with RateLimit headers. */

const KEY = { accessKeyId: "AKIAAPIKEYS000000001", secretAccessKey: "api-keys-secret-access-key-00000000000" };

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let owner: Client;
let ownerIds: { user: { id: string }; workspace: { id: string } };
const clock = fakeClock(new Date("2026-06-01T10:00:05Z"));

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  t = await createTestApp({ clock, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url } });
  owner = new Client(t.app);
  ownerIds = await owner.signup("keys-owner@example.com");
  expect((await owner.post("/aws/connect", { ...KEY, region: "us-east-1", save: true })).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

/** A client with no cookies that calls with a key, like curl. */
function withKey(key: string, app = t.app) {
  const c = new Client(app);
  const call = (method: string, path: string, json?: unknown, headers: Record<string, string> = {}) =>
    c.request(method, path, { json, headers: { authorization: `Bearer ${key}`, ...headers } });
  return { call, get: (path: string, headers?: Record<string, string>) => call("GET", path, undefined, headers), post: (path: string, json: unknown) => call("POST", path, json) };
}

async function makeKey(c: Client, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const r = await c.post("/api-keys", body);
  expect(r.status).toBe(201);
  return r.json;
}

describe("making and listing keys", () => {
  test("a key is shown once, stored only as a hash, and listed without its secret", async () => {
    const r = await owner.post("/api-keys", { name: "Billing server", scope: "full" });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: "Billing server", scope: "full", role: "admin" });
    expect(r.json.key).toMatch(/^sesame_[A-Za-z0-9_-]{43}$/);
    const list = await owner.get("/api-keys");
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(r.json.key);
    expect(list.json.items.find((k: { id: string }) => k.id === r.json.id)).toMatchObject({ name: "Billing server", prefix: `${r.json.key.slice(0, 13)}…`, lastUsedAt: null });
    const rows = await t.deps.db.orm.select().from(t.deps.db.t.apiKeys);
    expect(JSON.stringify(rows)).not.toContain(r.json.key);
    expect(t.logs.join("\n")).not.toContain(r.json.key);
    const page = await owner.get("/settings/api-keys", { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Billing server");
    expect(page.text).not.toContain(r.json.key);
  });

  test("bad input is refused with a sentence", async () => {
    expect((await owner.post("/api-keys", { name: " ", scope: "full" })).json.code).toBe("invalid_name");
    expect((await owner.post("/api-keys", { name: "x", scope: "everything" })).json.code).toBe("invalid_scope");
  });
});

describe("Bearer on the JSON API, never on pages", () => {
  let full: string;
  let send: string;
  beforeAll(async () => {
    full = (await makeKey(owner, { name: "Full", scope: "full" })).key;
    send = (await makeKey(owner, { name: "Send only", scope: "send" })).key;
  });

  test("a key reads the API as its workspace, and its use is recorded", async () => {
    const me = await withKey(full).get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.json.workspace.id).toBe(ownerIds.workspace.id);
    expect((await withKey(full).post("/lists", { name: "Made by a key" })).status).toBe(201);
    const listed = (await owner.get("/api-keys")).json.items.find((k: { name: string }) => k.name === "Full");
    expect(listed.lastUsedAt).not.toBeNull();
  });

  test("pages, htmx fragments and key management refuse a key", async () => {
    for (const [path, headers] of [
      ["/dashboard", {}],
      ["/settings/aws", {}],
      ["/lists", { "hx-request": "true" }],
      ["/api-keys", {}],
      ["/admin/users", {}],
    ] as [string, Record<string, string>][]) {
      const r = await withKey(full).get(path, headers);
      // htmx gets its error as a flash fragment; everything else as JSON.
      const code = headers["hx-request"] ? "api_key_not_allowed" : r.json?.code;
      expect({ path, status: r.status, code }).toEqual({ path, status: 401, code: "api_key_not_allowed" });
      if (headers["hx-request"]) expect(r.text).toContain("API keys work on the JSON API only");
    }
    expect((await withKey(full).post("/api-keys", { name: "escalate", scope: "full" })).status).toBe(401);
    // A browser navigation with a key is sent to log in, never shown the page.
    const page = await withKey(full).get("/lists", { accept: "text/html" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toStartWith("/login");
  });

  test("a key lends nothing to the cookies sent with it, and a bad key is not a session", async () => {
    const r = await owner.get("/lists", { authorization: "Bearer sesame_not-a-real-key" });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe("invalid_api_key");
    expect(r.text).not.toContain("sesame_not-a-real-key");
  });

  test("a send-only key sends and reads what it sent, and nothing else", async () => {
    expect((await withKey(send).get("/email/template")).status).toBe(200);
    const refused = await withKey(send).post("/lists", { name: "Nope" });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe("key_scope");
  });

  test("a browser page on another origin cannot use a key either", async () => {
    const r = await withKey(full).call("POST", "/lists", { name: "Cross" }, { origin: "https://evil.example" });
    expect(r.status).toBe(403);
  });

  test("a revoked key stops at once", async () => {
    const made = await makeKey(owner, { name: "Short-lived", scope: "full" });
    expect((await withKey(made.key).get("/lists")).status).toBe(200);
    expect((await owner.delete(`/api-keys/${made.id}`)).status).toBe(204);
    const r = await withKey(made.key).get("/lists");
    expect(r.status).toBe(401);
    expect(r.json.code).toBe("invalid_api_key");
    expect((await owner.get("/api-keys")).json.items.find((k: { id: string }) => k.id === made.id).revokedAt).not.toBeNull();
  });
});

describe("roles", () => {
  test("members make member keys, see only their own, and an admin's keys are beyond them", async () => {
    const adminKey = await makeKey(owner, { name: "Owner's", scope: "full", role: "admin" });
    // A second person in this workspace, as a member.
    const member = new Client(t.app);
    const signed = await member.signup("keys-member@example.com");
    await t.deps.db.orm.insert(t.deps.db.t.memberships).values({ workspaceId: ownerIds.workspace.id, userId: signed.user.id, role: "member", createdAt: new Date() });
    await t.deps.db.orm.update(t.deps.db.t.sessions).set({ workspaceId: ownerIds.workspace.id }).where(eq(t.deps.db.t.sessions.userId, signed.user.id));
    expect((await member.get("/auth/me")).json.workspace.id).toBe(ownerIds.workspace.id);
    const tooHigh = await member.post("/api-keys", { name: "Mine", scope: "full", role: "admin" });
    expect(tooHigh.status).toBe(403);
    const mine = await makeKey(member, { name: "Mine", scope: "full" });
    expect((await member.get("/api-keys")).json.items.map((k: { name: string }) => k.name)).toEqual(["Mine"]);
    expect((await member.delete(`/api-keys/${adminKey.id}`)).status).toBe(404);
    // A member's key acts as a member: AWS settings are for admins.
    expect((await withKey(mine.key).call("DELETE", "/aws/connect")).status).toBe(403);
    // The owner sees every key and may revoke the member's.
    expect((await owner.get("/api-keys")).json.items.map((k: { name: string }) => k.name)).toContain("Mine");
  });
});

function limitHeaders(r: Reply) {
  return {
    status: r.status,
    limit: r.headers.get("ratelimit-limit"),
    remaining: r.headers.get("ratelimit-remaining"),
    reset: r.headers.get("ratelimit-reset"),
  };
}

describe("limits", () => {
  test("every API answer carries RateLimit headers; past the key's limit it is 429 with Retry-After, per key, on every instance", async () => {
    clock.set(new Date("2026-06-01T11:00:10Z"));
    const limited = await makeKey(owner, { name: "Limited", scope: "full" });
    const other = await makeKey(owner, { name: "Other", scope: "full" });
    expect(await setKeyLimits(t.deps.db, limited.id, { requestsPerMinute: 3, mailsPerDay: null }, clock.now())).toBe(true);
    // A second instance on the same database: the count is shared.
    const second = createApp(t.deps);
    const seen = [
      limitHeaders(await withKey(limited.key).get("/lists")),
      limitHeaders(await withKey(limited.key, second).get("/lists")),
      limitHeaders(await withKey(limited.key).get("/lists")),
    ];
    expect(seen).toEqual([
      { status: 200, limit: "3", remaining: "2", reset: "50" },
      { status: 200, limit: "3", remaining: "1", reset: "50" },
      { status: 200, limit: "3", remaining: "0", reset: "50" },
    ]);
    const refused = await withKey(limited.key, second).get("/lists");
    expect(limitHeaders(refused)).toEqual({ status: 429, limit: "3", remaining: "0", reset: "50" });
    expect(refused.headers.get("retry-after")).toBe("50");
    expect(refused.json.code).toBe("rate_limited");
    expect(refused.json.error).toContain("50 seconds");
    // Another key has its own count (the role's limit).
    expect(limitHeaders(await withKey(other.key).get("/lists"))).toMatchObject({ status: 200, limit: String(DEFAULT_LIMITS.roles.admin.requestsPerMinute) });
    // The next minute starts afresh.
    clock.set(new Date("2026-06-01T11:01:00Z"));
    expect(limitHeaders(await withKey(limited.key).get("/lists"))).toEqual({ status: 200, limit: "3", remaining: "2", reset: "60" });
  });

  test("a session's JSON calls are limited by its role; its pages are not counted", async () => {
    clock.set(new Date("2026-06-01T12:00:00Z"));
    await saveLimitSettings(t.deps.db, { roles: { ...DEFAULT_LIMITS.roles, owner: { requestsPerMinute: 2, mailsPerDay: null } } }, clock.now());
    try {
      expect(limitHeaders(await owner.get("/lists"))).toMatchObject({ status: 200, limit: "2", remaining: "1" });
      const page = await owner.get("/lists", { accept: "text/html" });
      expect(page.status).toBe(200);
      expect(page.headers.get("ratelimit-limit")).toBeNull();
      expect(limitHeaders(await owner.get("/lists"))).toMatchObject({ status: 200, remaining: "0" });
      expect((await owner.get("/lists")).status).toBe(429);
    } finally {
      await saveLimitSettings(t.deps.db, DEFAULT_LIMITS, clock.now());
    }
  });

  test("mails per day: a key sends up to its limit, and a send that would pass it is refused whole", async () => {
    clock.set(new Date("2026-06-02T09:00:00Z"));
    const sender = await makeKey(owner, { name: "Sender", scope: "send" });
    await setKeyLimits(t.deps.db, sender.id, { requestsPerMinute: null, mailsPerDay: 3 }, clock.now());
    const api = withKey(sender.key);
    const first = await api.post("/email/send", { from: "news@example.com", to: ["a@example.com", "b@example.com"], subject: "Hi", html: "<p>Hi</p>" });
    expect(first.status).toBe(202);
    // No request limit of its own: the role's applies.
    expect(first.headers.get("ratelimit-limit")).toBe(String(DEFAULT_LIMITS.roles.admin.requestsPerMinute));
    const over = await api.post("/email/send", { from: "news@example.com", to: ["c@example.com", "d@example.com"], subject: "Hi", html: "<p>Hi</p>" });
    expect(over.status).toBe(429);
    expect(over.json.code).toBe("mail_limit");
    expect(Number(over.headers.get("retry-after"))).toBe(15 * 3600);
    const campaigns = await t.deps.db.orm.select().from(t.deps.db.t.campaigns);
    expect(campaigns.filter((c) => c.name === "Email to 2 addresses").length).toBe(1);
    expect((await api.post("/email/send", { from: "news@example.com", to: "e@example.com", subject: "Hi", html: "<p>Hi</p>" })).status).toBe(202);
    // The next day the count starts again.
    clock.set(new Date("2026-06-03T00:00:01Z"));
    expect((await api.post("/email/send", { from: "news@example.com", to: ["f@example.com", "g@example.com"], subject: "Hi", html: "<p>Hi</p>" })).status).toBe(202);
  });
});
