import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { FAULT_TEXT, startAws, type Fault } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";
import { templateListing } from "../support/fake/templates";

/**
 * Every SES template call failing as AWS fails it: the person reads a sentence that says what to do
 * (the missing permission, by name, when the keys are not allowed), the log keeps AWS's own words.
 */

const KEY = { accessKeyId: "AKIASESTPLFAILURES01", secretAccessKey: "ses-template-failures-secret-key-000000" };
const NO_CREATE = { accessKeyId: "AKIASESTPLNOCREATE01", secretAccessKey: "ses-template-nocreate-secret-key-000000" };
const SAME_TOKEN = { accessKeyId: "AKIASESTPLSAMETOKEN1", secretAccessKey: "ses-template-sametoken-secret-key-00000" };
const ENDLESS = { accessKeyId: "AKIASESTPLENDLESS001", secretAccessKey: "ses-template-endless-secret-key-0000000" };

let aws: Awaited<ReturnType<typeof startAws>>;
let t: TestApp;
let c: Client;
let templateId: string;
const htmx = { "hx-request": "true" };

beforeAll(async () => {
  aws = await startAws({
    [KEY.accessKeyId]: { secret: KEY.secretAccessKey },
    [NO_CREATE.accessKeyId]: { secret: NO_CREATE.secretAccessKey, deny: ["ses:CreateEmailTemplate"] },
    [SAME_TOKEN.accessKeyId]: { secret: SAME_TOKEN.secretAccessKey },
    [ENDLESS.accessKeyId]: { secret: ENDLESS.secretAccessKey },
  });
  t = await createTestApp({ env: aws.env });
  c = new Client(t.app);
  await c.signup("template-failures@example.com");
  expect((await c.post("/aws/connect", { ...KEY, region: "us-east-1", save: true })).status).toBe(200);
  templateId = (await c.post("/email/template", { name: "News", subject: "News for {{name|you}}", html: "<p>Hello {{name|there}}</p>" })).json.id;
  expect((await c.post("/aws/templates", { templateId })).status).toBe(201);
  expect((await c.post("/aws/templates", { name: "direct", subject: "Direct", html: "<p>{{x}}</p>" })).status).toBe(201);
});
afterAll(async () => {
  templateListing.clear();
  await t.close();
  await aws.stop();
});
afterEach(() => aws.fake.faults.clear());

interface Call {
  action: string;
  what: string;
  run(client: Client, headers?: Record<string, string>): Promise<Reply>;
}

const CALLS: Call[] = [
  { action: "ListEmailTemplates", what: "listing", run: (client, h) => client.get("/aws/templates", h) },
  { action: "GetEmailTemplate", what: "reading one", run: (client, h) => client.get("/aws/templates/news", h) },
  { action: "GetEmailTemplate", what: "importing one", run: (client, h) => client.post("/aws/templates/news/import", {}, h) },
  { action: "CreateEmailTemplate", what: "creating one", run: (client, h) => client.post("/aws/templates", { name: `made-${Math.random().toString(36).slice(2, 8)}`, subject: "s", html: "<p>x</p>" }, h) },
  { action: "CreateEmailTemplate", what: "publishing a Sesame template", run: (client, h) => client.post("/aws/templates", { templateId }, h) },
  { action: "UpdateEmailTemplate", what: "editing one", run: (client) => client.put("/aws/templates/direct", { subject: "Direct", html: "<p>{{x}}</p>" }) },
  { action: "UpdateEmailTemplate", what: "publishing it again", run: (client, h) => client.post("/aws/templates", { templateId }, h) },
  { action: "DeleteEmailTemplate", what: "deleting one", run: (client) => client.delete("/aws/templates/direct") },
  { action: "TestRenderEmailTemplate", what: "test-rendering one", run: (client, h) => client.post("/aws/templates/news/render", { data: { name: "Ann" } }, h) },
];

const SENTENCE: Partial<Record<Fault, { code: string; says: (action: string) => string }>> = {
  denied: { code: "aws_access_denied", says: (action) => `Add ses:${action} to the IAM user's policy` },
  throttled: { code: "aws_throttled", says: () => "Wait a minute and try again" },
  notFound: { code: "aws_not_found", says: () => "AWS could not find what Sesame asked for" },
};

function expectSentence(reply: Reply, fault: Fault, action: string) {
  const expected = SENTENCE[fault]!;
  expect(reply.status).toBe(422);
  expect(reply.json.code).toBe(expected.code);
  expect(reply.json.error).toContain(expected.says(action));
  expect(reply.text).not.toContain(FAULT_TEXT[fault]);
}

describe("each call's typical AWS errors, as sentences", () => {
  for (const call of CALLS) {
    for (const fault of ["denied", "throttled", "notFound"] as const) {
      test(`${call.what}: ${fault} at ses:${call.action} is a sentence that says what to do`, async () => {
        aws.fake.fail(`ses:${call.action}`, fault);
        const logged = t.logs.length;
        expectSentence(await call.run(c), fault, call.action);
        // The log keeps what AWS said, for whoever runs the server.
        expect(t.logs.slice(logged).join("\n")).toContain(FAULT_TEXT[fault]);
      });
    }
  }

  test("an account at its template limit says so when creating or publishing", async () => {
    aws.fake.fail("ses:CreateEmailTemplate", "limit");
    const fresh = (await c.post("/email/template", { name: "Limit", subject: "s", html: "<p>x</p>" })).json.id;
    for (const reply of [await c.post("/aws/templates", { name: "one-too-many", subject: "s", html: "<p>x</p>" }), await c.post("/aws/templates", { templateId: fresh })]) {
      expect(reply.status).toBe(422);
      expect(reply.json.code).toBe("aws_limit");
      expect(reply.json.error).toContain("would not store the template in SES");
      expect(reply.json.error).toContain("ask AWS for a higher limit");
      expect(reply.text).not.toContain(FAULT_TEXT.limit);
    }
  });
});

describe("on the pages", () => {
  test("an htmx request shows the sentence as a flash, never AWS's words", async () => {
    aws.fake.fail("ses:TestRenderEmailTemplate", "denied");
    const reply = await c.post("/aws/templates/news/render", { data: "{}" }, htmx);
    expect(reply.status).toBe(422);
    expect(reply.text).toContain('role="alert"');
    expect(reply.text).toContain("ses:TestRenderEmailTemplate");
    expect(reply.text).not.toContain(FAULT_TEXT.denied);
  });

  test("the SES templates page still opens when the list cannot be read, with the reason and a way to try again", async () => {
    aws.fake.fail("ses:ListEmailTemplates", "throttled");
    const reply = await c.get("/settings/aws/templates", { accept: "text/html" });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("AWS is limiting how often these keys may call it");
    expect(reply.text).toContain("Try again");
    expect(reply.text).toContain('data-testid="ses-publish-form"');
    aws.fake.fail("ses:ListEmailTemplates", null);
    const panel = await c.get("/aws/templates", htmx);
    expect(panel.text).toContain('data-ses-template="news"');
  });

  test("keys whose policy lacks ses:CreateEmailTemplate are told to add exactly that", async () => {
    const other = new Client(t.app);
    await other.signup("template-failures-nocreate@example.com");
    expect((await other.post("/aws/connect", { ...NO_CREATE, region: "us-east-1", save: true })).status).toBe(200);
    const reply = await other.post("/aws/templates", { name: "denied-one", subject: "s", html: "<p>x</p>" });
    expectSentence(reply, "denied", "CreateEmailTemplate");
    expect((await other.get("/aws/templates")).status).toBe(200);
  });
});

describe("paging through SES's list", () => {
  async function listWith(key: { accessKeyId: string; secretAccessKey: string }, email: string) {
    const client = new Client(t.app);
    await client.signup(email);
    expect((await client.post("/aws/connect", { ...key, region: "us-east-1", save: true })).status).toBe(200);
    const from = aws.fake.calls.length;
    const reply = await client.get("/aws/templates");
    const asked = aws.fake.calls.slice(from).filter((call) => call.action === "ListEmailTemplates" && call.accessKeyId === key.accessKeyId).length;
    return { reply, asked };
  }

  test("a list whose answer repeats a NextToken already followed stops there, each template listed once", async () => {
    templateListing.set(SAME_TOKEN.accessKeyId, "same token");
    const { reply, asked } = await listWith(SAME_TOKEN, "template-paging-same@example.com");
    expect(reply.status).toBe(200);
    expect(reply.json.items.map((item: { name: string }) => item.name)).toEqual(["stuck-page"]);
    expect(asked).toBe(2);
  });

  test("a list whose answer always has a new NextToken stops after 200 pages", async () => {
    templateListing.set(ENDLESS.accessKeyId, "endless");
    const { reply, asked } = await listWith(ENDLESS, "template-paging-endless@example.com");
    expect(reply.status).toBe(200);
    expect(reply.json.items).toHaveLength(1);
    expect(asked).toBe(200);
  });
});
