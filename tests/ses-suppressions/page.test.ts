import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { fillSesList, startWorld, type World } from "./world";

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});
beforeEach(() => {
  w.fake.suppressed.clear();
  w.fake.faults.clear();
});

const HTML = { accept: "text/html" };
const HTMX = { "hx-request": "true" };

describe("the page /settings/aws/suppressions", () => {
  test("shows the list in the AWS tabs with search, the add form, the sync setting and the account's attributes", async () => {
    const { c } = await w.owner();
    fillSesList(w.fake.suppressed, 60);
    const page = await c.get("/settings/aws/suppressions", HTML);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/aria-current="page"[^>]*>SES suppression list</);
    expect(page.text).toContain('data-testid="ses-suppressions-search"');
    expect(page.text).toContain('data-testid="ses-suppression-add"');
    expect(page.text).toContain("user-00049@list.example");
    expect(page.text).not.toContain("user-00050@list.example");
    expect(page.text).toContain('data-testid="ses-suppressions-next"');
    expect(page.text).toContain("hx-confirm=\"Remove user-00000@list.example from SES's suppression list?");
    for (const meaning of ["Pull from SES", "Push to SES", "Both ways"]) expect(page.text).toContain(meaning);
    expect(page.text).toMatch(/value="BOUNCE" checked/);
    expect(page.text).toContain('href="/suppressions"');
    // And Sesame's own suppression page points here.
    expect((await c.get("/suppressions", HTML)).text).toContain('href="/settings/aws/suppressions"');
  });

  test("a search swaps only the table, the same URL opens the whole page, and the next page follows SES's token", async () => {
    const { c } = await w.owner();
    fillSesList(w.fake.suppressed, 60);
    const partial = await c.get("/settings/aws/suppressions?q=user-0001&reason=&from=&to=", HTMX);
    expect(partial.headers.get("hx-push-url")).toBe("/settings/aws/suppressions?q=user-0001");
    // The table reloading itself after an add or a remove leaves the address bar alone.
    expect((await c.get("/settings/aws/suppressions?q=user-0001", { ...HTMX, "hx-trigger": "ses-suppressions" })).headers.get("hx-push-url")).toBeNull();
    expect(partial.text.startsWith('<div id="ses-suppressions"')).toBe(true);
    expect(partial.text).not.toContain("<html");
    expect(partial.text).toContain("user-00019@list.example");
    expect(partial.text).not.toContain("user-00020@list.example");
    expect(partial.text).toContain("Looked through 60 addresses.");
    const full = await c.get("/settings/aws/suppressions?q=user-0001", HTML);
    expect(full.text).toContain("<html");
    expect(full.text).toContain('value="user-0001"');

    const first = await c.get("/aws/suppressions");
    const next = await c.get(`/settings/aws/suppressions?nextToken=${encodeURIComponent(first.json.nextToken)}`, HTMX);
    expect(next.text).toContain("user-00050@list.example");
    expect(next.text).toContain('data-testid="ses-suppressions-first"');
    // A browser opening the API's URL gets the page too.
    expect((await c.get("/aws/suppressions?reason=COMPLAINT", HTML)).text).toContain("<html");
  });

  test("an empty list says what would be here; a filter that matches nothing says so", async () => {
    const { c } = await w.owner();
    const empty = await c.get("/settings/aws/suppressions", HTML);
    expect(empty.text).toContain("SES&#x27;s suppression list is empty.");
    const none = await c.get("/settings/aws/suppressions?reason=COMPLAINT", HTMX);
    expect(none.text).toContain("No address on SES&#x27;s suppression list matches.");
  });

  test("without keys the page says to connect them; with keys AWS refuses, the sentence takes the list's place", async () => {
    const unconnected = await w.owner(null);
    const page = await unconnected.c.get("/settings/aws/suppressions", HTML);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Connect your AWS keys first");

    const { c } = await w.owner();
    w.fake.fail("ses:ListSuppressedDestinations", "denied");
    w.fake.fail("ses:GetAccount", "throttled");
    const refused = await c.get("/settings/aws/suppressions", HTML);
    expect(refused.status).toBe(200);
    expect(refused.text).toContain("Add ses:ListSuppressedDestinations to the IAM user&#x27;s policy");
    expect(refused.text).toContain("Wait a minute and try again");
  });

  test("a member sees the list without the add form, the remove buttons or the sync buttons", async () => {
    const { workspaceId } = await w.owner();
    const m = await w.member(workspaceId);
    fillSesList(w.fake.suppressed, 3);
    const page = await m.get("/settings/aws/suppressions", HTML);
    expect(page.text).toContain("user-00001@list.example");
    expect(page.text).not.toContain('data-testid="ses-suppression-add"');
    expect(page.text).not.toContain('data-testid="ses-suppression-remove"');
    expect(page.text).not.toContain('data-testid="ses-sync-now"');
    expect(page.text).toContain("A workspace admin can change the setting and run a sync.");
  });

  test("what SES holds is escaped, never markup", async () => {
    const { c } = await w.owner();
    w.fake.suppressed.set('"><img src=x onerror=alert(1)>@evil.example', { reason: "BOUNCE", lastUpdate: new Date() });
    const page = await c.get("/settings/aws/suppressions", HTML);
    // In text it is escaped; in attributes (the confirmation, the row's data) its quote cannot end the value.
    expect(page.text).toContain(">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@evil.example<");
    expect(page.text).not.toContain('"><img');
    expect(page.text).toContain('hx-confirm="Remove &#34;><img src=x');
  });
});

describe("htmx answers", () => {
  test("adding and removing answer a notice and tell the table to reload; a failure is a sentence in the same place", async () => {
    const { c } = await w.owner();
    const added = await c.request("PUT", "/aws/suppressions", { body: "email=new%40example.com&reason=BOUNCE", headers: { ...HTMX, "content-type": "application/x-www-form-urlencoded" } });
    expect(added.status).toBe(200);
    expect(added.headers.get("hx-trigger")).toBe("ses-suppressions-changed");
    expect(added.text).toContain("Added new@example.com to SES&#x27;s suppression list.");
    const removed = await c.request("DELETE", "/aws/suppressions/new%40example.com", { headers: HTMX });
    expect(removed.text).toContain("Removed new@example.com");
    const again = await c.request("DELETE", "/aws/suppressions/new%40example.com", { headers: HTMX });
    expect(again.status).toBe(404);
    expect(again.text).toContain('role="alert"');
  });

  test("the attributes form sends its ticked boxes; none ticked turns both off", async () => {
    const { c } = await w.owner();
    const form = (body: string) => c.request("PUT", "/aws/suppressions/attributes", { body, headers: { ...HTMX, "content-type": "application/x-www-form-urlencoded" } });
    const one = await form("reasons=&reasons=COMPLAINT");
    expect(one.headers.get("hx-retarget")).toBe("#ses-attributes");
    expect(one.text).toMatch(/value="COMPLAINT" checked/);
    expect(one.text).not.toMatch(/value="BOUNCE" checked/);
    expect(one.text).toContain("Saved in SES.");
    const none = await form("reasons=");
    expect(none.status).toBe(200);
    expect((await c.get("/aws/suppressions/attributes")).json).toEqual({ reasons: [] });
  });

  test("the sync setting and Pull now swap the sync panel with the result", async () => {
    const { c } = await w.owner();
    const form = { ...HTMX, "content-type": "application/x-www-form-urlencoded" };
    const saved = await c.request("PUT", "/aws/suppressions/settings", { body: "sync=pull", headers: form });
    expect(saved.headers.get("hx-retarget")).toBe("#ses-sync");
    expect(saved.text).toMatch(/value="pull" checked/);
    expect(saved.text).toContain("Sesame syncs every 15 minutes");
    fillSesList(w.fake.suppressed, 4);
    const pulled = await c.request("POST", "/aws/suppressions/sync", { body: "direction=pull", headers: form });
    expect(pulled.text).toContain("Pulled from SES: 4 added to Sesame&#x27;s list, 0 already there.");
    expect(pulled.text).toContain("Last sync:");
  });
});
