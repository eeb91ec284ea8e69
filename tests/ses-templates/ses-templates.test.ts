import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { startAws } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { formatInZone } from "../../src/lib/zones";

/**
 * SES stored templates through the real emulator (which keeps and renders them with Handlebars) and
 * the SigV4-checking fake in front of it.
 */

const KEY = { accessKeyId: "AKIASESTEMPLATES0001", secretAccessKey: "ses-templates-secret-access-key-0000000" };
const REGION = "eu-west-1";

let aws: Awaited<ReturnType<typeof startAws>>;
let t: TestApp;
let c: Client;
let workspaceId: string;
const htmx = { "hx-request": "true" };
const page = { accept: "text/html" };

const WELCOME = {
  name: "Welcome mail",
  subject: "Welcome, {{name|friend}}",
  html: '<p>Hi <strong>{{name|there}}</strong> from {{company}},</p><p><a href="https://example.com/start?e={{email}}">Get started</a></p>',
  text: "Hi {{name|there}} from {{company}}.",
};

async function sesameTemplate(client: Client, template: { name: string; subject: string; html: string; text?: string }): Promise<string> {
  const reply = await client.post("/email/template", template);
  expect(reply.status).toBe(201);
  return reply.json.id;
}

/** Calls the fake saw of one SES action since `from`. */
const callsOf = (action: string, from = 0) => aws.fake.calls.slice(from).filter((call) => call.action === action).length;

beforeAll(async () => {
  aws = await startAws({ [KEY.accessKeyId]: { secret: KEY.secretAccessKey } });
  t = await createTestApp({ env: { ...aws.env, PUBLIC_URL: "https://mail.example.com" } });
  c = new Client(t.app);
  workspaceId = (await c.signup("templates-owner@example.com")).workspace.id;
  expect((await c.post("/aws/connect", { ...KEY, region: REGION, save: true })).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  await aws.stop();
});

describe("listing and the page", () => {
  test("an account with no SES templates lists none, and the page says how to fill it", async () => {
    expect((await c.get("/aws/templates")).json).toEqual({ items: [] });
    const reply = await c.get("/settings/aws/templates", page);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('aria-current="page"');
    expect(reply.text).toContain("SES keeps no templates in this region yet");
    expect(reply.text).toContain(`in ${REGION}`);
  });

  test("the page without keys says to connect them first", async () => {
    const other = new Client(t.app);
    await other.signup("templates-nokeys@example.com");
    const reply = await other.get("/settings/aws/templates", page);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("Connect your AWS keys first");
    expect((await other.get("/aws/templates")).json.code).toBe("aws_not_connected");
  });
});

describe("publishing a Sesame template", () => {
  let templateId: string;

  test("publishing stores it in SES with its fallbacks as Handlebars and marks the Sesame template published", async () => {
    templateId = await sesameTemplate(c, WELCOME);
    const reply = await c.post("/aws/templates", { templateId });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ name: "welcome-mail", warnings: [expect.stringContaining("without escaping them")] });

    const stored = (await c.get("/aws/templates/welcome-mail")).json;
    expect(stored.subject).toBe("Welcome, {{#if name}}{{name}}{{else}}friend{{/if}}");
    expect(stored.html).toContain("<strong>{{#if name}}{{name}}{{else}}there{{/if}}</strong> from {{company}}");
    expect(stored.text).toBe("Hi {{#if name}}{{name}}{{else}}there{{/if}} from {{company}}.");

    const list = (await c.get("/aws/templates")).json.items;
    expect(list).toHaveLength(1);
    expect(list[0].name).toBe("welcome-mail");
    expect(Number.isNaN(Date.parse(list[0].createdAt))).toBe(false);

    const publication = (await c.get(`/templates/${templateId}/ses`)).json.publication;
    expect(publication).toMatchObject({ name: "welcome-mail", region: REGION });
    const panel = await c.get(`/templates/${templateId}/ses`, htmx);
    expect(panel.text).toContain("Published to SES as");
    expect(panel.text).toContain("Publish again");
  });

  test("SES's test render of the published template equals Sesame's own preview of the same values", async () => {
    for (const variables of [{ name: "Ann", company: "Acme", email: "ann@example.com" }, { company: "Acme", email: "x@example.com" }]) {
      const ses = await c.post("/aws/templates/welcome-mail/render", { data: variables });
      expect(ses.status).toBe(200);
      const preview = (await c.post(`/email/template/${templateId}/preview`, { variables })).json;
      expect(ses.json.subject).toBe(preview.subject);
      // Sesame's preview wraps the body in its layout and adds the unsubscribe footer; SES sends the template as it is.
      expect(preview.html).toContain(ses.json.html);
      expect(preview.text.startsWith(ses.json.text)).toBe(true);
      expect(ses.json.html).toContain(variables.name ?? "there");
    }
  });

  test("SES's rendering leaves values unescaped in the HTML where Sesame escapes them (the emulator's reading of SES)", async () => {
    const variables = { name: "<b>Ann & Co</b>", company: "Acme", email: "a@example.com" };
    const ses = (await c.post("/aws/templates/welcome-mail/render", { data: variables })).json;
    const preview = (await c.post(`/email/template/${templateId}/preview`, { variables })).json;
    expect(ses.html).toContain("<strong><b>Ann & Co</b></strong>");
    expect(preview.html).toContain("<strong>&lt;b&gt;Ann &amp; Co&lt;/b&gt;</strong>");
    expect(ses.subject).toBe(preview.subject);
  });

  test("publishing again updates the same SES template", async () => {
    expect((await c.put(`/email/template/${templateId}`, { ...WELCOME, subject: "Hello again, {{name|friend}}" })).status).toBe(200);
    const before = aws.fake.calls.length;
    expect((await c.post("/aws/templates", { templateId })).status).toBe(201);
    expect(callsOf("UpdateEmailTemplate", before)).toBe(1);
    expect((await c.get("/aws/templates/welcome-mail")).json.subject).toBe("Hello again, {{#if name}}{{name}}{{else}}friend{{/if}}");
    expect((await c.get("/aws/templates")).json.items).toHaveLength(1);
  });

  test("an SES template of that name that is not this template's is never replaced silently", async () => {
    expect((await c.post("/aws/templates", { name: "promo", subject: "Theirs", html: "<p>{{#each items}}{{this}}{{/each}}</p>" })).status).toBe(201);
    const refused = await c.post("/aws/templates", { templateId, name: "promo" });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toContain('SES already has a template named "promo"');
    expect(refused.json.error).toContain("overwrite");
    expect((await c.get("/aws/templates/promo")).json.subject).toBe("Theirs");

    const confirmed = await c.post("/aws/templates", { templateId, name: "promo", overwrite: true });
    expect(confirmed.status).toBe(201);
    expect((await c.get("/aws/templates/promo")).json.subject).toContain("Hello again");
    expect((await c.get(`/templates/${templateId}/ses`)).json.publication.name).toBe("promo");
  });

  test("another Sesame template publishing to the same name asks first, then takes the link over", async () => {
    const second = await sesameTemplate(c, { name: "Second", subject: "Two", html: "<p>Two</p>" });
    expect((await c.post("/aws/templates", { templateId: second, name: "promo" })).status).toBe(409);
    expect((await c.post("/aws/templates", { templateId: second, name: "promo", overwrite: "on" })).status).toBe(201);
    expect((await c.get(`/templates/${second}/ses`)).json.publication.name).toBe("promo");
    expect((await c.get(`/templates/${templateId}/ses`)).json.publication).toBeNull();
  });

  test("publish then import gives back the same template", async () => {
    const original = { name: "round-trip", subject: "For {{name|you & yours}}", html: '<p>{{name|Tom & Jerry}}, <a href="https://example.com/?c={{code}}">{{code}}</a> {{nick|}}</p>', text: "{{name|there}} / {{code}}" };
    const id = await sesameTemplate(c, original);
    const sent = (await c.get(`/email/template/${id}`)).json;
    expect((await c.post("/aws/templates", { templateId: id })).json.name).toBe("round-trip");
    const imported = await c.post("/aws/templates/round-trip/import");
    expect(imported.status).toBe(201);
    expect(imported.json.templateId).not.toBe(id);
    const back = (await c.get(`/email/template/${imported.json.templateId}`)).json;
    expect({ name: back.name, subject: back.subject, html: back.html, text: back.text }).toEqual({ name: "round-trip", subject: sent.subject, html: sent.html, text: sent.text });
    expect((await c.get(`/templates/${imported.json.templateId}/ses`)).json.publication.name).toBe("round-trip");
  });

  test("publishing refuses names SES refuses, and a template SES would read differently, before asking SES", async () => {
    const before = aws.fake.calls.length;
    const badName = await c.post("/aws/templates", { templateId, name: "not a name!" });
    expect(badName.status).toBe(422);
    expect(badName.json.field).toBe("name");
    const braces = await sesameTemplate(c, { name: "Braces", subject: "s", html: "<p>{{{name}}}</p>" });
    const refused = await c.post("/aws/templates", { templateId: braces });
    expect(refused.status).toBe(422);
    expect(refused.json.error).toContain("right next to a variable");
    expect(callsOf("CreateEmailTemplate", before)).toBe(0);
    expect((await c.post("/aws/templates", { templateId: "tpl_nope" })).status).toBe(404);
  });

  test("publishing says plainly that SES inserts values into the HTML unescaped, naming the variables whoever sends must escape", async () => {
    const warned = await sesameTemplate(c, { ...WELCOME, name: "Warned" });
    const reply = await c.post("/aws/templates", { templateId: warned });
    expect(reply.status).toBe(201);
    expect(reply.json.warnings).toHaveLength(1);
    const [warning] = reply.json.warnings;
    expect(warning).toContain("SES inserts values into the HTML as they are, without escaping them");
    expect(warning).toContain('Whoever sends with the SES template "warned" must escape the values of {{name}}, {{company}}, {{email}}');
    // The subject's and the text's variables are not the HTML's: nothing to escape there.
    const plain = await sesameTemplate(c, { name: "No values in the HTML", subject: "Hi {{name}}", html: "<p>Hello</p>", text: "Hi {{name}}" });
    expect((await c.post("/aws/templates", { templateId: plain })).json).toEqual({ name: "no-values-in-the-html", warnings: [] });

    const onPage = await c.post("/aws/templates", { templateId: warned }, htmx);
    expect(onPage.text).toContain('data-testid="ses-publish-warnings"');
    expect(onPage.text).toContain("without escaping them");
    expect(onPage.text).toContain("&amp;lt;");
    const onTemplate = await c.post("/aws/templates", { templateId: warned }, { ...htmx, "hx-target": "ses-publication-errors" });
    expect(onTemplate.text).toContain('data-testid="ses-publish-warnings"');
    expect((await c.get("/settings/aws/templates", page)).text).toContain("SES does not (it inserts them as they are)");
  });

  test("SES renders {{name}} and {{{name}}} alike in the HTML, unescaped, and an import reads both as Sesame's {{name}} (the emulator's reading of SES)", async () => {
    expect((await c.post("/aws/templates", { name: "triple", subject: "Hi {{a}}", html: "<p>{{a}}|{{{a}}}</p>" })).status).toBe(201);
    const rendered = (await c.post("/aws/templates/triple/render", { data: { a: "<b>A & B</b>" } })).json;
    expect(rendered.html).toBe("<p><b>A & B</b>|<b>A & B</b></p>");
    const imported = await c.post("/aws/templates/triple/import");
    expect(imported.status).toBe(201);
    expect((await c.get(`/email/template/${imported.json.templateId}`)).json.html).toContain("{{a}}|{{a}}");
  });

  test("publishing refuses a variable named like a Handlebars helper, naming it, before asking SES", async () => {
    const helper = await sesameTemplate(c, { name: "Helpers", subject: "For {{lookup}}", html: "<p>{{log|nothing}} {{each}}</p>" });
    const before = aws.fake.calls.length;
    const refused = await c.post("/aws/templates", { templateId: helper });
    expect(refused.status).toBe(422);
    for (const word of ["{{lookup}}", "{{log}}", "{{each}}"]) expect(refused.json.error).toContain(word);
    expect(callsOf("CreateEmailTemplate", before)).toBe(0);
  });

  test("on the page, publishing redraws the list with a notice; on a Sesame template's page it redraws that template's panel", async () => {
    const id = await sesameTemplate(c, { name: "From the page", subject: "s", html: "<p>x</p>" });
    const fromList = await c.post("/aws/templates", { templateId: id }, htmx);
    expect(fromList.status).toBe(201);
    expect(fromList.headers.get("hx-retarget")).toBe("#ses-templates");
    expect(fromList.text).toContain(`Published to SES as from-the-page (${REGION})`);
    expect(fromList.text).toContain('data-ses-template="from-the-page"');
    const fromTemplate = await c.post("/aws/templates", { templateId: id }, { ...htmx, "hx-target": "ses-publication-errors" });
    expect(fromTemplate.headers.get("hx-retarget")).toBe("#ses-publication");
    expect(fromTemplate.text).toContain('data-testid="ses-published"');
  });
});

describe("SES templates written directly", () => {
  test("one is created, refused when its name is taken, edited and test-rendered", async () => {
    const created = await c.post("/aws/templates", { name: "receipt", subject: "Receipt {{order}}", html: "<p>Total: {{total}}</p>", text: "Total: {{total}}" });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ name: "receipt" });
    const taken = await c.post("/aws/templates", { name: "receipt", subject: "x", html: "<p>x</p>" });
    expect(taken.status).toBe(409);
    expect(taken.json.error).toContain('SES already has a template named "receipt"');

    // As the page's form sends it: every field, the read-only name included.
    const edited = await c.request("PUT", "/aws/templates/receipt", {
      body: new URLSearchParams({ name: "receipt", subject: "Your receipt {{order}}", html: "<p>Total: {{#if total}}{{total}}{{else}}0{{/if}}</p>", text: "" }),
      headers: { ...htmx, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(edited.status).toBe(200);
    expect(edited.text).toContain("Saved in SES.");
    const stored = (await c.get("/aws/templates/receipt")).json;
    expect(stored).toEqual({ name: "receipt", subject: "Your receipt {{order}}", html: "<p>Total: {{#if total}}{{total}}{{else}}0{{/if}}</p>", text: "" });

    const rendered = await c.post("/aws/templates/receipt/render", { data: '{"order":"A-1","total":"12.50 €"}' });
    expect(rendered.json).toEqual({ subject: "Your receipt A-1", html: "<p>Total: 12.50 €</p>", text: "" });
  });

  test("test data that is not a JSON object is refused on its field", async () => {
    const reply = await c.post("/aws/templates/receipt/render", { data: "[1, 2]" });
    expect(reply.status).toBe(422);
    expect(reply.json.field).toBe("data");
  });

  test("SES's refusal of data that lacks a value the template needs is a sentence, not SES's words", async () => {
    const reply = await c.post("/aws/templates/receipt/render", { data: {} });
    expect(reply.status).toBe(422);
    expect(reply.json.code).toBe("aws_bad_request");
    expect(reply.json.error).not.toContain("aws-ses-v2-local");
  });

  test("names, empty templates and sizes SES would refuse are refused before SES is asked", async () => {
    const before = aws.fake.calls.length;
    expect((await c.post("/aws/templates", { name: "bad/name", subject: "s", html: "<p>x</p>" })).json.field).toBe("name");
    expect((await c.post("/aws/templates", { name: "empty", subject: "s", html: "", text: "" })).json.code).toBe("ses_template_empty");
    const large = await c.post("/aws/templates", { name: "large", subject: "s", html: `<p>${"x".repeat(501 * 1024)}</p>` });
    expect(large.status).toBe(422);
    expect(large.json.error).toContain("500 KB");
    expect(callsOf("CreateEmailTemplate", before)).toBe(0);
  });

  test("the test render's HTML is shown in a sandboxed frame and escaped in the page, never as markup of the page", async () => {
    await c.post("/aws/templates", { name: "hostile", subject: "<img src=x onerror=alert(1)>", html: '<script>alert(1)</script><p onclick="x()">{{v}} &lt;b&gt;</p>' });
    const reply = await c.post("/aws/templates/hostile/render", { data: '{"v":"\\"><script>alert(2)</script>"}' }, htmx);
    expect(reply.status).toBe(200);
    const frame = /<iframe sandbox="" srcdoc="([^"]*)"/.exec(reply.text);
    expect(frame).not.toBeNull();
    // Outside the frame's attribute, nothing of the mail is markup of the page.
    const page = reply.text.replace(frame![1]!, "");
    expect(page).not.toContain("<script");
    expect(page).not.toContain("<img");
    expect(page).toContain("&lt;script&gt;alert(1)");
    // In the attribute, quotes are escaped and "&" too, so the frame gets the mail's HTML exactly.
    expect(frame![1]).toContain("onclick=&#34;x()&#34;");
    expect(frame![1]).toContain("&amp;lt;b&amp;gt;");
  });

  test("the template's page shows its parts and the test-render form; a browser gets a full page", async () => {
    const reply = await c.get("/settings/aws/templates/receipt", page);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("Your receipt {{order}}");
    expect(reply.text).toContain('data-testid="ses-render-form"');
    expect(reply.text).toContain("&quot;order&quot;");
    expect(reply.text).toContain("Delete from SES");
    expect((await c.get("/settings/aws/templates/new", page)).text).toContain("Create in SES");
    const list = await c.get("/settings/aws/templates", page);
    expect(list.text).toContain('data-ses-template="receipt"');
    expect(list.text).toContain('data-testid="ses-publish-form"');
  });

  test("an import that Sesame cannot represent is refused with the constructs named; a hostile one is sanitized like any template", async () => {
    // Nothing Sesame cannot represent: it is imported, and Sesame's sanitizer takes the script out as from any template.
    const hostile = await c.post("/aws/templates/hostile/import");
    expect(hostile.status).toBe(201);
    const imported = (await c.get(`/email/template/${hostile.json.templateId}`)).json;
    expect(imported.html).not.toContain("<script");
    expect(imported.html).not.toContain("onclick");
    const each = await c.post("/aws/templates", { name: "loop", subject: "List", html: "<ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>{{> footer}}" });
    expect(each.status).toBe(201);
    const refused = await c.post("/aws/templates/loop/import");
    expect(refused.status).toBe(422);
    expect(refused.json.error).toContain("{{#each items}}");
    expect(refused.json.error).toContain("{{> footer}}");
  });

  test("deleting removes it from SES and the Sesame template published there is no longer marked so", async () => {
    const id = await sesameTemplate(c, { name: "Short lived", subject: "s", html: "<p>x</p>" });
    expect((await c.post("/aws/templates", { templateId: id })).status).toBe(201);
    const removed = await c.delete("/aws/templates/short-lived");
    expect(removed.status).toBe(204);
    expect((await c.get("/aws/templates")).json.items.map((i: { name: string }) => i.name)).not.toContain("short-lived");
    expect((await c.get(`/templates/${id}/ses`)).json.publication).toBeNull();
    const gone = await c.get("/aws/templates/short-lived");
    expect(gone.status).toBe(422);
    expect(gone.json.code).toBe("aws_not_found");
  });
});

describe("times", () => {
  test("the list and a Sesame template's publication show their times in the person's zone, as every other page does", async () => {
    const zone = "Asia/Tokyo";
    expect((await c.put("/me/time-zone", { timeZone: zone })).status).toBe(204);
    const id = await sesameTemplate(c, { name: "Zoned", subject: "s", html: "<p>x</p>" });
    expect((await c.post("/aws/templates", { templateId: id })).status).toBe(201);

    const created = (await c.get("/aws/templates")).json.items.find((item: { name: string }) => item.name === "zoned").createdAt;
    const list = await c.get("/settings/aws/templates", page);
    const row = /<tr[^>]*data-ses-template="zoned"[\s\S]*?<\/tr>/.exec(list.text)![0];
    expect(row).toContain(`<time datetime="${new Date(created).toISOString()}" title="${formatInZone(new Date(created), zone)}`);
    expect(row).not.toContain("data-local");

    const publishedAt = (await c.get(`/templates/${id}/ses`)).json.publication.publishedAt;
    const panel = await c.get(`/templates/${id}/ses`, htmx);
    expect(panel.text).toContain(`title="${formatInZone(new Date(publishedAt), zone)}`);
    expect(panel.text).not.toContain("data-local");
  });
});

describe("who may do what", () => {
  test("a member lists, reads, test-renders and imports, but cannot publish, create, edit or delete", async () => {
    const member = new Client(t.app);
    const joined = await member.signup("templates-member@example.com");
    const { db } = t.database;
    await db.orm.insert(db.t.memberships).values({ workspaceId, userId: joined.user.id, role: "member", createdAt: new Date() });
    await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.userId, joined.user.id));

    expect((await member.get("/aws/templates")).status).toBe(200);
    expect((await member.get("/aws/templates/receipt")).status).toBe(200);
    expect((await member.post("/aws/templates/receipt/render", { data: { order: "1", total: "2" } })).json.subject).toBe("Your receipt 1");
    expect((await member.post("/aws/templates/welcome-mail/import")).status).toBe(201);

    const before = aws.fake.calls.length;
    const id = await sesameTemplate(member, { name: "Member's", subject: "s", html: "<p>x</p>" });
    for (const reply of [
      await member.post("/aws/templates", { templateId: id }),
      await member.post("/aws/templates", { name: "member-made", subject: "s", html: "<p>x</p>" }),
      await member.put("/aws/templates/receipt", { subject: "changed", html: "<p>x</p>" }),
      await member.delete("/aws/templates/receipt"),
    ]) {
      expect(reply.status).toBe(403);
      expect(reply.json.error).toContain("Only a workspace admin or owner");
    }
    expect(aws.fake.calls.length).toBe(before);
    const pageForMember = await member.get("/settings/aws/templates", page);
    expect(pageForMember.text).not.toContain('data-testid="ses-publish-form"');
    expect(pageForMember.text).not.toContain("hx-delete");
  });
});

describe("workspaces apart", () => {
  test("another workspace's admin can neither publish this workspace's template nor see where it is published", async () => {
    const mine = await sesameTemplate(c, { name: "Ours only", subject: "s", html: "<p>x</p>" });
    const stranger = new Client(t.app);
    await stranger.signup("templates-stranger@example.com");
    expect((await stranger.post("/aws/connect", { ...KEY, region: REGION, save: true })).status).toBe(200);
    const before = aws.fake.calls.length;
    expect((await stranger.post("/aws/templates", { templateId: mine })).status).toBe(404);
    expect((await stranger.get(`/templates/${mine}/ses`)).status).toBe(404);
    expect(callsOf("CreateEmailTemplate", before)).toBe(0);
  });
});
