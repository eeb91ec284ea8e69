import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";

const KEY = { accessKeyId: "AKIATEMPLATES0000001", secretAccessKey: "templates-secret-access-key-00000000000" };
const DENIED = { accessKeyId: "AKIATEMPLATESDENIED1", secretAccessKey: "templates-denied-secret-key-00000000000" };

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
let c: Client;
let listId: string;
let contactId: number;

const TEMPLATE = {
  name: "Welcome",
  subject: "Welcome, {{name|friend}}",
  html: '<p>Hi <strong>{{name}}</strong> from {{company|your company}},</p><p><a href="https://example.com/start?e={{email}}">Get started</a></p>',
};

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({
    emulatorUrl: emulator.url,
    keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey }, [DENIED.accessKeyId]: { secret: DENIED.secretAccessKey, deny: ["ses:SendEmail"] } },
  });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://mail.example.com" } });
  c = new Client(t.app);
  await c.signup("composer@example.com");
  await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
  listId = (await importInto(c, 'email,name,company\nana@example.com,"Ana <b>&</b> Co",Acme\nbare@example.com,,\n')).listId;
  contactId = (await c.get(`/lists/${listId}/contacts?q=ana`)).json.items[0].id;
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

describe("templates", () => {
  test("create, read, list, update and delete", async () => {
    const created = await c.post("/email/template", TEMPLATE);
    expect(created.status).toBe(201);
    const id: string = created.json.id;
    expect(id).toStartWith("tpl_");
    expect(created.json).toMatchObject({ name: "Welcome", variables: ["name", "company", "email"], text: null });
    expect((await c.get(`/email/template/${id}`)).json.subject).toBe("Welcome, {{name|friend}}");
    expect((await c.get("/email/template")).json.items.map((i: { id: string }) => i.id)).toContain(id);
    const updated = await c.put(`/email/template/${id}`, { ...TEMPLATE, subject: "Hello {{city}}", text: "Plain {{name}}" });
    expect(updated.json).toMatchObject({ subject: "Hello {{city}}", text: "Plain {{name}}", variables: ["city", "name", "company", "email"] });
    expect(new Date(updated.json.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.json.updatedAt).getTime());
    expect((await c.delete(`/email/template/${id}`)).status).toBe(204);
    expect((await c.get(`/email/template/${id}`)).status).toBe(404);
  });

  test("a template can be duplicated", async () => {
    const source = await c.post("/email/template", TEMPLATE);
    const copy = await c.post(`/email/template/${source.json.id}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.json).toMatchObject({ name: "Copy of Welcome", subject: TEMPLATE.subject, html: source.json.html });
    expect(copy.json.id).not.toBe(source.json.id);
  });

  test("unsafe HTML is removed on the server before it is stored", async () => {
    const reply = await c.post("/email/template", { ...TEMPLATE, html: '<p onclick="x()">Hi<script>steal()</script></p><a href="javascript:alert(1)">x</a><img src="https://example.com/a.png" onerror="x()">' });
    expect(reply.status).toBe(201);
    expect(reply.json.html).toBe('<p>Hi</p><a>x</a><img src="https://example.com/a.png" />');
  });

  test("each problem names its field", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...TEMPLATE, subject: "  " }, "subject", "subject_required"],
      [{ ...TEMPLATE, name: "" }, "name", "invalid_name"],
      [{ ...TEMPLATE, html: "<p> </p>" }, "html", "html_required"],
      [{ ...TEMPLATE, html: '<p><a href="/relative">x</a></p>' }, "html", "relative_link"],
      [{ ...TEMPLATE, html: '<p><img src="logo.png"></p>' }, "html", "relative_link"],
      [{ ...TEMPLATE, html: `<p>${"x".repeat(600 * 1024)}</p>` }, "html", "html_too_large"],
    ];
    for (const [body, field, code] of cases) {
      const reply = await c.post("/email/template", body);
      expect({ code, status: reply.status, field: reply.json.field, got: reply.json.code }).toEqual({ code, status: reply.status === 413 ? 413 : 422, field: reply.status === 413 ? undefined : field, got: reply.status === 413 ? "payload_too_large" : code });
    }
  });

  test("saving a template with a variable no list has and no fallback warns, naming it, and still saves", async () => {
    const body = { name: "Cities", subject: "News for {{city}}", html: "<p>Hi {{name}} from {{zip|your town}}, {{region}} and {{email}}</p>" };
    const created = await c.post("/email/template", body);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Cities", variables: ["city", "name", "zip", "region", "email"] });
    expect(created.json.warnings).toEqual([{ code: "variables_not_in_lists", variables: ["city", "region"], message: expect.stringContaining("{{city}}, {{region}}") }]);
    const id = created.json.id;
    expect((await c.get(`/email/template/${id}`)).json.subject).toBe("News for {{city}}");

    const updated = await c.put(`/email/template/${id}`, { ...body, subject: "News for {{city|you}}" });
    expect(updated.status).toBe(200);
    expect(updated.json.warnings.map((w: { variables: string[] }) => w.variables)).toEqual([["region"]]);
    const flash = await c.request("PUT", `/email/template/${id}`, { json: body, headers: { "hx-request": "true" } });
    expect(flash.text).toContain("Saved.");
    expect(flash.text).toContain("No list has a column for {{city}}, {{region}}");
    expect((await c.get(`/templates/${id}`, { accept: "text/html" })).text).toContain("No list has a column for {{city}}, {{region}}");

    const known = await c.put(`/email/template/${id}`, TEMPLATE);
    expect(known.json.warnings).toEqual([]);
    expect((await c.request("PUT", `/email/template/${id}`, { json: TEMPLATE, headers: { "hx-request": "true" } })).text).not.toContain("No list has a column");
  });

  test("the Templates page lists templates with their variables, and the composer opens", async () => {
    const page = await c.get("/templates", { accept: "text/html" });
    expect(page.text).toContain("Welcome");
    expect(page.text).toContain("{{name}}");
    const fresh = new Client(t.app);
    await fresh.signup();
    expect((await fresh.get("/templates", { accept: "text/html" })).text).toContain("No templates yet");
    const composer = await fresh.get("/templates/new", { accept: "text/html" });
    expect(composer.text).toContain('id="editor"');
    expect(composer.text).toContain("/assets/build/vendor/quill.js");
  });
});

describe("preview and test send", () => {
  let id: string;
  beforeAll(async () => {
    id = (await c.post("/email/template", TEMPLATE)).json.id;
  });

  test("a preview for a contact uses its address and attributes, escaped in HTML and plain in the subject", async () => {
    const reply = await c.post(`/email/template/${id}/preview`, { contactId });
    expect(reply.status).toBe(200);
    expect(reply.json.subject).toBe("Welcome, Ana <b>&</b> Co");
    expect(reply.json.html).toContain("Hi <strong>Ana &lt;b&gt;&amp;&lt;/b&gt; Co</strong> from Acme,");
    expect(reply.json.html).toContain('href="https://example.com/start?e=ana@example.com"');
    expect(reply.json.html).toContain('href="https://mail.example.com/u/');
    expect(reply.json.text).toContain("Hi Ana <b>&</b> Co from Acme,");
    expect(reply.json.missing).toEqual([]);
  });

  test("given values decide alone: a variable they lack takes its fallback, never a sample value, in the preview and the test mail", async () => {
    const preview = await c.post(`/email/template/${id}/preview`, { variables: { company: "Zeta" } });
    expect(preview.status).toBe(200);
    expect(preview.json.subject).toBe("Welcome, friend");
    expect(preview.json.html).toContain("from Zeta,");
    expect(preview.json.html).not.toContain("Alex");
    expect(preview.json.missing).toEqual(["name", "email"]);

    // The template's {{name}} without a fallback has no value now: the test is refused rather than sent with a sample.
    const refused = await c.post(`/email/template/${id}/test`, { to: "me@example.com", from: "news@example.com", variables: { company: "Zeta" } });
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe("missing_variables");

    const withFallbacks = (await c.post("/email/template", { name: "Fallbacks", subject: "Hi {{name|friend}}", html: "<p>Hello {{name|friend}} at {{company}} ({{email|no address}})</p>" })).json.id;
    const sent = await c.post(`/email/template/${withFallbacks}/test`, { to: "me@example.com", from: "news@example.com", variables: { company: "Zeta" } });
    expect(sent.status).toBe(200);
    const mail = (await emulator.store()).emails.find((e) => e.messageId === sent.json.messageId)!;
    expect(mail.subject).toBe("[Test] Hi friend");
    expect(mail.body.html).toContain("Hello friend at Zeta (no address)");
    expect(mail.body.html).not.toContain("Alex");
  });

  test("fallbacks fill a contact's empty attributes, and sample values serve when no contact is chosen", async () => {
    const bare = (await c.get(`/lists/${listId}/contacts?q=bare`)).json.items[0].id;
    const forBare = await c.post(`/email/template/${id}/preview`, { contactId: bare });
    expect(forBare.json.subject).toBe("Welcome, friend");
    expect(forBare.json.missing).toEqual(["name"]);
    const sample = await c.post(`/email/template/${id}/preview`, {});
    expect(sample.json.subject).toBe("Welcome, Alex");
    const given = await c.post(`/email/template/${id}/preview`, { variables: { name: "Zoë", company: "Zed" } });
    expect(given.json.subject).toBe("Welcome, Zoë");
  });

  test("the framed preview has no scripts and may only be framed by Sesame", async () => {
    const reply = await c.get(`/email/template/${id}/preview.html?contactId=${contactId}`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(reply.headers.get("content-security-policy")).toContain("sandbox");
    expect(reply.headers.get("content-security-policy")).toContain("frame-ancestors 'self'");
    expect(reply.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(reply.text).toBe((await c.post(`/email/template/${id}/preview`, { contactId })).json.html);
  });

  test("a test send goes through SES and arrives as previewed, its subject marked, with List-Unsubscribe headers", async () => {
    const preview = (await c.post(`/email/template/${id}/preview`, { contactId })).json;
    const reply = await c.post(`/email/template/${id}/test`, { to: "me@example.com", from: "News <news@example.com>", contactId });
    expect(reply.status).toBe(200);
    expect(reply.json.messageId).toBeString();
    const mail = (await emulator.store()).emails.find((e) => e.messageId === reply.json.messageId)!;
    expect(mail.destination.to).toEqual(["me@example.com"]);
    expect(mail.from).toBe("News <news@example.com>");
    expect(mail.subject).toBe(`[Test] ${preview.subject}`);
    expect(mail.body.html).toBe(preview.html);
    expect(mail.body.text).toBe(preview.text);
    const headers = (mail as unknown as { headers: { name: string; value: string }[] }).headers;
    const unsubscribe = /href="(https:\/\/mail\.example\.com\/u\/[^"]+)"/.exec(preview.html)![1];
    expect(headers).toEqual([
      { name: "List-Unsubscribe", value: `<${unsubscribe}>` },
      { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
    ]);
  });

  test("a test mail's unsubscribe link, in the body and in List-Unsubscribe, unsubscribes no one and says it was a test", async () => {
    const reply = await c.post(`/email/template/${id}/test`, { to: "composer@example.com", from: "news@example.com", contactId });
    expect(reply.status).toBe(200);
    const mail = (await emulator.store()).emails.find((e) => e.messageId === reply.json.messageId)!;
    expect(mail.subject).toStartWith("[Test] ");
    const inBody = new URL(/href="(https:\/\/mail\.example\.com\/u\/[^"]+)"/.exec(mail.body.html!)![1]!).pathname;
    const inText = new URL(/Unsubscribe: (\S+)/.exec(mail.body.text!)![1]!).pathname;
    const headers = (mail as unknown as { headers: { name: string; value: string }[] }).headers;
    const inHeader = new URL(/^<(.+)>$/.exec(headers.find((h) => h.name === "List-Unsubscribe")!.value)![1]!).pathname;
    for (const link of new Set([inBody, inText, inHeader])) {
      const visitor = new Client(t.app, "http://localhost");
      const page = await visitor.get(link, { accept: "text/html" });
      expect(page.status).toBe(200);
      expect(page.text).toContain("This was a test");
      expect(page.text).not.toContain("ana@example.com");
      expect(page.text).not.toContain("Unsubscribe</button>");
      const pressed = await visitor.request("POST", link, { body: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
      expect(pressed.status).toBe(200);
      expect(pressed.text).toContain("This was a test");
      const oneClick = await new Client(t.app).request("POST", link, { body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
      expect(oneClick.status).toBe(200);
      expect(oneClick.json).toEqual({ unsubscribed: false, test: true });
    }
    const { db } = t.database;
    expect(await db.orm.select().from(db.t.suppressions)).toEqual([]);
    expect(await db.orm.select().from(db.t.events).where(eq(db.t.events.type, "unsubscribe"))).toEqual([]);
    expect((await c.get(`/lists/${listId}/contacts?q=ana`)).json.items[0].status).toBe("active");
  });

  test("a test send is refused while a variable has no value, and for bad addresses", async () => {
    const bare = (await c.get(`/lists/${listId}/contacts?q=bare`)).json.items[0].id;
    const missing = await c.post(`/email/template/${id}/test`, { to: "me@example.com", from: "news@example.com", contactId: bare });
    expect(missing.status).toBe(422);
    expect(missing.json.code).toBe("missing_variables");
    expect(missing.json.error).toContain("{{name}}");
    expect((await c.post(`/email/template/${id}/test`, { to: "nope", from: "news@example.com", contactId })).json.field).toBe("to");
    expect((await c.post(`/email/template/${id}/test`, { to: "me@example.com", from: "News <broken>", contactId })).json.field).toBe("from");
    expect((await c.post(`/email/template/${id}/test`, { to: "me@example.com", from: "a@b.co\r\nBcc: x@y.z", contactId })).json.field).toBe("from");
  });

  test("SES's refusal comes back as a sentence, and a workspace without keys is told to connect them", async () => {
    const other = new Client(t.app);
    await other.signup();
    const tpl = (await other.post("/email/template", TEMPLATE)).json.id;
    const values = { name: "A", email: "a@example.com" };
    const unconnected = await other.post(`/email/template/${tpl}/test`, { to: "me@example.com", from: "news@example.com", variables: values });
    expect(unconnected.json).toEqual({ error: "Connect your AWS keys first (Settings → AWS).", code: "aws_not_connected" });
    const onPage = await other.post(`/email/template/${tpl}/test`, { to: "me@example.com", from: "news@example.com", variables: values }, { "hx-request": "true" });
    expect(onPage.status).toBe(422);
    expect(onPage.text).toMatch(/<a href="\/settings\/aws"[^>]*>\s*Connect your AWS keys first\s*<\/a>/);
    await other.post("/aws/connect", { ...DENIED, region: "us-east-1", save: false });
    const denied = await other.post(`/email/template/${tpl}/test`, { to: "me@example.com", from: "news@example.com", variables: values });
    expect(denied.status).toBe(422);
    expect(denied.json.code).toBe("aws_access_denied");
    expect(denied.json.error).toContain("ses:SendEmail");
  });
});

describe("templates belong to their workspace", () => {
  test("another workspace can neither see, change, preview nor send a template, nor preview with another workspace's contact", async () => {
    const id = (await c.post("/email/template", TEMPLATE)).json.id;
    const mallory = new Client(t.app);
    await mallory.signup();
    expect((await mallory.get(`/email/template/${id}`)).status).toBe(404);
    expect((await mallory.put(`/email/template/${id}`, TEMPLATE)).status).toBe(404);
    expect((await mallory.delete(`/email/template/${id}`)).status).toBe(404);
    expect((await mallory.post(`/email/template/${id}/preview`, {})).status).toBe(404);
    expect((await mallory.post(`/email/template/${id}/duplicate`)).status).toBe(404);
    expect((await mallory.post(`/email/template/${id}/test`, { to: "m@example.com", from: "m@example.com" })).status).toBe(404);
    expect((await mallory.get("/email/template")).json.items).toEqual([]);
    const own = (await mallory.post("/email/template", TEMPLATE)).json.id;
    const stolen = await mallory.post(`/email/template/${own}/preview`, { contactId });
    expect(stolen.status).toBe(404);
    expect(stolen.text).not.toContain("ana@example.com");
    expect((await c.get(`/email/template/${id}`)).json.name).toBe("Welcome");
  });
});
