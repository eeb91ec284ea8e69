import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq, sql } from "drizzle-orm";
import Papa from "papaparse";
import type { AuditEntry } from "../../src/features/audit/model";
import { insertAuditEntries } from "../../src/features/audit/queries";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

/** Reading the audit log: who may, filters, pages, the page itself, CSV, and that nothing can change it. */

let t: TestApp;
let owner: Client;
let member: Client;
let ownerId: string;
let workspaceId: string;
let otherWorkspaceId: string;

const at = (iso: string) => new Date(iso);

function entry(over: Partial<AuditEntry> & Pick<AuditEntry, "action" | "at">): AuditEntry {
  return {
    workspaceId,
    actor: { type: "user", id: ownerId, label: "owner@example.com" },
    target: null,
    detail: null,
    ip: "203.0.113.7",
    userAgent: "AuditTest/1.0",
    ...over,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  owner = new Client(t.app);
  const signup = await owner.signup("owner@example.com");
  ownerId = signup.user.id;
  workspaceId = signup.workspace.id;
  await owner.put("/me/time-zone", { timeZone: "Europe/Paris" });
  // A member of their own workspace: the role is set in the database, as an owner would have set it.
  member = new Client(t.app);
  const other = await member.signup("member@example.com");
  otherWorkspaceId = other.workspace.id;
  const { memberships } = t.deps.db.t;
  await t.deps.db.orm.update(memberships).set({ role: "member" }).where(and(eq(memberships.workspaceId, otherWorkspaceId), eq(memberships.userId, other.user.id)));

  // The log as the trail would have left it: sign-ups of both (recorded for real) plus these.
  await insertAuditEntries(t.deps.db, [
    entry({ action: "campaign.launched", at: at("2026-05-01T07:30:00Z"), target: { type: "campaign", id: "cmp_1", label: "Spring sale" } }),
    entry({ action: "campaign.paused", at: at("2026-05-02T22:30:00Z"), target: { type: "campaign", id: "cmp_1", label: "Spring sale" } }),
    entry({ action: "auth.login_failed", at: at("2026-05-03T10:00:00Z"), actor: { type: "anonymous", id: null, label: "=1+2@example.com" }, detail: { reason: "invalid_credentials" } }),
    entry({ action: "api_key.created", at: at("2026-05-04T10:00:00Z"), actor: { type: "api_key", id: "key_1", label: "API key “Deploy” (owner@example.com)" }, target: { type: "api_key", id: "key_2", label: "+cmd|' /C calc'!A0" }, detail: { scope: "send" } }),
    entry({ action: "campaign.launched", at: at("2026-05-05T10:00:00Z"), workspaceId: otherWorkspaceId, actor: { type: "user", id: "usr_x", label: "member@example.com" }, target: { type: "campaign", id: "cmp_9", label: "Not yours" } }),
    entry({ action: "admin.user_changed", at: at("2026-05-06T10:00:00Z"), workspaceId: null, target: { type: "user", id: "usr_x", label: "member@example.com" }, detail: { disabled: true } }),
  ]);
});
afterAll(async () => {
  await t.close();
});

describe("who reads which log", () => {
  test("an owner reads the workspace's log, newest first, with who, when, where and the action in words", async () => {
    const reply = await owner.get("/audit");
    expect(reply.status).toBe(200);
    const { items, total } = reply.json;
    // The owner's real sign-up (today) and the four seeded entries of this workspace.
    expect(total).toBe(5);
    expect(items.map((i: { action: string }) => i.action)).toEqual(["auth.signup", "api_key.created", "auth.login_failed", "campaign.paused", "campaign.launched"]);
    expect(items[4]).toEqual({
      id: expect.any(String),
      at: "2026-05-01T07:30:00.000Z",
      action: "campaign.launched",
      summary: "Launched campaign “Spring sale”",
      actor: { type: "user", id: ownerId, label: "owner@example.com" },
      target: { type: "campaign", id: "cmp_1", label: "Spring sale" },
      ip: "203.0.113.7",
      userAgent: "AuditTest/1.0",
      detail: null,
    });
  });

  test("another workspace's entries and the instance's never show in a workspace's log", async () => {
    const text = (await owner.get("/audit?pageSize=200")).text;
    expect(text).not.toContain("Not yours");
    expect(text).not.toContain("admin.user_changed");
  });

  test("members get 403, for the JSON, the page and the CSV alike", async () => {
    expect((await member.get("/audit")).status).toBe(403);
    expect((await member.get("/audit?format=csv")).status).toBe(403);
    expect((await member.get("/audit", { accept: "text/html" })).status).toBe(403);
    expect((await new Client(t.app).get("/audit")).status).toBe(401);
  });

  test("the instance administrator reads the instance's own entries at /admin/audit; others get 403", async () => {
    const reply = await owner.get("/admin/audit");
    expect(reply.status).toBe(200);
    expect(reply.json.items.map((i: { action: string }) => i.action)).toEqual(["admin.user_changed"]);
    expect(reply.json.items[0].summary).toBe("Changed the account member@example.com: disabled");
    expect((await member.get("/admin/audit")).status).toBe(403);
    const page = await owner.get("/admin/audit", { accept: "text/html" });
    expect(page.text).toContain("Changed the account member@example.com: disabled");
    expect(page.text).toMatch(/<a href="\/admin\/audit" aria-current="page"[^>]*>Audit log<\/a>/);
  });
});

describe("filters", () => {
  const actions = async (query: string) => ((await owner.get(`/audit?${query}`)).json.items as { action: string }[]).map((i) => i.action);

  test("by action, one or several", async () => {
    expect(await actions("action=campaign.launched")).toEqual(["campaign.launched"]);
    expect(await actions("action=campaign.launched,campaign.paused")).toEqual(["campaign.paused", "campaign.launched"]);
    expect(await actions("action=campaign.launched&action=auth.login_failed")).toEqual(["auth.login_failed", "campaign.launched"]);
  });

  test("by who: any part of the actor's label, or their id", async () => {
    expect(await actions("actor=DEPLOY")).toEqual(["api_key.created"]);
    expect(await actions(`actor=${ownerId}`)).toEqual(["auth.signup", "campaign.paused", "campaign.launched"]);
    expect(await actions("actor=nobody-at-all")).toEqual([]);
  });

  test("by period, whole days in the person's zone", async () => {
    // 2026-05-02T22:30Z is already 3 May in Paris (UTC+2).
    expect(await actions("from=2026-05-01&to=2026-05-02")).toEqual(["campaign.launched"]);
    expect(await actions("from=2026-05-03&to=2026-05-03")).toEqual(["auth.login_failed", "campaign.paused"]);
    expect(await actions("from=2026-05-03T12:00:00Z")).toEqual(["auth.signup", "api_key.created"]);
  });

  test("in pages", async () => {
    const first = (await owner.get("/audit?pageSize=2")).json;
    const third = (await owner.get("/audit?pageSize=2&page=3")).json;
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(third.items.map((i: { action: string }) => i.action)).toEqual(["campaign.launched"]);
  });

  test("a bad filter is a 422 that names its field", async () => {
    for (const [query, field] of [
      ["action=campaign.deleted", "invalid_action"],
      ["from=2026-02-31", "invalid_from"],
      ["from=2026-05-03&to=2026-05-01", "invalid_to"],
      ["page=0", "invalid_page"],
    ]) {
      const reply = await owner.get(`/audit?${query}`);
      expect(reply.status).toBe(422);
      expect(reply.json.code).toBe(field!);
    }
  });
});

describe("the page", () => {
  test("shows the entries in words, times in the person's zone, the filter kept in the URL and a CSV link for the same filter", async () => {
    const reply = await owner.get("/audit?action=campaign.launched", { accept: "text/html" });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/html");
    expect(reply.text).toContain("Audit log");
    expect(reply.text).toContain("Launched campaign “Spring sale”");
    // 07:30 UTC is 09:30 in Paris.
    expect(reply.text).toContain("09:30");
    expect(reply.text).toContain('href="/audit?action=campaign.launched&format=csv"');
    expect(reply.text).toContain('<option value="campaign.launched" selected');
    expect(reply.text).not.toContain("Paused campaign");
  });

  test("htmx gets the log alone and the filter's own URL to push", async () => {
    const reply = await owner.get("/audit?action=campaign.paused&actor=&from=&to=", { "hx-request": "true" });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("hx-push-url")).toBe("/audit?action=campaign.paused");
    expect(reply.text).toStartWith('<div id="audit"');
    expect(reply.text).toContain("Paused campaign “Spring sale”");
  });

  test("a filter that matches nothing says so; a refused filter is shown under its field", async () => {
    expect((await owner.get("/audit?actor=nobody-at-all", { accept: "text/html" })).text).toContain("Nothing in the log matches these filters.");
    const refused = await owner.get("/audit?from=yesterday", { accept: "text/html" });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("Correct the filter above");
    expect(refused.text).toContain('id="field-from-error"');
  });

  test("a log with nothing in it says what will appear there", async () => {
    const fresh = await createTestApp();
    try {
      const c = new Client(fresh.app);
      await c.signup("first@example.com");
      const reply = await c.get("/admin/audit", { accept: "text/html" });
      expect(reply.text).toContain("Nothing recorded yet");
    } finally {
      await fresh.close();
    }
  });

  test("the sidebar links the log for owners and admins only", async () => {
    expect((await owner.get("/dashboard", { accept: "text/html" })).text).toContain('href="/audit"');
    expect((await member.get("/dashboard", { accept: "text/html" })).text).not.toContain('href="/audit"');
  });
});

describe("CSV export", () => {
  test("has every entry the filter matches, formulas neutralised", async () => {
    const reply = await owner.get("/audit?format=csv&from=2026-05-01&to=2026-05-31");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/csv");
    expect(reply.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const { data } = Papa.parse<string[]>(reply.text.trim());
    expect(data[0]).toEqual(["time (UTC)", "action", "what happened", "actor type", "actor", "actor id", "target type", "target", "target id", "ip", "user agent", "detail", "id"]);
    expect(data.slice(1).map((r) => r[1])).toEqual(["api_key.created", "auth.login_failed", "campaign.paused", "campaign.launched"]);
    const failed = data.find((r) => r[1] === "auth.login_failed")!;
    expect(failed[4]).toBe("'=1+2@example.com");
    const key = data.find((r) => r[1] === "api_key.created")!;
    expect(key[7]).toBe("'+cmd|' /C calc'!A0");
    expect(key[11]).toBe('{"scope":"send"}');
    expect(data.find((r) => r[1] === "campaign.launched")).toEqual([
      "2026-05-01T07:30:00.000Z",
      "campaign.launched",
      "Launched campaign “Spring sale”",
      "user",
      "owner@example.com",
      ownerId,
      "campaign",
      "Spring sale",
      "cmp_1",
      "203.0.113.7",
      "AuditTest/1.0",
      "",
      expect.any(String),
    ]);
  });

  test("streams past one read's worth of rows, each once", async () => {
    const many = Array.from({ length: 2100 }, (_, i) => entry({ action: "auth.login", at: new Date(Date.UTC(2026, 3, 1) + Math.floor(i / 3) * 1000) }));
    await insertAuditEntries(t.deps.db, many);
    const reply = await owner.get("/audit?format=csv&action=auth.login&to=2026-04-30");
    const { data } = Papa.parse<string[]>(reply.text.trim());
    expect(data).toHaveLength(2101);
    // Three entries share each second: the keyset pages must neither repeat nor skip one across a page's edge.
    expect(new Set(data.slice(1).map((r) => r[12])).size).toBe(2100);
  });
});

describe("append-only", () => {
  test("the database refuses to change or delete an entry", async () => {
    const { db } = t.deps;
    const { auditLog } = db.t;
    const [first] = await db.orm.select({ id: auditLog.id }).from(auditLog).limit(1);
    // Drizzle's builders are thenables, not promises: each runs inside an async function.
    await expect((async () => db.orm.update(auditLog).set({ action: "auth.logout" }).where(eq(auditLog.id, first!.id)))()).rejects.toThrow();
    await expect((async () => db.orm.delete(auditLog).where(eq(auditLog.id, first!.id)))()).rejects.toThrow();
    await expect(db.rows(sql`delete from audit_log`)).rejects.toThrow();
    const [still] = await db.orm.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.id, first!.id));
    expect(still).toBeDefined();
    expect((await db.orm.select({ id: auditLog.id }).from(auditLog)).length).toBeGreaterThan(2000);
  });
});
