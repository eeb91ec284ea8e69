import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

const ZONE = "Europe/Paris";
const HTML = { accept: "text/html" };
const HTMX = { "hx-request": "true" };
const HOSTILE_EMAIL = `<script>alert("addr")</script>@evil.example`;
const HOSTILE_AGENT = `<script>alert("ua")</script> Mozilla/5.0`;
const BOB_MARKER = "bobmarker";

let t: TestApp;
let alice: Client;
let bob: Client;
let aliceWorkspace: string;
let bobWorkspace: string;
const campaign = { spring: "cmp_spring", summer: "cmp_summer", bobs: "cmp_bobs" };
let seq = 0;

type Seed = { type: string; email: string | null; at: string; campaignId?: string | null; detail?: Record<string, unknown>; class?: "human" | "machine" | null };

async function seed(workspaceId: string, rows: Seed[]) {
  const { db } = t.database;
  await db.orm.insert(db.t.events).values(
    rows.map((r) => ({
      workspaceId,
      type: r.type,
      sourceId: `seed:${seq++}`,
      campaignId: r.campaignId ?? null,
      email: r.email,
      at: new Date(r.at),
      detail: r.detail ?? {},
      class: r.class ?? null,
    })),
  );
}

async function addCampaign(workspaceId: string, id: string, name: string, createdAt: string) {
  const { db } = t.database;
  const at = new Date(createdAt);
  await db.orm.insert(db.t.campaigns).values({ id, workspaceId, name, status: "sent", fromAddress: "news@example.com", subject: name, createdAt: at, updatedAt: at });
}

/** What a reader sees: tags dropped, entities read, whitespace folded. */
function visible(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

const BOUNCE_RAW = {
  eventType: "Bounce",
  bounce: {
    bounceType: "Permanent",
    bounceSubType: "General",
    bouncedRecipients: [{ emailAddress: "bob@example.com", action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }],
    timestamp: "2026-06-01T08:00:03.000Z",
  },
  mail: { messageId: "0100018f-bounce", timestamp: "2026-06-01T08:00:01.000Z", destination: ["bob@example.com"] },
};

beforeAll(async () => {
  t = await createTestApp();
  alice = new Client(t.app);
  aliceWorkspace = (await alice.signup("alice-events@example.com")).workspace.id;
  expect((await alice.put("/me/time-zone", { timeZone: ZONE })).status).toBe(204);
  bob = new Client(t.app);
  bobWorkspace = (await bob.signup("bob-events@example.com")).workspace.id;

  await addCampaign(aliceWorkspace, campaign.spring, "Spring news", "2026-05-30T10:00:00Z");
  await addCampaign(aliceWorkspace, campaign.summer, "Summer <sale> & more", "2026-05-31T10:00:00Z");
  await addCampaign(bobWorkspace, campaign.bobs, `${BOB_MARKER} campaign`, "2026-05-31T10:00:00Z");

  await seed(aliceWorkspace, [
    // ana in the spring campaign: sent, delivered, opened, clicked (inserted out of order: SNS is).
    { type: "click", email: "ana@example.com", at: "2026-06-01T09:05:00Z", campaignId: campaign.spring, class: "human", detail: { url: "https://example.com/offer?x=1&y=2", agent: "Firefox" } },
    { type: "send", email: "ana@example.com", at: "2026-06-01T08:00:00Z", campaignId: campaign.spring, detail: { messageId: "m-ana" } },
    { type: "open", email: "ana@example.com", at: "2026-06-01T09:00:00Z", campaignId: campaign.spring, class: "human", detail: { agent: "Thunderbird" } },
    { type: "delivery", email: "ana@example.com", at: "2026-06-01T08:00:02Z", campaignId: campaign.spring, detail: { messageId: "m-ana", smtpResponse: "250 2.0.0 OK" } },
    // bob bounced.
    { type: "send", email: "bob@example.com", at: "2026-06-01T08:00:01Z", campaignId: campaign.spring, detail: { messageId: "0100018f-bounce" } },
    {
      type: "bounce",
      email: "bob@example.com",
      at: "2026-06-01T08:00:03Z",
      campaignId: campaign.spring,
      detail: { messageId: "0100018f-bounce", bounceType: "Permanent", bounceSubType: "General", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown", raw: BOUNCE_RAW },
    },
    // The summer campaign, late on 2 June in UTC: already 3 June in Paris.
    { type: "send", email: "ana@example.com", at: "2026-06-02T22:00:00Z", campaignId: campaign.summer },
    { type: "open", email: "ana@example.com", at: "2026-06-02T22:00:01Z", campaignId: campaign.summer, class: "machine", detail: { reason: "Apple Mail Privacy Protection" } },
    { type: "send", email: "cleo@example.com", at: "2026-06-02T21:59:59Z", campaignId: campaign.summer },
    { type: "complaint", email: "cleo@example.com", at: "2026-06-03T10:00:00Z", campaignId: campaign.summer, detail: { complaintFeedbackType: "abuse" } },
    // An address that contains "ana@example.com" without being it.
    { type: "send", email: "banana@example.com", at: "2026-06-03T11:00:00Z", campaignId: campaign.summer },
    // A hostile address and user agent (tracking hits take them from the request).
    { type: "open", email: HOSTILE_EMAIL, at: "2026-06-04T12:00:00Z", campaignId: campaign.summer, class: "human", detail: { userAgent: HOSTILE_AGENT, method: "GET" } },
    { type: "unsubscribe", email: "dan@example.com", at: "2026-06-04T13:00:00Z", campaignId: null, detail: { via: "one-click" } },
  ]);
  // A hundred and twenty deliveries on 5 June, one a minute, for paging.
  await seed(
    aliceWorkspace,
    Array.from({ length: 120 }, (_, i) => ({
      type: "delivery",
      email: `bulk-${String(i).padStart(3, "0")}@example.com`,
      at: new Date(Date.parse("2026-06-05T00:00:00Z") + i * 60_000).toISOString(),
      campaignId: campaign.summer,
      detail: { smtpResponse: "250 OK" },
    })),
  );
  // Bob's workspace has the same address, and events of its own.
  await seed(bobWorkspace, [
    { type: "send", email: "ana@example.com", at: "2026-06-01T08:30:00Z", campaignId: campaign.bobs, detail: { messageId: BOB_MARKER } },
    { type: "bounce", email: `${BOB_MARKER}@example.com`, at: "2026-06-01T08:31:00Z", campaignId: campaign.bobs, detail: { bounceType: "Transient", diagnosticCode: BOB_MARKER } },
  ]);
});
afterAll(async () => {
  await t?.close();
});

const ALICE_TOTAL = 13 + 120;

async function events(c: Client, query = ""): Promise<{ items: any[]; total: number; page: number; pageSize: number; totalCapped: boolean }> {
  const reply = await c.get(`/events${query}`);
  expect({ query, status: reply.status }).toEqual({ query, status: 200 });
  return reply.json;
}

describe("GET /events (JSON)", () => {
  test("lists the workspace's events newest first, in the contract's shape, fifty to a page", async () => {
    const page = await events(alice);
    expect(page.total).toBe(ALICE_TOTAL);
    expect(page.page).toBe(1);
    expect(page.pageSize).toBe(50);
    expect(page.items).toHaveLength(50);
    const times = page.items.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.items[0].email).toBe("bulk-119@example.com");
    const first = page.items[0];
    for (const field of ["id", "type", "email", "campaignId", "campaignName", "at", "class", "detail"]) expect(first).toHaveProperty(field);
    expect(first).toMatchObject({ type: "delivery", campaignId: campaign.summer, campaignName: "Summer <sale> & more", at: "2026-06-05T01:59:00.000Z", class: null, detail: { smtpResponse: "250 OK" } });
  });

  test("each filter narrows the list on its own", async () => {
    const bounces = await events(alice, "?type=bounce");
    expect(bounces.items.map((e) => [e.type, e.email])).toEqual([["bounce", "bob@example.com"]]);
    expect(bounces.items[0].detail.raw.bounce.bounceType).toBe("Permanent");

    const spring = await events(alice, `?campaignId=${campaign.spring}`);
    expect(spring.total).toBe(6);
    expect(new Set(spring.items.map((e) => e.campaignName))).toEqual(new Set(["Spring news"]));

    // A whole address is matched exactly (banana@example.com is not ana's), whatever its case.
    const ana = await events(alice, "?q=ANA%40Example.com");
    expect(ana.total).toBe(6);
    expect(new Set(ana.items.map((e) => e.email))).toEqual(new Set(["ana@example.com"]));
    // Part of an address is searched for anywhere in it.
    const part = await events(alice, "?q=ana");
    expect(new Set(part.items.map((e) => e.email))).toEqual(new Set(["ana@example.com", "banana@example.com"]));
    const domain = await events(alice, "?q=%40evil.example");
    expect(domain.items.map((e) => e.email)).toEqual([HOSTILE_EMAIL]);
    // LIKE's wildcards in a search are plain characters.
    expect((await events(alice, "?q=%25")).total).toBe(0);
    expect((await events(alice, "?q=_")).total).toBe(0);

    // 3 June in Paris runs from 2 June 22:00 UTC to 3 June 22:00 UTC.
    const day = await events(alice, "?from=2026-06-03&to=2026-06-03");
    expect(day.items.map((e) => e.at)).toEqual(["2026-06-03T11:00:00.000Z", "2026-06-03T10:00:00.000Z", "2026-06-02T22:00:01.000Z", "2026-06-02T22:00:00.000Z"]);
    const since = await events(alice, "?from=2026-06-05");
    expect(since.total).toBe(120);
    const until = await events(alice, "?to=2026-06-01");
    expect(until.total).toBe(6);
    // Instants bound the period inclusively at both ends.
    const instants = await events(alice, `?from=${encodeURIComponent("2026-06-01T08:00:02Z")}&to=${encodeURIComponent("2026-06-01T11:00:00+02:00")}`);
    expect(instants.items.map((e) => e.type)).toEqual(["open", "bounce", "delivery"]);
  });

  test("types may be repeated or comma-separated, and filters compose", async () => {
    const repeated = await events(alice, "?type=open&type=click");
    const commas = await events(alice, "?type=click,open");
    expect(repeated.total).toBe(4);
    expect(commas.items.map((e) => e.id)).toEqual(repeated.items.map((e) => e.id));
    expect(new Set(repeated.items.map((e) => e.class))).toEqual(new Set(["human", "machine"]));

    const composed = await events(alice, `?type=open,send&campaignId=${campaign.summer}&q=ana%40example.com&from=2026-06-03&to=2026-06-03`);
    expect(composed.items.map((e) => [e.type, e.class, e.at])).toEqual([
      ["open", "machine", "2026-06-02T22:00:01.000Z"],
      ["send", null, "2026-06-02T22:00:00.000Z"],
    ]);
    const none = await events(alice, `?type=bounce&campaignId=${campaign.summer}`);
    expect(none).toMatchObject({ items: [], total: 0 });
  });

  test("pages follow one another without gaps or repeats, up to 200 a page", async () => {
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const p = await events(alice, `?pageSize=50&page=${page}`);
      expect(p.total).toBe(ALICE_TOTAL);
      expect(p.items).toHaveLength(page < 3 ? 50 : ALICE_TOTAL - 100);
      seen.push(...p.items.map((e) => e.id));
    }
    expect(new Set(seen).size).toBe(ALICE_TOTAL);
    const whole = await events(alice, "?pageSize=200");
    expect(whole.items.map((e) => e.id)).toEqual(seen);
    const filtered = await events(alice, "?type=delivery&pageSize=100&page=2");
    expect(filtered).toMatchObject({ total: 121, page: 2, pageSize: 100 });
    expect(filtered.items).toHaveLength(21);
    expect((await events(alice, "?page=9")).items).toEqual([]);
  });

  test("a bad filter is a 422 whose sentence names the field", async () => {
    const cases: [string, string][] = [
      ["?type=opened", "type"],
      ["?type=open,nonsense", "type"],
      ["?page=0", "page"],
      ["?page=two", "page"],
      ["?page=1.5", "page"],
      ["?pageSize=201", "pageSize"],
      ["?pageSize=0", "pageSize"],
      ["?from=2026-13-01", "from"],
      ["?from=2026-02-31", "from"],
      ["?from=yesterday", "from"],
      [`?to=${encodeURIComponent("2026-06-01T10:00:00")}`, "to"],
      ["?from=2026-06-05&to=2026-06-01", "to"],
      [`?q=${"a".repeat(321)}`, "q"],
      ["?campaignId=cmp_nothing", "campaignId"],
      [`?campaignId=${campaign.bobs}`, "campaignId"],
    ];
    for (const [query, field] of cases) {
      const reply = await alice.get(`/events${query}`);
      expect({ query, status: reply.status, field: reply.json?.field }).toEqual({ query, status: 422, field });
      expect(reply.json.error).toContain(`"${field}"`);
      expect(reply.text).not.toContain(BOB_MARKER);
    }
  });

  test("another workspace's events never appear, whatever the filter", async () => {
    const own = await events(bob);
    expect(own.total).toBe(2);
    expect(own.items.every((e) => e.campaignId === campaign.bobs)).toBe(true);
    const ana = await events(bob, "?q=ana%40example.com");
    expect(ana.items.map((e) => e.detail.messageId)).toEqual([BOB_MARKER]);
    const part = await events(bob, "?q=example.com&pageSize=200");
    expect(part.total).toBe(2);
    // Alice's campaign is not Bob's to filter by: refused, and nothing of hers shows.
    const theirs = await bob.get(`/events?campaignId=${campaign.spring}`);
    expect(theirs.status).toBe(422);
    expect(theirs.text).not.toContain("Spring");
    const timeline = await bob.get(`/events/timeline?email=ana%40example.com`);
    expect(timeline.json.items.map((e: any) => e.campaignId)).toEqual([campaign.bobs]);
    expect((await bob.get(`/events/timeline?email=ana%40example.com&campaignId=${campaign.spring}`)).status).toBe(422);
    expect((await bob.get(`/events/timeline?email=bob%40example.com`)).json.items).toEqual([]);
    // And the other way round.
    const aliceView = await alice.get("/events?pageSize=200&q=example");
    expect(aliceView.text).not.toContain(BOB_MARKER);
    expect((await alice.get("/events/timeline?email=ana%40example.com", HTML)).text).not.toContain(BOB_MARKER);
  });

  test("needs a session", async () => {
    expect((await new Client(t.app).get("/events")).status).toBe(401);
    expect((await new Client(t.app).get("/events/timeline?email=ana%40example.com")).status).toBe(401);
  });
});

describe("the events page", () => {
  test("renders the filters from the URL, the rows in the person's zone, and pages that keep the filters", async () => {
    const reply = await alice.get(`/events?type=delivery&campaignId=${campaign.summer}&q=bulk&from=2026-06-05`, HTML);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toContain("text/html");
    const html = reply.text;
    expect(html).toContain('aria-current="page"');
    expect(html).toMatch(/<input[^>]*value="delivery"[^>]*checked/);
    expect(html).not.toMatch(/<input[^>]*value="bounce"[^>]*checked/);
    expect(html).toMatch(new RegExp(`<option value="${campaign.summer}" selected`));
    expect(html).toMatch(/name="q"[^>]*value="bulk"/);
    expect(html).toMatch(/name="from"[^>]*value="2026-06-05"/);
    // 5 June 01:59 UTC is 03:59 in Paris.
    expect(visible(html)).toContain("Fri 5 Jun, 03:59");
    expect(visible(html)).toContain("Delivered");
    expect(visible(html)).toContain("250 OK");
    expect(html).toContain(`href="/campaigns/${campaign.summer}"`);
    expect(html).toContain(`href="/events/timeline?email=bulk-119%40example.com&campaignId=${campaign.summer}"`);
    const next = `/events?type=delivery&campaignId=${campaign.summer}&q=bulk&from=2026-06-05&page=2`;
    expect(html).toContain(`href="${next}"`);
    expect(visible(html)).toContain("Page 1 of 3 · 120 in all");
    // The form works without JavaScript: a GET to this same address.
    expect(html).toMatch(/<form[^>]*action="\/events"[^>]*method="get"/);
  });

  test("htmx gets the explorer alone and the filter's short URL to push; a history restore gets the whole page", async () => {
    const swap = await alice.get(`/events?type=bounce&campaignId=&q=&from=&to=`, HTMX);
    expect(swap.status).toBe(200);
    expect(swap.text).not.toContain("<html");
    expect(swap.text).toContain('id="events"');
    expect(swap.headers.get("hx-push-url")).toBe("/events?type=bounce");
    expect(visible(swap.text)).toContain("Permanent · General · 550 5.1.1 user unknown");
    const restore = await alice.get("/events?type=bounce", { ...HTMX, "hx-history-restore-request": "true" });
    expect(restore.text).toContain("<html");
  });

  test("summarises each kind of event in a line, and marks machine opens", async () => {
    const html = (await alice.get("/events?pageSize=20&to=2026-06-04", HTML)).text;
    const text = visible(html);
    expect(text).toContain("Clicked https://example.com/offer?x=1&y=2");
    expect(text).toContain("Reported as spam · abuse");
    expect(text).toContain("Apple Mail Privacy Protection");
    expect(text).toContain("One-click unsubscribe from the mail client");
    expect(html).toContain('data-class="machine"');
    expect(html).toContain('data-class="human"');
    expect(text).toContain("Summer <sale> & more");
  });

  test("a workspace without events says how they arrive; a filter that matches nothing offers to clear it", async () => {
    const carol = new Client(t.app);
    await carol.signup("carol-events@example.com");
    const empty = await carol.get("/events", HTML);
    expect(empty.status).toBe(200);
    expect(visible(empty.text)).toContain("No events yet");
    expect(empty.text).toContain('href="/settings/aws"');
    const none = await alice.get("/events?type=reject", HTML);
    expect(none.text).toContain('data-testid="events-empty"');
    expect(visible(none.text)).toContain("No event matches these filters.");
    expect(none.text).toMatch(/<a href="\/events"[^>]*>\s*Clear filters/);
  });

  test("a refused filter comes back as the page with the problem under its field and the filter as typed", async () => {
    const reply = await alice.get("/events?type=bounce&from=2026-02-31&q=ana", HTML);
    expect(reply.status).toBe(422);
    expect(reply.text).toContain("<html");
    expect(reply.text).toMatch(/id="field-from-error"[^>]*>[^<]*The &quot;from&quot; date/);
    expect(reply.text).toMatch(/name="q"[^>]*value="ana"/);
    expect(reply.text).toMatch(/value="bounce"[^>]*checked/);
    const swap = await alice.get("/events?pageSize=500", HTMX);
    expect(swap.status).toBe(422);
    expect(swap.text).toContain('id="field-pageSize-error"');
  });

  test("a hostile address, user agent and campaign name are shown as text, never as markup", async () => {
    for (const path of ["/events?q=evil.example", `/events/timeline?email=${encodeURIComponent(HOSTILE_EMAIL)}`]) {
      const reply = await alice.get(path, HTML);
      expect(reply.status).toBe(200);
      // Inside a quoted attribute "<" is only text; only a quote could end it, and quotes are escaped there.
      const markup = reply.text.replace(/="[^"]*"/g, '=""');
      expect(markup).not.toContain("<script>alert");
      expect(markup).not.toContain("<sale>");
      expect(visible(reply.text)).toContain(HOSTILE_EMAIL);
    }
    const list = (await alice.get("/events?q=evil.example", HTML)).text;
    expect(visible(list)).toContain(HOSTILE_AGENT);
    expect(list).toContain('title="<script>alert(&#34;ua&#34;)</script> Mozilla/5.0"');
    expect(list).toContain(`href="/events/timeline?email=${encodeURIComponent(HOSTILE_EMAIL)}&campaignId=${campaign.summer}"`);
    const timeline = (await alice.get(`/events/timeline?email=${encodeURIComponent(HOSTILE_EMAIL)}`, HTML)).text;
    expect(timeline).toContain("&lt;script&gt;alert(\\&quot;ua\\&quot;)");
  });
});

describe("the timeline", () => {
  test("lists one address's events in one campaign oldest first, as JSON for API clients", async () => {
    const reply = await alice.get(`/events/timeline?email=ana%40example.com&campaignId=${campaign.spring}`);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ email: "ana@example.com", campaignId: campaign.spring, truncated: false });
    expect(reply.json.items.map((e: any) => e.type)).toEqual(["send", "delivery", "open", "click"]);
    for (const field of ["id", "type", "email", "campaignId", "campaignName", "at", "class", "detail"]) expect(reply.json.items[0]).toHaveProperty(field);
  });

  test("without a campaign, follows the address across the workspace's campaigns", async () => {
    const reply = await alice.get("/events/timeline?email=ANA%40example.com");
    expect(reply.json.campaignId).toBeNull();
    expect(reply.json.items.map((e: any) => `${e.type}:${e.campaignName}`)).toEqual([
      "send:Spring news",
      "delivery:Spring news",
      "open:Spring news",
      "click:Spring news",
      "send:Summer <sale> & more",
      "open:Summer <sale> & more",
    ]);
  });

  test("the page draws the line oldest first, with the raw SES event on demand, pretty-printed and escaped", async () => {
    const reply = await alice.get(`/events/timeline?email=bob%40example.com&campaignId=${campaign.spring}`, HTML);
    expect(reply.status).toBe(200);
    const html = reply.text;
    const order = [...html.matchAll(/<li[^>]*data-type="([a-z_]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["send", "bounce"]);
    expect(visible(html)).toContain("Permanent · General · 550 5.1.1 user unknown");
    expect(visible(html)).toContain("Mon 1 Jun 2026, 10:00:03");
    expect(html).toContain("<details");
    expect(html).toContain("SES event as received");
    const raw = [...html.matchAll(/<pre[^>]*data-testid="raw-detail"[^>]*>([\s\S]*?)<\/pre>/g)].map((m) => m[1]!);
    expect(raw).toHaveLength(2);
    const decoded = raw[1]!.replace(/&quot;|&#34;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    expect(JSON.parse(decoded)).toEqual(BOUNCE_RAW);
    expect(raw[1]).toContain("\n  &quot;bounce&quot;: {");
    expect(html).toContain(`href="/campaigns/${campaign.spring}"`);
    expect(html).toContain('href="/events/timeline?email=bob%40example.com"');
  });

  test("an address with nothing recorded says so; a missing address or an unknown campaign is a 422", async () => {
    const empty = await alice.get("/events/timeline?email=nobody%40example.com", HTML);
    expect(empty.status).toBe(200);
    expect(visible(empty.text)).toContain("No events for this address");
    const missing = await alice.get("/events/timeline");
    expect(missing.status).toBe(422);
    expect(missing.json.field).toBe("email");
    const unknown = await alice.get("/events/timeline?email=ana%40example.com&campaignId=cmp_nothing");
    expect(unknown.status).toBe(422);
    expect(unknown.json.field).toBe("campaignId");
  });
});
