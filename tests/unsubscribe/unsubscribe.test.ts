import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { testUnsubscribeUrl, unsubscribeUrl } from "../../src/features/unsubscribe/service";
import { deriveKey } from "../../src/lib/keys";
import { signToken } from "../../src/lib/signed";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";

let t: TestApp;
let owner: Client;
let workspaceId: string;
let listId: string;
beforeAll(async () => {
  t = await createTestApp({ startJobs: true, env: { PUBLIC_URL: "https://mail.example.com" } });
  owner = new Client(t.app);
  workspaceId = (await owner.signup("unsub-owner@example.com")).workspace.id;
  listId = (await importInto(owner, "email\nreader@example.com\nother@example.com\n")).listId;
});
afterAll(async () => {
  await t.close();
});

const path = (url: string) => new URL(url).pathname;
const link = (email: string) => path(unsubscribeUrl(t.deps.config, { workspaceId, email }));

async function state(email: string) {
  const { db } = t.database;
  return {
    suppressed: (await db.orm.select().from(db.t.suppressions).where(eq(db.t.suppressions.email, email))).map((s) => s.reason),
    events: (await db.orm.select().from(db.t.events).where(eq(db.t.events.email, email))).map((e) => e.type),
    status: (await owner.get(`/lists/${listId}/contacts?q=${email}`)).json.items[0]?.status,
  };
}

describe("unsubscribe links", () => {
  test("the link is absolute under PUBLIC_URL", () => {
    expect(unsubscribeUrl(t.deps.config, { workspaceId, email: "reader@example.com" })).toStartWith("https://mail.example.com/u/");
  });

  test("the page needs no login, asks once, and the click unsubscribes and says so", async () => {
    const visitor = new Client(t.app, "http://localhost");
    const page = await visitor.get(link("reader@example.com"), { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.text).toContain("reader@example.com");
    expect(page.text).toContain("Unsubscribe</button>");
    expect(await state("reader@example.com")).toEqual({ suppressed: [], events: [], status: "active" });

    const done = await visitor.request("POST", link("reader@example.com"), { body: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
    expect(done.status).toBe(200);
    expect(done.text).toContain("You are unsubscribed");
    expect(await state("reader@example.com")).toEqual({ suppressed: ["unsubscribe"], events: ["unsubscribe"], status: "unsubscribed" });

    // A second click (or a mail client's one-click POST afterwards) changes nothing more.
    await visitor.request("POST", link("reader@example.com"), { body: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
    expect((await state("reader@example.com")).events).toEqual(["unsubscribe"]);
    expect((await visitor.get(link("reader@example.com"), { accept: "text/html" })).text).toContain("You are unsubscribed");
  });

  test("RFC 8058 one-click POST from a mail provider unsubscribes", async () => {
    const provider = new Client(t.app);
    const reply = await provider.request("POST", link("other@example.com"), {
      body: "List-Unsubscribe=One-Click",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ unsubscribed: true });
    const after = await state("other@example.com");
    expect(after).toEqual({ suppressed: ["unsubscribe"], events: ["unsubscribe"], status: "unsubscribed" });
    const { db } = t.database;
    const [event] = await db.orm.select().from(db.t.events).where(eq(db.t.events.email, "other@example.com"));
    expect(event!.detail).toEqual({ via: "one-click" });
  });

  test("a test mail's link shows the page in test mode and unsubscribes no one, by the page or by one-click", async () => {
    // A test link that also names an address (as a link for a previewed contact would) must still change nothing.
    const naming = signToken({ w: workspaceId, e: "reader-test@example.com", t: 1 }, deriveKey(t.deps.config.appSecret, "unsubscribe-links").key);
    await importInto(owner, "email\nreader-test@example.com\n");
    for (const testLink of [path(testUnsubscribeUrl(t.deps.config, workspaceId)), `/u/${naming}`]) {
      const visitor = new Client(t.app, "http://localhost");
      const page = await visitor.get(testLink, { accept: "text/html" });
      expect(page.status).toBe(200);
      expect(page.text).toContain("This was a test");
      expect(page.text).toContain("unsubscribed no one");
      expect(page.text).not.toContain("<form");
      const pressed = await visitor.request("POST", testLink, { body: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
      expect(pressed.status).toBe(200);
      expect(pressed.text).toContain("This was a test");
      const oneClick = await new Client(t.app).request("POST", testLink, { body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(oneClick.status).toBe(200);
      expect(oneClick.json).toEqual({ unsubscribed: false, test: true });
    }
    const { db } = t.database;
    expect((await db.orm.select().from(db.t.events).where(eq(db.t.events.email, "reader-test@example.com"))).length).toBe(0);
    expect((await db.orm.select().from(db.t.suppressions).where(eq(db.t.suppressions.email, "reader-test@example.com"))).length).toBe(0);
  });

  test("a tampered or foreign token does nothing", async () => {
    const good = link("tamper@example.com");
    const [body, sig] = good.slice(3).split(".");
    const otherEmail = Buffer.from(JSON.stringify({ w: workspaceId, e: "victim@example.com" })).toString("base64url");
    const foreign = path(unsubscribeUrl(loadConfig({ APP_SECRET: "f".repeat(64), PUBLIC_URL: "https://mail.example.com" }), { workspaceId, email: "tamper@example.com" }));
    for (const bad of [`/u/${otherEmail}.${sig}`, `/u/${body}.${sig!.slice(0, -2)}AA`, `/u/${body}`, foreign, "/u/garbage"]) {
      const page = await new Client(t.app).get(bad, { accept: "text/html" });
      expect({ bad, status: page.status }).toEqual({ bad, status: 404 });
      const post = await new Client(t.app).request("POST", bad, { body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(post.status).toBe(404);
    }
    const { db } = t.database;
    const rows = await db.orm.select().from(db.t.suppressions);
    expect(rows.map((r) => r.email).sort()).toEqual(["other@example.com", "reader@example.com"]);
  });
});
