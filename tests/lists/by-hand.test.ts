import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";

let t: TestApp;
let c: Client;
beforeAll(async () => {
  t = await createTestApp({ startJobs: true });
  c = new Client(t.app);
  await c.signup("by-hand@example.com");
});
afterAll(async () => {
  await t.close();
});

const count = async (listId: string) => (await c.get(`/lists/${listId}`)).json.contacts as number;

describe("a list's count of contacts", () => {
  test("follows imports, contacts added by hand, deletions and overlapping lists, without counting a list page by page", async () => {
    const a = await importInto(c, "email,n\na1@example.com,1\na2@example.com,2\nshared@example.com,3\n", {}, "Counted A");
    expect(await count(a.listId)).toBe(3);
    const b = await importInto(c, "email\nshared@example.com\nb1@example.com\n", {}, "Counted B");
    expect(await count(b.listId)).toBe(2);
    // Importing the same file again adds nobody.
    await importInto(c, "email\nshared@example.com\nb1@example.com\n", {}, "Counted B again");
    const again = await c.request("POST", `/lists/${b.listId}/import`, { body: "email\nshared@example.com\nb1@example.com\n", headers: { "content-type": "text/csv" } });
    const { waitForImport } = await import("../support/imports");
    await waitForImport(c, again.json.importId);
    expect(await count(b.listId)).toBe(2);
    expect((await c.post(`/lists/${a.listId}/contacts`, { email: "a3@example.com" })).status).toBe(201);
    // Already on the list: no second membership.
    expect((await c.post(`/lists/${a.listId}/contacts`, { email: "A3@example.com" })).status).toBe(200);
    expect(await count(a.listId)).toBe(4);
    const shared = (await c.get(`/lists/${a.listId}/contacts?q=shared`)).json.items[0];
    expect((await c.delete(`/contacts/${shared.id}`)).status).toBe(204);
    expect([await count(a.listId), await count(b.listId)]).toEqual([3, 1]);
    expect((await c.get("/lists")).json.items.filter((l: { id: string }) => [a.listId, b.listId].includes(l.id)).map((l: { contacts: number }) => l.contacts)).toEqual([3, 1]);
  });
});

describe("lists and contacts by hand", () => {
  test("a list is renamed; a name another list has, or no name, is refused", async () => {
    const first = (await c.post("/lists", { name: "Old name" })).json;
    await c.post("/lists", { name: "Taken" });
    expect((await c.patch(`/lists/${first.id}`, { name: "  New name " })).json).toMatchObject({ id: first.id, name: "New name" });
    expect((await c.get(`/lists/${first.id}`)).json.name).toBe("New name");
    expect((await c.patch(`/lists/${first.id}`, { name: "taken" })).status).toBe(409);
    expect((await c.patch(`/lists/${first.id}`, { name: " " })).json).toMatchObject({ code: "invalid_name", field: "name" });
    // Renaming to its own name in another case is fine.
    expect((await c.patch(`/lists/${first.id}`, { name: "NEW NAME" })).status).toBe(200);
  });

  test("a contact added by hand gets its attributes as typed; its list learns the new columns; a suppressed address joins unmailable", async () => {
    const list = (await c.post("/lists", { name: "Typed" })).json;
    const added = await c.post(`/lists/${list.id}/contacts`, { email: " Zoe@Example.com ", attributes: { "First Name": "Zoë", Plan: "Pro", Empty: "  " } });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ email: "zoe@example.com", attributes: { first_name: "Zoë", plan: "Pro" }, status: "active" });
    expect((await c.get(`/lists/${list.id}`)).json.columns).toEqual([
      { key: "first_name", label: "First Name" },
      { key: "plan", label: "Plan" },
    ]);
    expect((await c.get(`/lists/${list.id}/variables`)).json.variables).toEqual(["email", "unsubscribe_url", "first_name", "plan"]);
    await c.post("/suppressions", { email: "gone@example.com" });
    expect((await c.post(`/lists/${list.id}/contacts`, { email: "gone@example.com" })).json.status).toBe("unsubscribed");
    for (const [body, code] of [
      [{ email: "not an address" }, "invalid_email"],
      [{ email: "x@example.com", attributes: { email: "other" } }, "reserved_attribute"],
      [{ email: "x@example.com", attributes: { "!!!": "v" } }, "invalid_attribute"],
      [{ email: "x@example.com", attributes: { note: "n".repeat(2001) } }, "attribute_too_long"],
    ] as const) {
      const reply = await c.post(`/lists/${list.id}/contacts`, body);
      expect({ code: reply.json.code, status: reply.status }).toEqual({ code, status: 422 });
    }
    expect((await c.post("/lists/lst_nope/contacts", { email: "x@example.com" })).status).toBe(404);
  });

  test("a form adds a contact from attr_ fields and one new attribute", async () => {
    const list = (await c.post("/lists", { name: "From a form" })).json;
    const form = new URLSearchParams({ email: "form@example.com", attr_company: "Acme", new_name: "Home town", new_value: "Oslo" });
    const reply = await c.request("POST", `/lists/${list.id}/contacts`, { body: form.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(reply.json.attributes).toEqual({ company: "Acme", home_town: "Oslo" });
  });

  test("editing a contact replaces its attributes; a blank value removes one", async () => {
    const { listId } = await importInto(c, "email,Company,City\nedit@example.com,Acme,Paris\n", {}, "Edited");
    const contact = (await c.get(`/lists/${listId}/contacts?q=edit@`)).json.items[0];
    const edited = await c.patch(`/contacts/${contact.id}`, { attributes: { company: "Globex", city: "" }, listId });
    expect(edited.json).toMatchObject({ email: "edit@example.com", attributes: { company: "Globex" } });
    expect((await c.get(`/contacts/${contact.id}`)).json.attributes).toEqual({ company: "Globex" });
    const page = await c.get(`/contacts/${contact.id}?list=${listId}`, { accept: "text/html" });
    expect(page.text).toContain("Company");
    expect(page.text).toContain("Globex");
    expect((await c.patch("/contacts/999999999", { attributes: {} })).status).toBe(404);
  });
});

describe("the contacts table", () => {
  test("'Added' orders contacts as the file listed them, not alphabetically, and shows when each was added", async () => {
    const { listId } = await importInto(c, "email\nzed@example.com\nann@example.com\nmid@example.com\n", {}, "Ordered");
    const emails = async (sort: string) => (await c.get(`/lists/${listId}/contacts?sort=${sort}`)).json.items.map((i: { email: string }) => i.email);
    expect(await emails("created")).toEqual(["zed@example.com", "ann@example.com", "mid@example.com"]);
    expect(await emails("-created")).toEqual(["mid@example.com", "ann@example.com", "zed@example.com"]);
    expect(await emails("email")).toEqual(["ann@example.com", "mid@example.com", "zed@example.com"]);
    const page = await c.get(`/lists/${listId}`, { accept: "text/html" });
    expect(page.text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+UTC" data-local="date"/);
  });

  test("a list past 20,000 contacts is searched by the start of the address along its index; a broad search stops counting at 10,000 and says so", async () => {
    const n = 20_050;
    const rows = Array.from({ length: n }, (_, i) => `cap${String(n - i).padStart(5, "0")}@example.com,Acme`);
    const { listId } = await importInto(c, `email,company\n${rows.join("\n")}\n`, {}, "Broad");
    const broad = (await c.get(`/lists/${listId}/contacts?q=cap`)).json;
    expect({ total: broad.total, capped: broad.totalCapped }).toEqual({ total: 10_000, capped: true });
    // A search of a big list lists by address unless asked otherwise.
    expect(broad.items[0].email).toBe("cap00001@example.com");
    const narrow = (await c.get(`/lists/${listId}/contacts?q=CAP001`)).json;
    expect({ total: narrow.total, capped: narrow.totalCapped }).toEqual({ total: 100, capped: undefined });
    // Only the start of the address: attribute values and the middle of addresses are not searched here.
    expect((await c.get(`/lists/${listId}/contacts?q=acme`)).json.total).toBe(0);
    expect((await c.get(`/lists/${listId}/contacts?q=example.com`)).json.total).toBe(0);
    // Sorted by when they were added (the file listed them from the highest number down).
    const added = (await c.get(`/lists/${listId}/contacts?q=cap001&sort=created`)).json.items.map((i: { email: string }) => i.email);
    expect(added.slice(0, 2)).toEqual(["cap00199@example.com", "cap00198@example.com"]);
    const page = (await c.get(`/lists/${listId}?q=cap`, { accept: "text/html" })).text;
    expect(page).toContain("10,000+ in all");
    expect(page).toContain("type more of the address");
    expect(page).toContain("This list is large, so search finds contacts whose email address starts with what you type");
  });

  test("column headers read as the CSV named them, and the export uses them too", async () => {
    const { listId } = await importInto(c, "E-mail,First Name,Home City\nhead@example.com,Ann,Oslo\n", {}, "Headers");
    const page = await c.get(`/lists/${listId}`, { accept: "text/html" });
    expect(page.text).toContain("First Name");
    expect(page.text).toContain("Home City");
    const csv = await c.get(`/lists/${listId}/export.csv`);
    expect(csv.text.split("\r\n")[0]).toBe("email,status,First Name,Home City");
    expect(csv.text).toContain("head@example.com,active,Ann,Oslo");
  });

  test("every view of the table is an address: links carry page, sort and search, push them to the history, and the API's address opened in a browser shows the page", async () => {
    const { listId } = await importInto(c, `email\n${Array.from({ length: 70 }, (_, i) => `row${i}@example.com`).join("\n")}\n`, {}, "Addressed");
    const page = (await c.get(`/lists/${listId}?sort=-email&page=2`, { accept: "text/html" })).text;
    expect(page).toContain("Page 2 of 2");
    expect(page).toContain(`href="/lists/${listId}?sort=-email"`);
    expect(page).toContain('hx-push-url="true"');
    const fragment = await c.get(`/lists/${listId}?q=row1`, { "hx-request": "true" });
    expect(fragment.text).not.toContain("<html");
    expect(fragment.text).toContain('id="contacts"');
    // htmx restoring a page from history asks for the whole page.
    const restore = await c.get(`/lists/${listId}?q=row1`, { "hx-request": "true", "hx-history-restore-request": "true" });
    expect(restore.text).toContain("<html");
    const api = await c.get(`/lists/${listId}/contacts?page=2&sort=email`, { accept: "text/html" });
    expect(api.status).toBe(303);
    expect(api.headers.get("location")).toBe(`/lists/${listId}?page=2&sort=email`);
    expect(page).toContain("Finds any part of an email address or of an attribute value");
  });
});

describe("a list's columns", () => {
  test("include what contacts bring from other lists, by import, by hand or by an edit, so export and variables keep them", async () => {
    const a = await importInto(c, "email,Plan\nbring@example.com,Pro\n", {}, "Brings A");
    // Imported into another list by a file without that column: the contact keeps its plan, and B learns the column.
    const b = await importInto(c, "email,City\nbring@example.com,Oslo\n", {}, "Brings B");
    expect((await c.get(`/lists/${b.listId}`)).json.columns).toEqual([
      { key: "city", label: "City" },
      { key: "plan", label: "Plan" },
    ]);
    expect((await c.get(`/lists/${b.listId}/export.csv`)).text.split("\r\n")[1]).toBe("bring@example.com,active,Oslo,Pro");
    expect((await c.get(`/lists/${b.listId}/variables`)).json.variables).toContain("plan");
    // Added by hand to a third list.
    const third = (await c.post("/lists", { name: "Brings C" })).json;
    await c.post(`/lists/${third.id}/contacts`, { email: "bring@example.com" });
    expect((await c.get(`/lists/${third.id}`)).json.columns.map((col: { key: string }) => col.key).sort()).toEqual(["city", "plan"]);
    // An edit adds a column to every list the contact is on.
    const contact = (await c.get(`/lists/${a.listId}/contacts?q=bring@`)).json.items[0];
    await c.patch(`/contacts/${contact.id}`, { attributes: { plan: "Team", city: "Oslo", "Account Manager": "Kim" } });
    for (const listId of [a.listId, b.listId, third.id]) {
      expect((await c.get(`/lists/${listId}`)).json.columns).toContainEqual({ key: "account_manager", label: "Account Manager" });
    }
  });
});
