import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";

let t: TestApp;
let admin: Client;
let listId: string;
beforeAll(async () => {
  t = await createTestApp({ startJobs: true });
  admin = new Client(t.app);
  await admin.signup("suppress-admin@example.com");
  listId = (await importInto(admin, "email,name\nkeep@example.com,K\nstop@example.com,S\n")).listId;
});
afterAll(async () => {
  await t.close();
});

const statusOf = async (email: string) => (await admin.get(`/lists/${listId}/contacts?q=${email}`)).json.items[0]?.status;

describe("suppression list", () => {
  test("an address suppressed by hand is listed and its contact stops being mailable", async () => {
    const reply = await admin.post("/suppressions", { email: "Stop@Example.com" });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ added: 1, already: 0 });
    expect((await admin.post("/suppressions", { email: "stop@example.com" })).json).toEqual({ added: 0, already: 1 });
    expect(await statusOf("stop@example.com")).toBe("unsubscribed");
    const list = (await admin.get("/suppressions")).json;
    expect(list.items[0]).toMatchObject({ email: "stop@example.com", reason: "manual" });
    expect((await admin.post("/suppressions", { email: "nope" })).status).toBe(422);
  });

  test("search and filter by reason", async () => {
    await admin.post("/suppressions", { emails: ["a1@example.com", "a2@example.com", "b1@example.com"] });
    expect((await admin.get("/suppressions?q=a")).json.total).toBeGreaterThanOrEqual(2);
    expect((await admin.get("/suppressions?q=b1")).json.total).toBe(1);
    expect((await admin.get("/suppressions?reason=complaint")).json.total).toBe(0);
    expect((await admin.get("/suppressions?reason=manual")).json.total).toBe(4);
  });

  test("a CSV of addresses imports; the list exports as CSV", async () => {
    const form = new FormData();
    form.append("file", new File(["email\nimp1@example.com\nimp2@example.com\nbad\nstop@example.com\n"], "s.csv"));
    const reply = await admin.request("POST", "/suppressions/import", { body: form });
    expect(reply.json).toEqual({ added: 2, already: 1, invalid: 1 });
    const csv = (await admin.get("/suppressions/export.csv")).text;
    expect(csv.split("\r\n")[0]).toBe("email,reason,source,suppressed_at");
    expect(csv).toContain("imp1@example.com,manual,manual:import,");
  });

  test("only a workspace admin may remove an address; removing makes the contact mailable again", async () => {
    const id = (await admin.get("/suppressions?q=stop@")).json.items[0].id;
    const member = new Client(t.app);
    const signup = await member.signup();
    const { db } = t.database;
    // Put the member into the admin's workspace as a plain member.
    const [session] = await db.orm.select().from(db.t.sessions).where(eq(db.t.sessions.userId, signup.user.id));
    const workspaceId = (await admin.get("/auth/me")).json.workspace.id;
    await db.orm.insert(db.t.memberships).values({ workspaceId, userId: signup.user.id, role: "member", createdAt: new Date() });
    await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.id, session!.id));
    expect((await member.delete(`/suppressions/${id}`)).status).toBe(403);
    expect((await admin.delete(`/suppressions/${id}`)).status).toBe(204);
    expect(await statusOf("stop@example.com")).toBe("active");
    expect((await admin.delete(`/suppressions/${id}`)).status).toBe(404);
  });

  test("the page shows the list with search, import, export and an empty state for a new workspace", async () => {
    const page = (await admin.get("/suppressions", { accept: "text/html" })).text;
    expect(page).toContain("imp1@example.com");
    expect(page).toContain("Export CSV");
    const fresh = new Client(t.app);
    await fresh.signup();
    expect((await fresh.get("/suppressions", { accept: "text/html" })).text).toContain("No suppressed addresses");
  });
});
