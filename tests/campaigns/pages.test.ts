import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sql } from "drizzle-orm";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";
import { importInto } from "../support/imports";
import { utcToZonedInput } from "../../src/lib/zones";

// The SES emulator starts in a child process: longer than a plain `bun test` gives a hook.
setDefaultTimeout(30_000);

const KEY = { accessKeyId: "AKIACAMPAIGNPAGES001", secretAccessKey: "campaign-pages-secret-access-key-000000" };
const ZONE = "Europe/Paris";
const HTML = { accept: "text/html" };
const HTMX = { "hx-request": "true" };

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let alice: Client;
let templateId: string;
let first: string;
let second: string;

/** A form post as a browser sends it: urlencoded, from the app's own origin, asking for a page. */
function form(c: Client, path: string, fields: Record<string, string>, headers: Record<string, string> = HTML): Promise<Reply> {
  return c.request("POST", path, { body: new URLSearchParams(fields).toString(), headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
}

function campaignFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: "Spring news",
    templateId,
    [`list_${first}`]: "on",
    [`list_${second}`]: "on",
    fromName: "Acme News",
    fromAddress: "news@example.com",
    replyTo: "",
    tracking: "on",
    when: "now",
    sendAt: "",
    ...overrides,
  };
}

/** The text of a page without its tags, whitespace folded: what a reader sees. */
function visible(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url } });
  alice = new Client(t.app, "http://localhost");
  await alice.signup("alice-pages@example.com");
  expect((await alice.put("/me/time-zone", { timeZone: ZONE })).status).toBe(204);
  expect((await alice.post("/aws/connect", { ...KEY, region: "us-east-1", save: true })).status).toBe(200);
  fake.identities.set("example.com", { name: "example.com", type: "DOMAIN", verified: true, tokens: [] });
  templateId = (await alice.post("/email/template", { name: "Spring", subject: "Hello {{name|there}}", html: "<p>Hi {{name|there}}</p>" })).json.id;
  // Two lists sharing two addresses, and one address of the first suppressed.
  first = (await importInto(alice, "email,name\nana@example.com,Ana\nbob@example.com,Bob\ncleo@example.com,Cleo\ndan@example.com,Dan\n", {}, "Customers")).listId;
  second = (await importInto(alice, "email,name\ncleo@example.com,Cleo\ndan@example.com,Dan\neve@example.com,Eve\n", {}, "Newsletter")).listId;
  expect((await alice.post("/suppressions", { email: "bob@example.com" })).status).toBeLessThan(300);
});
afterAll(async () => {
  await t?.close();
  await fake?.stop();
  await emulator?.stop();
});

describe("campaign pages", () => {
  test("the list, new campaign and send pages render, and the empty list offers to create one", async () => {
    const fresh = new Client(t.app);
    await fresh.signup();
    const empty = await fresh.get("/campaigns", HTML);
    expect(empty.status).toBe(200);
    expect(empty.headers.get("content-type")).toContain("text/html");
    expect(visible(empty.text)).toContain("No campaigns yet");
    expect(empty.text).toContain('href="/campaigns/new"');
    // No templates: the form says how to get one.
    expect(visible((await fresh.get("/campaigns/new", HTML)).text)).toContain("This workspace has no templates yet. Write one first");

    const page = await alice.get("/campaigns/new", HTML);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const text = visible(page.text);
    expect(text).toContain("Customers 4 contacts");
    expect(text).toContain("Newsletter 3 contacts");
    expect(text).toContain("Europe/Paris (UTC+0");
    expect(text).toContain("Track opens and clicks");
    // SES lists a verified domain: the sender is picked, with the part before the @ typed.
    expect(page.text).toContain('<option value="@example.com"');
    expect(page.text).toMatch(/name="tracking" value="on" checked/);

    const send = await alice.get("/send", HTML);
    expect(send.status).toBe(200);
    expect(send.headers.get("content-type")).toContain("text/html");
    expect(send.text).toContain('aria-current="page"');
    expect(visible(send.text)).toContain("Send an email");
  });

  test("saving the form creates a draft and opens the review, with suppressed and duplicate addresses counted", async () => {
    const saved = await form(alice, "/campaigns/new", campaignFields({ fromAddress: "@example.com", fromLocal: "news" }));
    expect(saved.status).toBe(303);
    const review = saved.headers.get("location")!;
    expect(review).toMatch(/^\/campaigns\/cmp_[^/]+\/review$/);
    const id = review.split("/")[2]!;
    const campaign = (await alice.get(`/campaigns/${id}`)).json;
    expect(campaign).toMatchObject({ name: "Spring news", status: "draft", from: "Acme News <news@example.com>", tracking: true, scheduledAt: null, templateId });

    const page = await alice.get(review, HTML);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const text = visible(page.text);
    // ana, bob, cleo, dan, eve: five addresses; bob suppressed; cleo and dan on both lists.
    expect(page.text).toMatch(/data-testid="review-to-send">4</);
    expect(page.text).toMatch(/data-testid="review-distinct">5</);
    expect(page.text).toMatch(/data-testid="review-suppressed">1</);
    expect(page.text).toMatch(/data-testid="review-duplicates">2</);
    expect(text).toContain("Enough for this campaign");
    expect(text).toContain("Launch now");
    expect(page.text).not.toContain("data-testid=\"review-problems\"");

    // htmx posts get the same answer as a redirect header.
    const viaHtmx = await form(alice, "/campaigns/new", campaignFields({ name: "Second" }), HTMX);
    expect(viaHtmx.status).toBe(200);
    expect(viaHtmx.headers.get("hx-redirect")).toMatch(/^\/campaigns\/cmp_[^/]+\/review$/);
  });

  test("refused fields come back as sentences next to them, with what was typed; a time in the past says so", async () => {
    const past = await form(alice, "/campaigns/new", campaignFields({ when: "later", sendAt: "2020-01-01T09:30" }));
    expect(past.status).toBe(422);
    expect(past.headers.get("content-type")).toContain("text/html");
    expect(past.text).toMatch(/id="field-sendAt-error"[^>]*>Wed 1 Jan 2020, 09:30 \(Europe\/Paris\) has already passed\. Choose a later time, or send it now\.</);
    expect(past.text).toContain('value="Spring news"');

    const cases: [Record<string, string>, string, RegExp][] = [
      [{ name: " " }, "name", /Give the campaign a name\./],
      [{ templateId: "" }, "templateId", /Choose the template to send\./],
      [{ fromAddress: "not an address" }, "fromAddress", /is not an email address/],
      [{ fromAddress: "@example.com", fromLocal: "" }, "fromLocal", /Enter the part of the address before @example\.com\./],
      [{ replyTo: "nope" }, "replyTo", /Enter the reply-to as one email address/],
      [{ when: "later", sendAt: "tomorrow" }, "sendAt", /Enter the date and time/],
    ];
    for (const [fields, field, message] of cases) {
      const reply = await form(alice, "/campaigns/new", campaignFields(fields), HTMX);
      expect({ field, status: reply.status }).toEqual({ field, status: 422 });
      // The htmx answer is the form alone, swapped in place.
      expect(reply.text).toStartWith('<form id="campaign-form"');
      const slot = new RegExp(`id="field-${field}-error"[^>]*>([^<]*)<`).exec(reply.text)?.[1] ?? "";
      expect({ field, slot: message.test(slot.replace(/&#39;/g, "'").replace(/&quot;/g, '"')) }).toEqual({ field, slot: true });
    }
    // A blank form names every field at fault at once.
    const blank = await form(alice, "/campaigns/new", { when: "now" }, HTMX);
    expect(blank.status).toBe(422);
    for (const field of ["name", "templateId", "listIds", "fromAddress"]) {
      expect({ field, said: new RegExp(`id="field-${field}-error"[^>]*>[^<]+<`).test(blank.text) }).toEqual({ field, said: true });
    }
    // A list of another workspace is refused as the service words it, never with a 500.
    const foreign = await form(alice, "/campaigns/new", { ...campaignFields(), list_lst_nope: "on" }, HTMX);
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain("Choose lists of this workspace.");
  });

  test("a campaign scheduled in the person's zone is stored as that instant and shown back in it", async () => {
    const at = new Date(Date.now() + 3 * 24 * 3600_000);
    at.setUTCSeconds(0, 0);
    const local = utcToZonedInput(at, ZONE);
    const saved = await form(alice, "/campaigns/new", campaignFields({ name: "Later", when: "later", sendAt: local }));
    expect(saved.status).toBe(303);
    const id = saved.headers.get("location")!.split("/")[2]!;
    expect(new Date((await alice.get(`/campaigns/${id}`)).json.scheduledAt).getTime()).toBe(at.getTime());

    const review = visible((await alice.get(`/campaigns/${id}/review`, HTML)).text);
    expect(review).toContain("Starts by itself at");
    expect(review).toContain("Schedule for");

    const edit = await alice.get(`/campaigns/${id}/edit`, HTML);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(`value="${local}"`);
    expect(edit.text).toMatch(/name="when" value="later" checked/);

    // Launch: scheduled, and its page names the time in the person's zone.
    const launched = await form(alice, `/campaigns/${id}/launch`, {});
    expect(launched.status).toBe(303);
    expect(launched.headers.get("location")).toBe(`/campaigns/${id}?notice=scheduled`);
    const page = await alice.get(launched.headers.get("location")!, HTML);
    expect(page.status).toBe(200);
    const text = visible(page.text);
    expect(text).toContain("Scheduled: it starts by itself at the time shown.");
    expect(text).toMatch(/Scheduled for \w{3} \d{1,2} \w{3}/);
    expect(text).toContain("(Europe/Paris)");
    expect(page.text).toContain('x-data="campaignProgress"');
    expect(page.text).toContain('data-live="true"');
    expect(text).toContain("Cancel campaign");
    // A scheduled campaign can still be edited; saving keeps it scheduled.
    const moved = await form(alice, `/campaigns/${id}/edit`, campaignFields({ name: "Later still", when: "later", sendAt: utcToZonedInput(new Date(at.getTime() + 3600_000), ZONE) }));
    expect(moved.status).toBe(303);
    expect(moved.headers.get("location")).toBe(`/campaigns/${id}?notice=saved`);
    expect((await alice.get(`/campaigns/${id}`)).json).toMatchObject({ name: "Later still", status: "scheduled" });
  });

  test("the campaign page, its recipients and the list keep JSON for API clients", async () => {
    const created = await alice.post("/campaigns", { name: "API one", from: "news@example.com", templateId, listIds: [first] });
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    const json = await alice.get(`/campaigns/${id}`);
    expect(json.headers.get("content-type")).toContain("application/json");
    expect(json.json).toMatchObject({ id, name: "API one", status: "draft", counts: { total: 0, queued: 0, sent: 0 } });
    const list = await alice.get("/campaigns");
    expect(list.headers.get("content-type")).toContain("application/json");
    expect(Object.keys(list.json).sort()).toEqual(["items", "total"]);
    expect(list.json.items.some((c: { id: string }) => c.id === id)).toBe(true);
    const recipients = await alice.get(`/campaigns/${id}/recipients?status=sent`);
    expect(recipients.json).toEqual({ items: [], total: 0 });
    expect((await alice.get(`/campaigns/${id}/recipients?status=nonsense`)).status).toBe(422);
    expect((await alice.get(`/campaigns/${id}/review`)).json).toMatchObject({ toSend: 3, suppressed: 1, duplicates: 0 });
    const paused = await alice.post(`/campaigns/${id}/pause`);
    expect(paused.status).toBe(409);
    expect(paused.json.code).toBe("wrong_state");

    // A browser opening the recipients' API address lands on the page with the same view.
    const opened = await alice.get(`/campaigns/${id}/recipients?status=failed&page=2`, HTML);
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe(`/campaigns/${id}?status=failed&page=2`);
    // htmx gets the table, and the page URL to push.
    const partial = await alice.get(`/campaigns/${id}/recipients?status=failed`, HTMX);
    expect(partial.text).toStartWith('<div id="recipients"');
    expect(partial.headers.get("hx-push-url")).toBe(`/campaigns/${id}?status=failed`);
    expect(visible(partial.text)).toContain('No recipient is "Failed".');
    const page = await alice.get(`/campaigns/${id}?status=failed`, HTML);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="failed" selected/);
    expect(visible(page.text)).toContain("Review and launch");
  });

  test("launching sends, and the campaign page shows the recipients with their message ids", async () => {
    const c = new Client(t.app, "http://localhost");
    await c.signup("sender-pages@example.com");
    await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
    const tpl = (await c.post("/email/template", { name: "T", subject: "Hi", html: "<p>Hi {{name|there}}</p>" })).json.id;
    const list = (await importInto(c, "email,name\nx1@example.com,X\nx2@example.com,Y\n", {}, "Two")).listId;
    const saved = await form(c, "/campaigns/new", { name: "Now", templateId: tpl, [`list_${list}`]: "on", fromAddress: "news@example.com", when: "now", tracking: "on" });
    const id = saved.headers.get("location")!.split("/")[2]!;
    const launched = await form(c, `/campaigns/${id}/launch`, {}, HTMX);
    expect(launched.headers.get("hx-redirect")).toBe(`/campaigns/${id}?notice=launched`);
    let status = "";
    for (let i = 0; i < 150 && status !== "sent"; i++) {
      await Bun.sleep(100);
      status = (await c.get(`/campaigns/${id}`)).json.status;
    }
    expect(status).toBe("sent");
    const page = await c.get(`/campaigns/${id}`, HTML);
    const text = visible(page.text);
    expect(text).toContain("x1@example.com");
    expect(text).toContain("2 of 2 sent");
    expect(page.text).toMatch(/data-testid="message-id">[^<—]{6,}</);
    expect(page.text).toContain('data-live="false"');
    const listPage = visible((await c.get("/campaigns", HTML)).text);
    expect(listPage).toContain("Now");
    expect(listPage).toContain("Sent");
    expect(listPage).toContain("2 / 2");
  });

  test("a paused campaign says why and offers Resume; unknown outcomes are explained with the choice to resend", async () => {
    const c = new Client(t.app, "http://localhost");
    await c.signup("paused-pages@example.com");
    await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
    const tpl = (await c.post("/email/template", { name: "T", subject: "Hi", html: "<p>Hi</p>" })).json.id;
    const list = (await importInto(c, "email\np1@example.com\np2@example.com\np3@example.com\n", {}, "Three")).listId;
    const id = (await form(c, "/campaigns/new", { name: "Refused", templateId: tpl, [`list_${list}`]: "on", fromAddress: "news@example.com", when: "now" })).headers.get("location")!.split("/")[2]!;
    const BULK = "ses:SendBulkEmail";
    fake.fail("ses:SendEmail", "denied");
    fake.fail(BULK, "denied");
    try {
      await form(c, `/campaigns/${id}/launch`, {});
      let status = "";
      for (let i = 0; i < 150 && status !== "paused"; i++) {
        await Bun.sleep(100);
        status = (await c.get(`/campaigns/${id}`)).json.status;
      }
      expect(status).toBe("paused");
    } finally {
      fake.fail("ses:SendEmail", null);
      fake.fail(BULK, null);
    }
    const paused = await c.get(`/campaigns/${id}`, HTML);
    const text = visible(paused.text);
    expect(text).toMatch(/Paused AWS refused the workspace's keys permission to send/);
    expect(paused.text).toContain(`hx-post="/campaigns/${id}/resume"`);
    expect(paused.text).not.toContain(`hx-post="/campaigns/${id}/pause"`);
    const resumed = await c.request("POST", `/campaigns/${id}/resume`, { headers: HTMX });
    expect(resumed.headers.get("hx-redirect")).toBe(`/campaigns/${id}?notice=resumed`);
    let status = "";
    for (let i = 0; i < 150 && status !== "sent"; i++) {
      await Bun.sleep(100);
      status = (await c.get(`/campaigns/${id}`)).json.status;
    }
    expect(status).toBe("sent");

    // One outcome lost (as when the process died before SES answered): the page explains it and offers the choice.
    await t.deps.db.rows(sql`update recipients set status = 'unknown', message_id = null where campaign_id = ${id} and email = 'p2@example.com'`);
    const unknown = await c.get(`/campaigns/${id}`, HTML);
    const words = visible(unknown.text);
    expect(words).toContain("1 recipient's outcome is unknown");
    expect(words).toContain("Sesame stopped before SES answered for these; they may or may not have received it.");
    expect(unknown.text).toContain("Those who did receive it will get it twice.");
    expect(words).toContain("Leave them");
    const resent = await c.request("POST", `/campaigns/${id}/resend-unknown`, { headers: HTMX });
    expect(resent.headers.get("hx-redirect")).toBe(`/campaigns/${id}?notice=resent`);
    expect(visible((await c.get(`/campaigns/${id}?notice=resent`, HTML)).text)).toContain("The recipients whose outcome was unknown are queued again.");
  });

  test("the review blocks a launch on problems and asks for a yes when the quota falls short", async () => {
    const c = new Client(t.app, "http://localhost");
    await c.signup("no-keys-pages@example.com");
    const tpl = (await c.post("/email/template", { name: "T", subject: "Hi", html: "<p>Hi</p>" })).json.id;
    const list = (await importInto(c, "email\na@example.com\n", {}, "One")).listId;
    const saved = await form(c, "/campaigns/new", { name: "Keyless", templateId: tpl, [`list_${list}`]: "on", fromAddress: "a@example.com", when: "now" });
    const id = saved.headers.get("location")!.split("/")[2]!;
    const review = await c.get(`/campaigns/${id}/review`, HTML);
    expect(visible(review.text)).toContain("Connect AWS keys first");
    expect(review.text).toMatch(/<button[^>]*disabled[^>]*data-testid="launch-button"|<button[^>]*data-testid="launch-button"[^>]*disabled/);
    const refused = await form(c, `/campaigns/${id}/launch`, {});
    expect(refused.status).toBe(422);
    expect(visible(refused.text)).toContain("Connect AWS keys first");

    // Keys whose quota has 10 sends left, for a list of 12.
    const tight = { accessKeyId: "AKIACAMPAIGNTIGHT001", secretAccessKey: "campaign-tight-secret-access-key-000000" };
    fake.keys.set(tight.accessKeyId, {
      secret: tight.secretAccessKey,
      account: { ProductionAccessEnabled: true, SendingEnabled: true, SendQuota: { Max24HourSend: 100, MaxSendRate: 14, SentLast24Hours: 90 } },
    });
    const q = new Client(t.app, "http://localhost");
    await q.signup("tight-pages@example.com");
    await q.post("/aws/connect", { ...tight, region: "us-east-1", save: true });
    const qt = (await q.post("/email/template", { name: "T", subject: "Hi", html: "<p>Hi</p>" })).json.id;
    const rows = Array.from({ length: 12 }, (_, i) => `q${i}@example.com`).join("\n");
    const ql = (await importInto(q, `email\n${rows}\n`, {}, "Twelve")).listId;
    const qid = (await form(q, "/campaigns/new", { name: "Big", templateId: qt, [`list_${ql}`]: "on", fromAddress: "a@example.com", when: "later", sendAt: utcToZonedInput(new Date(Date.now() + 86_400_000), "UTC") })).headers.get("location")!.split("/")[2]!;
    const page = await q.get(`/campaigns/${qid}/review`, HTML);
    expect(visible(page.text)).toContain("The 24-hour quota has 10 sends left");
    expect(page.text).toMatch(/name="confirmQuota" value="yes" required/);
    const unconfirmed = await form(q, `/campaigns/${qid}/launch`, {}, HTMX);
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.text).toContain("Tick the box to confirm");
    expect((await q.get(`/campaigns/${qid}`)).json.status).toBe("draft");
    const confirmed = await form(q, `/campaigns/${qid}/launch`, { confirmQuota: "yes" }, HTMX);
    expect(confirmed.headers.get("hx-redirect")).toBe(`/campaigns/${qid}?notice=scheduled`);
    // Cancelled from its page (htmx), then deleted.
    const cancelled = await q.request("POST", `/campaigns/${qid}/cancel`, { headers: HTMX });
    expect(cancelled.headers.get("hx-redirect")).toBe(`/campaigns/${qid}?notice=cancelled`);
    const deleted = await q.request("DELETE", `/campaigns/${qid}`, { headers: HTMX });
    expect(deleted.headers.get("hx-redirect")).toBe("/campaigns?notice=deleted");
    expect(visible((await q.get("/campaigns?notice=deleted", HTML)).text)).toContain("Deleted.");
  });

  test("sending one email from the page redirects to its campaign with a notice; its errors are sentences", async () => {
    const bad = await form(alice, "/send", { fromAddress: "@example.com", fromLocal: "hello", to: "not-an-address", subject: "Hi", body: "Hello", format: "text", when: "now" });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="field-to-error"[^>]*>&quot;not-an-address&quot; is not an email address\. Enter one address, such as name@example\.com\.</);
    const empty = await form(alice, "/send", { fromAddress: "@example.com", fromLocal: "hello", to: "ana@example.com", subject: "", body: "", when: "now" }, HTMX);
    expect(empty.status).toBe(422);
    expect(empty.text).toStartWith('<form id="send-form"');
    expect(empty.text).toContain("Give the email a subject, or choose a template.");

    const sent = await form(alice, "/send", { fromName: "Hello Team", fromAddress: "@example.com", fromLocal: "hello", to: "ana@example.com", subject: "A note", body: "Hi Ana,\nsee you.", format: "text", when: "now" });
    expect(sent.status).toBe(303);
    const location = sent.headers.get("location")!;
    expect(location).toMatch(/^\/campaigns\/cmp_[^?]+\?notice=sent$/);
    const campaign = (await alice.get(location.split("?")[0]!)).json;
    expect(campaign).toMatchObject({ kind: "send", from: "Hello Team <hello@example.com>", subject: "A note" });
    const page = visible((await alice.get(location, HTML)).text);
    expect(page).toContain("Your email is on its way.");
    expect(page).toContain("Addresses given one by one");
  });

  test("names are escaped, and a member of another workspace gets a 404 page for Alice's campaign", async () => {
    const created = await alice.post("/campaigns", { name: "<img src=x onerror=alert(1)>", from: "news@example.com", templateId, listIds: [first] });
    const id = created.json.id;
    // Outside quoted attribute values (where "<" is inert), no tag made of the name.
    const tags = (html: string) => html.replace(/"[^"]*"/g, '""');
    const page = await alice.get(`/campaigns/${id}`, HTML);
    expect(tags(page.text)).not.toContain("<img src=x");
    expect(page.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(tags((await alice.get("/campaigns", HTML)).text)).not.toContain("<img src=x");

    const mallory = new Client(t.app, "http://localhost");
    await mallory.signup("mallory-pages@example.com");
    for (const path of [`/campaigns/${id}`, `/campaigns/${id}/edit`, `/campaigns/${id}/review`]) {
      const reply = await mallory.get(path, HTML);
      expect({ path, status: reply.status, html: reply.headers.get("content-type")?.includes("text/html") }).toEqual({ path, status: 404, html: true });
      expect(reply.text).not.toContain("img src=x");
    }
    expect((await mallory.get(`/campaigns/${id}`)).status).toBe(404);
    expect((await form(mallory, `/campaigns/${id}/edit`, campaignFields())).status).toBe(404);
    expect((await form(mallory, `/campaigns/${id}/launch`, {})).status).toBe(404);
    expect((await mallory.request("POST", `/campaigns/${id}/cancel`, { headers: HTMX })).status).toBe(404);
    expect((await alice.get(`/campaigns/${id}`)).json.status).toBe("draft");
  });

  test("a launched campaign's edit and review addresses lead to its page", async () => {
    const created = await alice.post("/campaigns", { name: "Gone", from: "news@example.com", templateId, listIds: [first] });
    const id = created.json.id;
    await alice.post(`/campaigns/${id}/cancel`);
    expect((await alice.get(`/campaigns/${id}/edit`, HTML)).headers.get("location")).toBe(`/campaigns/${id}`);
    expect((await alice.get(`/campaigns/${id}/review`, HTML)).headers.get("location")).toBe(`/campaigns/${id}`);
    const page = visible((await alice.get(`/campaigns/${id}`, HTML)).text);
    expect(page).toContain("Cancelled");
    expect(page).toContain("Delete");
    expect(page).not.toContain("Cancel campaign");
  });
});
