import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";

let t: TestApp;
let c: Client;
beforeAll(async () => {
  t = await createTestApp({ startJobs: true });
  c = new Client(t.app);
  await c.signup("lists@example.com");
});
afterAll(async () => {
  await t.close();
});

describe("lists", () => {
  test("a list is created with a name, listed with its contact count, and names are unique in a workspace", async () => {
    const created = await c.post("/lists", { name: "  Weekly digest " });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.stringMatching(/^lst_/), name: "Weekly digest" });
    expect((await c.post("/lists", { name: "weekly DIGEST" })).status).toBe(409);
    expect((await c.post("/lists", { name: "   " })).json).toMatchObject({ code: "invalid_name", field: "name" });
    expect((await c.post("/lists", { name: "x".repeat(101) })).status).toBe(422);
    const lists = (await c.get("/lists")).json.items;
    expect(lists).toContainEqual({ id: created.json.id, name: "Weekly digest", contacts: 0 });
  });

  test("the Lists page shows an empty state, then the lists", async () => {
    const fresh = new Client(t.app);
    await fresh.signup();
    expect((await fresh.get("/lists", { accept: "text/html" })).text).toContain("No lists yet");
    await fresh.post("/lists", { name: "Customers" });
    const page = (await fresh.get("/lists", { accept: "text/html" })).text;
    expect(page).toContain("Customers");
    expect(page).not.toContain("No lists yet");
  });
});

describe("contacts", () => {
  let listId: string;
  beforeAll(async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `person${String(i).padStart(2, "0")}@example.com,${i % 2 ? "Acme" : "Globex"},${i === 7 ? "Zanzibar" : "Paris"}`);
    listId = (await importInto(c, `email,company,city\n${rows.join("\n")}\n`, {}, "Search me")).listId;
  });

  test("search matches any part of the address or the value of any attribute, not attribute names", async () => {
    expect((await c.get(`/lists/${listId}/contacts?q=person07`)).json.total).toBe(1);
    expect((await c.get(`/lists/${listId}/contacts?q=zanzibar`)).json.items.map((i: { email: string }) => i.email)).toEqual(["person07@example.com"]);
    expect((await c.get(`/lists/${listId}/contacts?q=ACME`)).json.total).toBe(30);
    expect((await c.get(`/lists/${listId}/contacts?q=example.com`)).json.total).toBe(60);
    expect((await c.get(`/lists/${listId}/contacts?q=company`)).json.total).toBe(0);
    expect((await c.get(`/lists/${listId}/contacts?q=${encodeURIComponent("%")}`)).json.total).toBe(0);
    expect((await c.get(`/lists/${listId}/contacts?q=${encodeURIComponent("person_7")}`)).json.total).toBe(0);
  });

  test("pages hold 50 contacts, and sorting works both ways", async () => {
    const first = (await c.get(`/lists/${listId}/contacts?page=1&sort=email`)).json;
    const second = (await c.get(`/lists/${listId}/contacts?page=2&sort=email`)).json;
    expect(first.total).toBe(60);
    expect(first.items).toHaveLength(50);
    expect(second.items).toHaveLength(10);
    expect(first.items[0].email).toBe("person00@example.com");
    const desc = (await c.get(`/lists/${listId}/contacts?sort=-email`)).json;
    expect(desc.items[0].email).toBe("person59@example.com");
    expect(first.items[0]).toEqual({ id: expect.any(Number), email: "person00@example.com", attributes: { company: "Globex", city: "Paris" }, status: "active", addedAt: expect.any(String) });
  });

  test("the list page renders the contacts, and the htmx search returns only the table", async () => {
    const page = await c.get(`/lists/${listId}`, { accept: "text/html" });
    expect(page.text).toContain("person00@example.com");
    expect(page.text).toContain("Page 1 of 2");
    const partial = await c.get(`/lists/${listId}/contacts?q=zanzibar`, { "hx-request": "true" });
    expect(partial.text).toContain('id="contacts"');
    expect(partial.text).not.toContain("<html");
  });

  test("a contact can be deleted", async () => {
    const target = (await c.get(`/lists/${listId}/contacts?q=person59`)).json.items[0];
    expect((await c.delete(`/contacts/${target.id}`)).status).toBe(204);
    expect((await c.get(`/lists/${listId}/contacts?q=person59`)).json.total).toBe(0);
    expect((await c.delete(`/contacts/${target.id}`)).status).toBe(404);
    const { db } = t.database;
    expect((await db.orm.select().from(db.t.listContacts)).some((m) => m.contactId === target.id)).toBe(false);
    expect((await c.delete(`/contacts/not-a-number`)).status).toBe(400);
  });
});

describe("export and delete", () => {
  test("a list exports as CSV with formulas neutralised", async () => {
    const { listId } = await importInto(c, 'email,name,score\nf1@example.com,=HYPERLINK("http://evil"),+1\nf2@example.com,@SUM(A1),-3\nf3@example.com,"Plain, with comma",7\n', {}, "Export me");
    const reply = await c.get(`/lists/${listId}/export.csv`);
    expect(reply.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(reply.headers.get("content-disposition")).toBe('attachment; filename="export-me.csv"');
    expect(reply.text).toBe(
      ["email,status,name,score", `f1@example.com,active,"'=HYPERLINK(""http://evil"")",'+1`, "f2@example.com,active,'@SUM(A1),'-3", 'f3@example.com,active,"Plain, with comma",7', ""].join("\r\n"),
    );
  });

  test("deleting a list deletes the contacts on no other list and keeps the others", async () => {
    const a = await importInto(c, "email\nonly-a@example.com\nshared@example.com\n", {}, "List A");
    const b = await importInto(c, "email\nshared@example.com\n", {}, "List B");
    const reply = await c.delete(`/lists/${a.listId}`);
    expect(reply.json).toEqual({ deleted: true, contactsDeleted: 1 });
    expect((await c.get(`/lists/${a.listId}`)).status).toBe(404);
    expect((await c.get(`/lists/${b.listId}/contacts`)).json.items.map((i: { email: string }) => i.email)).toEqual(["shared@example.com"]);
    const { db } = t.database;
    const left = await db.orm.select().from(db.t.contacts);
    expect(left.some((r) => r.email === "only-a@example.com")).toBe(false);
  });
});
