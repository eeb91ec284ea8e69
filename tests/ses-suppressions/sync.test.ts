import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import type { Database } from "../../src/db/client";
import { syncSuppressionLists } from "../../src/features/ses-suppressions/sync.job";
import { syncWait } from "../../src/features/ses-suppressions/service";
import { startSync, syncRunsSettled } from "../../src/features/ses-suppressions/sync";
import { addSuppressions, type SuppressionReason } from "../../src/features/suppressions/queries";
import { Client } from "../support/client";
import { resetSuppressionLog, suppressionLog, throttlePutsAfter } from "../support/fake/suppressions";
import { sesFixture, signedSnsMessage, startCertServer } from "../support/sns";
import { DENIED, fillSesList, KEY, OTHER, startWorld, type World } from "./world";

let w: World;
let certs: ReturnType<typeof startCertServer>;
let db: Database;
beforeAll(async () => {
  certs = startCertServer();
  w = await startWorld({ env: { PUBLIC_URL: "https://sesame.example.com", ...certs.env } });
  db = w.t.database.db;
});
afterAll(async () => {
  await syncRunsSettled();
  await w.stop();
  certs.stop();
});
beforeEach(() => {
  w.fake.suppressed.clear();
  w.fake.faults.clear();
  resetSuppressionLog(w.fake);
});


async function sesameRows(workspaceId: string) {
  return db.orm.select().from(db.t.suppressions).where(eq(db.t.suppressions.workspaceId, workspaceId)).orderBy(db.t.suppressions.id);
}

/** Suppressions as Sesame records them from SES events: `n` of `reason`, addresses <prefix>-<i>@sesame.example. */
async function suppress(workspaceId: string, reason: SuppressionReason, n: number, prefix: string = reason) {
  const rows = Array.from({ length: n }, (_, i) => ({ workspaceId, email: `${prefix}-${i}@sesame.example`, reason, source: "test", createdAt: new Date() }));
  for (let i = 0; i < rows.length; i += 1000) await addSuppressions(db, rows.slice(i, i + 1000));
}

async function setSync(workspaceId: string, sync: "off" | "pull" | "push" | "both", syncedAt: Date | null = null) {
  await db.orm.update(db.t.workspaces).set({ sesSuppressionSync: sync, sesSuppressionSyncedAt: syncedAt }).where(eq(db.t.workspaces.id, workspaceId));
}

describe("pull", () => {
  test("copies SES's list into Sesame's as hard bounces and complaints, and a second pull adds nothing", async () => {
    const { c, workspaceId } = await w.owner();
    fillSesList(w.fake.suppressed, 2_500);
    const first = await c.post("/aws/suppressions/sync", { direction: "pull" });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ added: 2_500, skipped: 0 });
    const rows = await sesameRows(workspaceId);
    expect(rows).toHaveLength(2_500);
    expect(rows.find((r) => r.email === "user-00000@list.example")).toMatchObject({ reason: "hard_bounce", source: "ses-suppression-list", sesPushedAt: expect.any(Date) });
    expect(rows.find((r) => r.email === "user-00002@list.example")!.reason).toBe("complaint");

    const second = await c.post("/aws/suppressions/sync", { direction: "pull" });
    expect(second.json).toEqual({ added: 0, skipped: 2_500 });
    expect(await sesameRows(workspaceId)).toHaveLength(2_500);
    const status = (await c.get("/aws/suppressions/sync")).json;
    expect(status).toMatchObject({ sync: "off", lastSyncAt: expect.any(String), pulledThrough: expect.any(String), run: { direction: "pull", running: false, added: 0, skipped: 2_500, error: null } });
  });

  test("after the first pull only what SES added since is read, and an address Sesame already has keeps its own reason", async () => {
    const { c, workspaceId } = await w.owner();
    const day = 24 * 3600 * 1000;
    w.fake.suppressed.set("early@list.example", { reason: "BOUNCE", lastUpdate: new Date(Date.now() - 10 * day) });
    expect((await c.post("/aws/suppressions/sync", { direction: "pull" })).json).toEqual({ added: 1, skipped: 0 });
    await c.post("/suppressions", { email: "Known@Sesame.example" });
    w.fake.suppressed.set("known@sesame.example", { reason: "COMPLAINT", lastUpdate: new Date() });
    w.fake.suppressed.set("fresh@list.example", { reason: "BOUNCE", lastUpdate: new Date() });
    // Older than the first pull's newest entry (less its hour of overlap): an incremental pull does not read it.
    w.fake.suppressed.set("backdated@list.example", { reason: "BOUNCE", lastUpdate: new Date(Date.now() - 20 * day) });
    // Read again: the newest entry of the first pull (within the overlap), and the one Sesame already had.
    expect((await c.post("/aws/suppressions/sync", { direction: "pull" })).json).toEqual({ added: 1, skipped: 2 });
    const rows = await sesameRows(workspaceId);
    expect(rows.map((r) => [r.email, r.reason])).toEqual([
      ["early@list.example", "hard_bounce"],
      ["known@sesame.example", "manual"],
      ["fresh@list.example", "hard_bounce"],
    ]);
    // SES has it already: a push must not send it back.
    expect(rows.find((r) => r.email === "known@sesame.example")!.sesPushedAt).toBeInstanceOf(Date);
  });

  test("a contact whose address is pulled stops being mailable", async () => {
    const { c, workspaceId } = await w.owner();
    const now = new Date();
    await db.orm.insert(db.t.contacts).values(["reader@list.example", "other@list.example"].map((email) => ({ workspaceId, email, createdAt: now, updatedAt: now })));
    w.fake.suppressed.set("reader@list.example", { reason: "COMPLAINT", lastUpdate: new Date() });
    await c.post("/aws/suppressions/sync", { direction: "pull" });
    const contacts = await db.orm.select({ email: db.t.contacts.email, status: db.t.contacts.status }).from(db.t.contacts).where(eq(db.t.contacts.workspaceId, workspaceId)).orderBy(db.t.contacts.email);
    expect(contacts).toEqual([
      { email: "other@list.example", status: "active" },
      { email: "reader@list.example", status: "complained" },
    ]);
  });
});

describe("push", () => {
  test("puts Sesame's hard bounces and complaints on SES's list, marks each, and a second push sends nothing", async () => {
    const { c, workspaceId } = await w.owner();
    await suppress(workspaceId, "hard_bounce", 30);
    await suppress(workspaceId, "complaint", 5);
    for (const reason of ["soft_bounce", "unsubscribe", "manual"] as const) await suppress(workspaceId, reason, 3);
    const first = await c.post("/aws/suppressions/sync", { direction: "push" });
    expect(first.json).toEqual({ added: 35, skipped: 0 });
    expect(w.fake.suppressed.get("hard_bounce-7@sesame.example")).toMatchObject({ reason: "BOUNCE" });
    expect(w.fake.suppressed.get("complaint-4@sesame.example")).toMatchObject({ reason: "COMPLAINT" });
    expect([...w.fake.suppressed.keys()].filter((e) => /^(soft_bounce|unsubscribe|manual)-/.test(e))).toEqual([]);
    const rows = await sesameRows(workspaceId);
    expect(rows.filter((r) => r.sesPushedAt).length).toBe(35);

    const second = await c.post("/aws/suppressions/sync", { direction: "push" });
    expect(second.json).toEqual({ added: 0, skipped: 35 });
    expect(suppressionLog(w.fake).puts).toHaveLength(35);
  });

  test("throttling mid-push waits and goes on; every address is put exactly once", async () => {
    const { c, workspaceId } = await w.owner();
    await suppress(workspaceId, "hard_bounce", 120);
    throttlePutsAfter(w.fake, 40, 3);
    const reply = await c.post("/aws/suppressions/sync", { direction: "push" });
    expect(reply.json).toEqual({ added: 120, skipped: 0 });
    const puts = suppressionLog(w.fake).puts;
    expect(puts).toHaveLength(120);
    expect(new Set(puts).size).toBe(120);
    expect(w.fake.calls.filter((call) => call.action === "PutSuppressedDestination").length).toBeGreaterThan(120);
  });

  test("a push that stays throttled stops with a sentence, keeps what it did, and the next one pushes only the rest", async () => {
    const { workspaceId } = await w.owner();
    await suppress(workspaceId, "hard_bounce", 100);
    throttlePutsAfter(w.fake, 30, 1_000_000);
    const run = startSync(w.t.deps, workspaceId, { ...KEY, region: "us-east-1" }, "push", { backoffMs: [5, 10] });
    const failure = await run.done.catch((err: Error) => err);
    expect(failure).toMatchObject({ code: "aws_throttled", message: expect.stringContaining("Wait a minute") });
    expect(run).toMatchObject({ running: false, added: 30, error: expect.stringContaining("Wait a minute") });
    expect((await sesameRows(workspaceId)).filter((r) => r.sesPushedAt).length).toBe(30);

    suppressionLog(w.fake).throttle = null;
    const rest = startSync(w.t.deps, workspaceId, { ...KEY, region: "us-east-1" }, "push");
    expect(await rest.done).toEqual({ added: 70, skipped: 30, refused: 0 });
    const puts = suppressionLog(w.fake).puts;
    expect(puts).toHaveLength(100);
    expect(new Set(puts).size).toBe(100);
  });

  test("a push too long to wait for answers 202 with its progress, goes on to the end, and the page polls until it has", async () => {
    const { c, workspaceId } = await w.owner();
    await suppress(workspaceId, "hard_bounce", 200);
    // Throttled long enough (the SDK's own retry, then Sesame's first wait of a second) that the request stops waiting first.
    throttlePutsAfter(w.fake, 10, 3);
    const waited = syncWait.ms;
    syncWait.ms = 100;
    try {
      const reply = await c.post("/aws/suppressions/sync", { direction: "push" });
      expect(reply.status).toBe(202);
      expect(reply.json).toMatchObject({ running: true, skipped: 0 });
      expect(reply.json.added).toBeLessThan(200);
      const panel = await c.get("/aws/suppressions/sync", { "hx-request": "true" });
      expect(panel.text).toContain('hx-trigger="every 2s"');
      expect(panel.text).toContain("Pushing to SES:");
      // Pressing again joins the push under way instead of starting a second one.
      expect((await c.post("/aws/suppressions/sync", { direction: "push" })).status).toBe(202);
      const pull = await c.post("/aws/suppressions/sync", { direction: "pull" });
      expect(pull.status).toBe(409);
      expect(pull.json.error).toContain("A push of SES's suppression list is running");
    } finally {
      syncWait.ms = waited;
    }
    await syncRunsSettled();
    expect((await c.get("/aws/suppressions/sync")).json.run).toMatchObject({ direction: "push", running: false, added: 200, error: null });
    expect(suppressionLog(w.fake).puts).toHaveLength(200);
    const done = await c.get("/aws/suppressions/sync", { "hx-request": "true" });
    expect(done.text).not.toContain("every 2s");
    expect(done.text).toContain("Pushed to SES: 200 added to SES&#x27;s list");
  });

  test("keys without ses:PutSuppressedDestination get the sentence that names it, and nothing is marked pushed", async () => {
    const { c, workspaceId } = await w.owner(DENIED);
    await suppress(workspaceId, "complaint", 3);
    const reply = await c.post("/aws/suppressions/sync", { direction: "push" });
    expect(reply.status).toBe(422);
    expect(reply.json.error).toContain("Add ses:PutSuppressedDestination to the IAM user's policy");
    expect((await sesameRows(workspaceId)).filter((r) => r.sesPushedAt)).toEqual([]);
  });
});

describe("the SES list the sync's marks describe", () => {
  const day = 24 * 3600 * 1000;

  test("after the keys move to another region, a push puts every address on that region's list and a pull reads its list from the beginning", async () => {
    const { c, workspaceId } = await w.owner();
    await suppress(workspaceId, "hard_bounce", 3);
    w.fake.suppressed.set("early@list.example", { reason: "BOUNCE", lastUpdate: new Date(Date.now() - 10 * day) });
    expect((await c.post("/aws/suppressions/sync", { direction: "pull" })).json).toEqual({ added: 1, skipped: 0 });
    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 3, skipped: 1 });
    // Older than what the first region's pull read through: only a pull from the beginning sees it.
    w.fake.suppressed.set("backdated@list.example", { reason: "BOUNCE", lastUpdate: new Date(Date.now() - 20 * day) });

    expect((await c.put("/aws/region", { region: "eu-west-1" })).status).toBe(200);
    expect((await c.get("/aws/suppressions/sync")).json.pulledThrough).toBeString();
    const before = w.fake.calls.length;
    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 4, skipped: 0 });
    const puts = w.fake.calls.slice(before).filter((call) => call.action === "PutSuppressedDestination");
    expect(puts.map((call) => call.region)).toEqual(["eu-west-1", "eu-west-1", "eu-west-1", "eu-west-1"]);
    expect((await c.post("/aws/suppressions/sync", { direction: "pull" })).json).toEqual({ added: 1, skipped: 4 });
    expect((await sesameRows(workspaceId)).map((r) => r.email)).toContain("backdated@list.example");
    // And in the same region again, the marks hold: nothing is pushed twice.
    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 0, skipped: 5 });

    const [row] = await db.orm.select({ target: db.t.workspaces.sesSuppressionTarget }).from(db.t.workspaces).where(eq(db.t.workspaces.id, workspaceId));
    expect(row!.target).toMatch(/^eu-west-1:[0-9a-f]{16}$/);
    expect(row!.target).not.toContain(KEY.accessKeyId);
  });

  test("an admin's Push now with session-only keys of another account pushes every address, and the background sync with the saved keys then pushes them all again", async () => {
    const { c, workspaceId } = await w.owner();
    await suppress(workspaceId, "complaint", 3);
    const before = w.fake.calls.length;
    const putsWith = (key: string) => w.fake.calls.slice(before).filter((call) => call.action === "PutSuppressedDestination" && call.accessKeyId === key).length;
    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 3, skipped: 0 });
    expect((await c.post("/aws/connect", { ...OTHER, region: "us-east-1", save: false })).status).toBe(200);
    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 3, skipped: 0 });
    expect(putsWith(OTHER.accessKeyId)).toBe(3);

    await setSync(workspaceId, "push");
    await syncSuppressionLists(w.t.deps);
    await syncRunsSettled();
    expect(putsWith(KEY.accessKeyId)).toBe(6);
    expect((await c.get("/aws/suppressions/sync")).json.run).toMatchObject({ direction: "push", added: 3, skipped: 0, error: null });
  });
});

describe("paging SES's list without end", () => {
  const lists = () => w.fake.calls.filter((call) => call.action === "ListSuppressedDestinations").length;

  test("a pull SES answers with empty pages and a NextToken for ever stops at its page limit with a sentence, and keeps its mark", async () => {
    const { workspaceId } = await w.owner();
    suppressionLog(w.fake).listing = "empty-pages";
    const before = lists();
    const run = startSync(w.t.deps, workspaceId, { ...KEY, region: "us-east-1" }, "pull", { maxPullPages: 5 });
    const failure = await run.done.catch((err: Error) => err);
    expect(failure).toMatchObject({ code: "aws_paging_limit" });
    expect(run).toMatchObject({ running: false, error: expect.stringContaining("so the pull stopped there") });
    expect(lists() - before).toBe(5);
    const [row] = await db.orm.select({ through: db.t.workspaces.sesSuppressionPulledThrough }).from(db.t.workspaces).where(eq(db.t.workspaces.id, workspaceId));
    expect(row!.through).toBeNull();
  });

  test("a pull SES gives the same NextToken twice stops with a sentence instead of going round", async () => {
    const { c } = await w.owner();
    w.fake.suppressed.set("looped@list.example", { reason: "BOUNCE", lastUpdate: new Date() });
    suppressionLog(w.fake).listing = "same-token";
    const before = lists();
    const reply = await c.post("/aws/suppressions/sync", { direction: "pull" });
    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({ code: "aws_paging_loop", error: expect.stringContaining("rather than go round in a loop") });
    expect(lists() - before).toBe(2);
  });
});

describe("addresses SES refuses", () => {
  test("an address SES refuses is logged without the address, counted and skipped; the push goes on, the page says how many, and the next push tries it again", async () => {
    const { c, workspaceId } = await w.owner();
    await suppress(workspaceId, "hard_bounce", 10);
    const refuse = suppressionLog(w.fake).refuse;
    refuse.add("hard_bounce-3@sesame.example");
    refuse.add("hard_bounce-7@sesame.example");
    const logged = w.t.logs.length;

    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 8, skipped: 0, refused: 2 });
    expect(suppressionLog(w.fake).puts).toHaveLength(8);
    expect(w.fake.suppressed.has("hard_bounce-9@sesame.example")).toBe(true);
    expect(w.fake.suppressed.has("hard_bounce-3@sesame.example")).toBe(false);
    const lines = w.t.logs.slice(logged);
    expect(lines.filter((line) => line.includes("SES refused an address pushed to its suppression list"))).toHaveLength(2);
    expect(lines.some((line) => line.includes("hard_bounce-3@") || line.includes("hard_bounce-7@"))).toBe(false);
    expect(lines.some((line) => line.includes("SES suppression list sync failed"))).toBe(false);
    expect((await c.get("/aws/suppressions/sync")).json.run).toMatchObject({ running: false, added: 8, refused: 2, error: null });
    const panel = await c.get("/aws/suppressions/sync", { "hx-request": "true" });
    expect(panel.text).toContain("SES refused 2 addresses; the server log has its answer, and the next push tries them again.");

    refuse.clear();
    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 2, skipped: 8 });
  });
});

describe("the background sync", () => {
  test("follows each workspace's chosen direction, only when due, and only with saved keys", async () => {
    const pushing = await w.owner();
    const pulling = await w.owner();
    const off = await w.owner();
    const sessionOnly = await w.owner(KEY, false);
    for (const ws of [pushing, pulling, off, sessionOnly]) await suppress(ws.workspaceId, "hard_bounce", 2, `hb-${ws.workspaceId}`);
    w.fake.suppressed.set("from-ses@list.example", { reason: "BOUNCE", lastUpdate: new Date() });
    await setSync(pushing.workspaceId, "push");
    await setSync(pulling.workspaceId, "pull");
    await setSync(sessionOnly.workspaceId, "both");

    await syncSuppressionLists(w.t.deps);
    await syncRunsSettled();
    const pushed = (id: string) => [...w.fake.suppressed.keys()].filter((e) => e.includes(id)).length;
    const pulled = async (id: string) => (await sesameRows(id)).some((r) => r.email === "from-ses@list.example");
    expect(pushed(pushing.workspaceId)).toBe(2);
    expect(await pulled(pushing.workspaceId)).toBe(false);
    expect(await pulled(pulling.workspaceId)).toBe(true);
    expect(pushed(pulling.workspaceId)).toBe(0);
    expect(pushed(off.workspaceId) + pushed(sessionOnly.workspaceId)).toBe(0);
    expect(await pulled(off.workspaceId)).toBe(false);
    expect(await pulled(sessionOnly.workspaceId)).toBe(false);

    // Not due again for 15 minutes: a new hard bounce waits for the next turn.
    await suppress(pushing.workspaceId, "hard_bounce", 1, `later-${pushing.workspaceId}`);
    await syncSuppressionLists(w.t.deps);
    await syncRunsSettled();
    expect(pushed(pushing.workspaceId)).toBe(2);
    await setSync(pushing.workspaceId, "push", new Date(Date.now() - 16 * 60 * 1000));
    await syncSuppressionLists(w.t.deps);
    await syncRunsSettled();
    expect(pushed(pushing.workspaceId)).toBe(3);
  });

  test("both ways pulls then pushes, and one workspace's refusal does not stop the others", async () => {
    const refused = await w.owner(DENIED);
    const both = await w.owner();
    await setSync(refused.workspaceId, "both");
    await setSync(both.workspaceId, "both");
    await suppress(both.workspaceId, "complaint", 1, `c-${both.workspaceId}`);
    w.fake.suppressed.set("ses-only@list.example", { reason: "COMPLAINT", lastUpdate: new Date() });
    await syncSuppressionLists(w.t.deps);
    await syncRunsSettled();
    expect(w.fake.suppressed.get(`c-${both.workspaceId}-0@sesame.example`)).toMatchObject({ reason: "COMPLAINT" });
    expect((await sesameRows(both.workspaceId)).map((r) => r.email)).toContain("ses-only@list.example");
    expect(w.t.logs.some((line) => line.includes("SES suppression list sync failed") && line.includes(refused.workspaceId))).toBe(true);
    // The refused workspace is tried again in 15 minutes, not every minute.
    const [row] = await db.orm.select().from(db.t.workspaces).where(and(eq(db.t.workspaces.id, refused.workspaceId)));
    expect(row!.sesSuppressionSyncedAt).toBeInstanceOf(Date);
  });

  test("the setting is saved by an admin and refused when it is not one of off, pull, push, both", async () => {
    const { c } = await w.owner();
    expect((await c.put("/aws/suppressions/settings", { sync: "both" })).json).toMatchObject({ sync: "both", lastSyncAt: null });
    expect((await c.get("/aws/suppressions/settings")).json.sync).toBe("both");
    expect((await c.put("/aws/suppressions/settings", { sync: "sideways" })).json).toMatchObject({ code: "invalid_sync", field: "sync" });
    expect((await c.post("/aws/suppressions/sync", { direction: "sideways" })).json).toMatchObject({ code: "invalid_direction" });
  });
});

describe("done when", () => {
  test("a hard bounce Sesame records from SES appears in SES's own suppression list after a push", async () => {
    const { c, workspaceId } = await w.owner();
    const topicArn = (await c.post("/aws/events/setup")).json.topicArn;
    const bounce = await sesFixture("bounce-permanent");
    const message = signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: JSON.stringify(bounce) }, certs.certUrl);
    const posted = await new Client(w.t.app).request("POST", "/sns/notifications", { body: JSON.stringify(message), headers: { "content-type": "text/plain; charset=UTF-8" } });
    expect(posted.json).toEqual({ outcome: "recorded", events: 1 });
    expect((await sesameRows(workspaceId)).map((r) => [r.email, r.reason])).toEqual([["recipient@example.com", "hard_bounce"]]);
    expect(w.fake.suppressed.has("recipient@example.com")).toBe(false);

    expect((await c.post("/aws/suppressions/sync", { direction: "push" })).json).toEqual({ added: 1, skipped: 0 });
    expect(w.fake.suppressed.get("recipient@example.com")).toMatchObject({ reason: "BOUNCE" });
    expect((await c.get("/aws/suppressions?q=recipient@example.com")).json.items).toEqual([{ email: "recipient@example.com", reason: "BOUNCE", lastUpdate: expect.any(String) }]);
  });
});
