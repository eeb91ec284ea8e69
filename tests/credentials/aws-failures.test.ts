import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { FAULT_TEXT, FAULTS, startAws, type Fault } from "../support/aws";
import { createTestApp, TEST_SECRET, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";
import { freePort } from "../support/net";

/**
 * Every AWS call the AWS page makes, failing in every way AWS (or what stands between Sesame and
 * AWS) fails: the person reads a sentence that says what to do, and the log keeps AWS's own answer.
 */

const KEY = { accessKeyId: "AKIAFAILURES00000001", secretAccessKey: "failures-secret-access-key/0000000000000" };

let aws: Awaited<ReturnType<typeof startAws>>;
let t: TestApp;
let c: Client;
let workspaceId: string;
const PUBLIC_URL = "https://sesame.example.com";

beforeAll(async () => {
  aws = await startAws({ [KEY.accessKeyId]: { secret: KEY.secretAccessKey } });
  t = await createTestApp({ env: { ...aws.env, PUBLIC_URL } });
  c = new Client(t.app);
  workspaceId = (await c.signup("failures@example.com")).workspace.id;
  expect((await c.post("/aws/connect", { ...KEY, region: "eu-west-1", save: true })).status).toBe(200);
});
afterAll(async () => {
  await t.close();
  await aws.stop();
});
afterEach(() => aws.fake.faults.clear());

const htmx = { "hx-request": "true" };

/** What the SDK or AWS says, which must never reach a person. */
const RAW = [
  "$response",
  "hidden field",
  "Deserialization",
  "JSON Parse",
  "Unrecognized token",
  "@aws-sdk",
  "@smithy",
  "SyntaxError",
  "AWS said",
  "Bad Gateway",
  "nginx",
  "guest network",
  "SomethingNewException",
  "A reason no client knows yet",
  ...Object.values(FAULT_TEXT).filter((text) => !text.startsWith("HTTP")),
];

const EXPECTED_CODE: Record<Fault | "unreachable", string> = {
  denied: "aws_access_denied",
  unrecognized: "aws_unrecognized_key",
  signature: "aws_signature_mismatch",
  throttled: "aws_throttled",
  internal: "aws_unavailable",
  unknown: "aws_error",
  html: "aws_bad_response",
  html200: "aws_bad_response",
  garbage: "aws_bad_response",
  notFound: "aws_not_found",
  limit: "aws_limit",
  unreachable: "aws_unreachable",
};

/** A sentence a person can act on: it starts and ends like one, names a next step, and quotes nothing raw. */
function expectSentence(text: string) {
  for (const raw of RAW) expect(text).not.toContain(raw);
  expect(text).toMatch(/^[A-Z][^<>{}]*\.$/);
  expect(text).toMatch(/[Tt]ry again|Add |Check |Create |Paste |Wait |Reload /);
}

/** The flash an htmx request got, as the text a person reads. */
function flashText(reply: Reply): string {
  const html = /<div role="alert"[^>]*>([^<]*)<\/div>/.exec(reply.text)?.[1] ?? "";
  const entities: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };
  return html.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (e) => entities[e]!);
}

function expectLogged(action: string, fault: Fault | "unreachable", since: number) {
  const lines = t.logs.slice(since).map((line) => JSON.parse(line)).filter((line) => line.msg === "AWS call failed" && line.action === action);
  expect(lines.length).toBeGreaterThan(0);
  const detail = lines.map((line) => line.detail).join("\n");
  if (fault === "unreachable") expect(detail).toContain("ECONNREFUSED");
  // SES's writes of the event pipeline answer with an empty body, which the SDK never reads: a page
  // in its place is found out by reading the result back.
  else if (VOID_WRITES.includes(action) && (fault === "html200" || fault === "garbage")) expect(detail).toContain("the answer has no");
  else expect(detail).toContain(FAULT_TEXT[fault]);
  // SES answers JSON: its parser's complaint about the page is exactly what must stay in the log.
  if (fault === "html" && action.startsWith("ses:")) expect(detail).toContain("Unrecognized token '<'");
}

const VOID_WRITES = ["ses:CreateConfigurationSet", "ses:CreateConfigurationSetEventDestination", "ses:UpdateConfigurationSetEventDestination"];

const setName = () => `sesame-${workspaceId}`;
const fresh = () => {
  aws.fake.configurationSets.delete(setName());
};

/**
 * Each AWS call the page makes: how to bring the fake to the point where that call is the one that
 * fails, and the request that makes it. `panel` is the id an htmx success would replace.
 */
const CALLS: { action: string; arrange?: () => void | Promise<void>; request: (client: Client, headers?: Record<string, string>) => Promise<Reply> }[] = [
  {
    action: "ses:GetAccount",
    request: (client, headers) => client.request("POST", "/aws/connect", { json: { ...KEY, region: "eu-west-1", save: true }, headers }),
  },
  { action: "ses:ListEmailIdentities", request: (client, headers) => client.get("/aws/identities", headers) },
  {
    action: "ses:GetEmailIdentity",
    arrange: () => void aws.fake.identities.set("read.example.com", { name: "read.example.com", type: "DOMAIN", verified: false, tokens: ["t1"] }),
    // One identity's check ("Check now"); a listing keeps what the list said when a detail read fails.
    request: (client, headers) => client.get("/aws/identities/read.example.com", headers),
  },
  { action: "ses:CreateEmailIdentity", request: (client, headers) => client.post("/aws/identities", { identity: "new.example.com" }, headers) },
  { action: "sns:CreateTopic", arrange: fresh, request: (client, headers) => client.post("/aws/events/setup", {}, headers) },
  { action: "ses:CreateConfigurationSet", arrange: fresh, request: (client, headers) => client.post("/aws/events/setup", {}, headers) },
  {
    action: "ses:CreateConfigurationSetEventDestination",
    arrange: () => void aws.fake.configurationSets.set(setName(), new Map()),
    request: (client, headers) => client.post("/aws/events/setup", {}, headers),
  },
  {
    action: "ses:UpdateConfigurationSetEventDestination",
    arrange: async () => {
      fresh();
      expect((await c.post("/aws/events/setup")).status).toBe(200);
      // Pointing elsewhere, so the update has something to change.
      aws.fake.configurationSets.get(setName())!.get("sesame-sns")!.topicArn = "arn:aws:sns:eu-west-1:123456789012:an-old-topic";
    },
    request: (client, headers) => client.post("/aws/events/setup", {}, headers),
  },
  { action: "ses:GetConfigurationSetEventDestinations", arrange: fresh, request: (client, headers) => client.post("/aws/events/setup", {}, headers) },
  { action: "sns:Subscribe", arrange: fresh, request: (client, headers) => client.post("/aws/events/setup", {}, headers) },
  { action: "sns:ListSubscriptionsByTopic", arrange: fresh, request: (client, headers) => client.post("/aws/events/setup", {}, headers) },
  {
    action: "sns:GetTopicAttributes",
    arrange: () => void aws.fake.topics.add("arn:aws:sns:eu-west-1:123456789012:existing"),
    request: (client, headers) => client.request("PUT", "/aws/events", { json: { topicArn: "arn:aws:sns:eu-west-1:123456789012:existing" }, headers }),
  },
];

function forgetIdentities() {
  aws.fake.identities.clear();
}

describe("every AWS call of the AWS page, failing every way", () => {
  for (const call of CALLS) {
    for (const fault of FAULTS) {
      test(`${call.action} failing with ${fault}: a sentence that says what to do, AWS's answer in the log`, async () => {
        forgetIdentities();
        await call.arrange?.();
        aws.fake.fail(call.action, fault);
        const since = t.logs.length;

        const reply = await call.request(c);
        expect(reply.status).toBe(422);
        expect(reply.json.code).toBe(EXPECTED_CODE[fault]);
        expectSentence(reply.json.error);
        if (fault === "denied") expect(reply.json.error).toContain(call.action);
        expectLogged(call.action, fault, since);

        const partial = await call.request(c, htmx);
        expect(partial.text).not.toContain("<html");
        expect(partial.headers.get("hx-retarget")).toBeNull();
        expectSentence(flashText(partial));
        expect(flashText(partial)).toBe(reply.json.error);
      });
    }
  }
});

describe("AWS out of reach", () => {
  /** The same database and login, served by an app whose SES or SNS endpoint is a closed port. */
  function cutOff(which: { ses?: boolean; sns?: boolean }) {
    const dead = `http://127.0.0.1:${freePort()}`;
    const env = { SES_ENDPOINT: which.ses ? dead : aws.env.SES_ENDPOINT, SNS_ENDPOINT: which.sns ? dead : aws.env.SNS_ENDPOINT };
    const app = createApp({ ...t.deps, config: loadConfig({ DATABASE_URL: t.database.url, DATA_DIR: t.deps.config.dataDir, APP_SECRET: TEST_SECRET, PUBLIC_URL, ...env }) });
    const client = new Client(app);
    client.cookies = new Map(c.cookies);
    return client;
  }

  const cases: { action: string; cut: { ses?: boolean; sns?: boolean } }[] = [
    { action: "ses:GetAccount", cut: { ses: true } },
    { action: "ses:ListEmailIdentities", cut: { ses: true } },
    { action: "ses:CreateEmailIdentity", cut: { ses: true } },
    { action: "sns:CreateTopic", cut: { sns: true } },
    { action: "ses:CreateConfigurationSet", cut: { ses: true } },
    { action: "sns:GetTopicAttributes", cut: { sns: true } },
  ];
  for (const { action, cut } of cases) {
    test(`${action} with AWS unreachable says to check the network, not what the socket said`, async () => {
      forgetIdentities();
      fresh();
      const call = CALLS.find((c) => c.action === action)!;
      await call.arrange?.();
      const since = t.logs.length;
      const reply = await call.request(cutOff(cut));
      expect(reply.status).toBe(422);
      expect(reply.json.code).toBe("aws_unreachable");
      expect(reply.json.error).toContain("could not reach AWS in region eu-west-1");
      expect(reply.json.error).not.toContain("ECONNREFUSED");
      expectSentence(reply.json.error);
      expectLogged(action, "unreachable", since);
    });
  }

  test("the page still opens, with the reason in the account panel and the other panels in place", async () => {
    const page = await cutOff({ ses: true, sns: true }).get("/settings/aws", { accept: "text/html" });
    expect(page.status).toBe(200);
    const panel = page.text.slice(page.text.indexOf('data-testid="aws-account"'), page.text.indexOf('id="aws-identities-section"'));
    expect(panel).toContain("could not reach AWS in region eu-west-1");
    expect(page.text).toContain('id="aws-identities-section"');
    expect(page.text).toContain('data-testid="aws-events-setup"');
  });
});

describe("how failures are shown on the page", () => {
  test("a failed status read keeps the connection facts and says what to do; the JSON carries the same sentence", async () => {
    aws.fake.fail("ses:GetAccount", "html");
    const status = await c.get("/aws/status");
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ connected: true, saved: true, account: null, code: "aws_bad_response" });
    expectSentence(status.json.error);
    const page = (await c.get("/settings/aws", { accept: "text/html" })).text;
    expect(page).toContain('data-testid="aws-account-error"');
    expect(page).toContain("did not come from AWS");
    expect(page).toContain('data-testid="aws-key"');
    for (const raw of RAW) expect(page).not.toContain(raw);
  });

  test("a failed identities list keeps the add-identity form, and a retry button", async () => {
    aws.fake.fail("ses:ListEmailIdentities", "throttled");
    const panel = await c.get("/aws/identities", htmx);
    expect(panel.status).toBe(200);
    expect(panel.text).toContain('data-testid="aws-identities-error"');
    expect(panel.text).toContain("Wait a minute and try again");
    expect(panel.text).toContain('data-testid="aws-identity-form"');
    expect(panel.text).toContain("Try again");
  });

  test("adding an identity aims its errors at the form's slot and its success at the whole panel", async () => {
    forgetIdentities();
    const form = (await c.get("/aws/identities", htmx)).text;
    expect(form).toMatch(/hx-post="\/aws\/identities"[^>]*hx-target="#aws-identity-errors"[^>]*hx-swap="innerHTML"/);
    expect(form).toContain('id="aws-identity-errors"');

    const added = await c.post("/aws/identities", { identity: "panel.example.com" }, htmx);
    expect(added.status).toBe(200);
    expect(added.headers.get("hx-retarget")).toBe("#aws-identities");
    expect(added.headers.get("hx-reswap")).toBe("outerHTML");
    expect(added.text).toContain("panel.example.com");

    const twice = await c.post("/aws/identities", { identity: "panel.example.com" }, htmx);
    expect(twice.status).toBe(422);
    expect(twice.headers.get("hx-retarget")).toBeNull();
    expect(flashText(twice)).toBe("That identity is already in SES for this account and region.");
    expect(JSON.parse(twice.headers.get("hx-trigger")!)["field-error"].field).toBe("identity");
  });

  test("an identity added while the list cannot be read is shown with the list's error", async () => {
    forgetIdentities();
    aws.fake.fail("ses:ListEmailIdentities", "internal");
    const added = await c.post("/aws/identities", { identity: "alone.example.com" }, htmx);
    expect(added.status).toBe(200);
    expect(added.text).toContain("alone.example.com");
    expect(added.text).toContain("had a problem on its side");
    expect(added.text).toContain('data-testid="aws-identity-form"');
  });

  test("the set-up and the topic form aim their errors at the panel's slot and their success at the panel", async () => {
    const page = (await c.get("/settings/aws", { accept: "text/html" })).text;
    expect(page).toMatch(/hx-post="\/aws\/events\/setup"[^>]*hx-target="#aws-events-errors"[^>]*hx-swap="innerHTML"/);
    expect(page).toMatch(/hx-put="\/aws\/events"[^>]*hx-target="#aws-events-errors"[^>]*hx-swap="innerHTML"/);
    expect(page).toContain('id="aws-events-errors"');

    fresh();
    const done = await c.post("/aws/events/setup", {}, htmx);
    expect(done.status).toBe(200);
    expect(done.headers.get("hx-retarget")).toBe("#aws-events");
    expect(done.headers.get("hx-reswap")).toBe("outerHTML");
    expect(done.text).toContain(`sesame-events-${workspaceId}`);

    const bad = await c.request("PUT", "/aws/events", { json: { topicArn: "arn:aws:sns:eu-west-1:123456789012:nobody-has-this" }, headers: htmx });
    expect(bad.status).toBe(422);
    expect(bad.headers.get("hx-retarget")).toBeNull();
    expect(flashText(bad)).toContain("These keys cannot see that SNS topic");
    expect(JSON.parse(bad.headers.get("hx-trigger")!)["field-error"].field).toBe("topicArn");
  });

  test("a refresh with keys that no longer open shows the connect form with the reason", async () => {
    const lost = createApp({
      ...t.deps,
      config: loadConfig({ DATABASE_URL: t.database.url, DATA_DIR: t.deps.config.dataDir, APP_SECRET: "f".repeat(64), PUBLIC_URL, ...aws.env }),
    });
    const client = new Client(lost);
    await client.post("/auth/login", { email: "failures@example.com", password: "correct horse battery" });
    const refreshed = await client.get("/aws/status", htmx);
    expect(refreshed.status).toBe(200);
    expect(refreshed.text).toContain('id="aws-account"');
    expect(refreshed.text).toContain('data-testid="aws-connect-form"');
    expect(refreshed.text).toContain("APP_SECRET_PREVIOUS");
  });

  test("no failure put a secret or the whole access key ID in the log", () => {
    const log = t.logs.join("\n");
    expect(log).toContain("AWS call failed");
    expect(log).not.toContain(KEY.secretAccessKey);
    expect(log).not.toContain(KEY.accessKeyId);
  });
});
