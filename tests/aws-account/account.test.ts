import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { expectAwsRefusal, expectSentence, htmx, page, SANDBOX, startAccountTests, text, type AccountTests } from "./support";

let s: AccountTests;
beforeAll(async () => {
  s = await startAccountTests();
});
afterAll(async () => {
  await s.stop();
});
afterEach(() => s.aws.fake.faults.clear());

const REQUEST = {
  mailType: "MARKETING",
  websiteUrl: "https://shop.example.com",
  useCaseDescription:
    "A monthly newsletter to customers who ticked the box at checkout; about 4,000 recipients. Bounces and complaints are suppressed automatically, every mail has a one-click unsubscribe.",
  contactLanguage: "JA",
  additionalContactEmails: "ops@example.com, Owner@Example.com",
};

const calls = (action: string) => s.aws.fake.calls.filter((c) => c.action === action).length;

describe("the Account page", () => {
  test("a sandbox account is shown as such, with what the sandbox means for sending and the production-access form", async () => {
    const { c } = await s.owner({ key: { account: SANDBOX } });
    const reply = await c.get("/settings/aws/account", page);
    expect(reply.status).toBe(200);
    const html = text(reply.text);
    expect(html).toContain('data-testid="aws-mode"');
    expect(html).toMatch(/data-testid="aws-mode"[^>]*>Sandbox</);
    expect(html).toContain("only to addresses and domains verified as identities");
    expect(html).toContain("at most 200 messages in 24 hours and 1 per second");
    expect(html).toContain('data-testid="aws-production-access-form"');
    for (const field of ["mailType", "websiteUrl", "useCaseDescription", "contactLanguage", "additionalContactEmails"]) expect(html).toContain(`name="${field}"`);
    expect(html).toContain('value="JA"');
    // The tab row marks this page.
    expect(html).toMatch(/href="\/settings\/aws\/account"\s+aria-current="page"/);
  });

  test("the JSON answer has the account, the configuration set's state and the history", async () => {
    const { c } = await s.owner({ key: { account: SANDBOX } });
    const reply = await c.get("/aws/account");
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({
      region: "eu-west-1",
      saved: true,
      account: { productionAccess: false, sendingEnabled: true, enforcementStatus: "HEALTHY", maxSendRate: 1, max24HourSend: 200 },
      configurationSet: { status: "not_set_up" },
    });
    expect(reply.json.history).toHaveLength(1);
    expect(reply.json.history[0]).toMatchObject({ first: true, changes: [] });
  });

  test("an account under review shows its status with advice", async () => {
    const { c } = await s.owner({ key: { account: { ...SANDBOX, EnforcementStatus: "PROBATION" } } });
    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toContain('data-status="PROBATION"');
    expect(html).toContain("Under review");
    expect(html).toContain("AWS has put this account under review");
  });

  test("keys AWS refuses leave the page with the sentence and the way back to the Connection page", async () => {
    const { c } = await s.owner();
    s.aws.fake.fail("ses:GetAccount", "denied");
    const reply = await c.get("/settings/aws/account", page);
    expect(reply.status).toBe(200);
    const html = text(reply.text);
    expect(html).toContain('data-testid="aws-account-error"');
    expect(html).toContain("Add ses:GetAccount to the IAM user's policy");
    expect(html).toContain('href="/settings/aws"');
  });

  test("without keys the page says to connect them first", async () => {
    const { c } = await s.owner();
    await c.delete("/aws/connect");
    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toContain("Connect your AWS keys first");
  });

  test("the Connection page's sandbox notice points to the Account tab's request form, not the AWS console", async () => {
    const { c } = await s.owner({ key: { account: SANDBOX } });
    const html = text((await c.get("/settings/aws", page)).text);
    const notice = /data-testid="aws-sandbox-notice"[^]*?<\/p>/.exec(html)?.[0] ?? "";
    expect(notice).toContain('href="/settings/aws/account#aws-production-access-section"');
    expect(notice).not.toContain("AWS console");
  });
});

describe("requesting production access", () => {
  test("the request reaches SES with the form's fields, and the review status and case id show afterwards", async () => {
    const { c, account } = await s.owner({ key: { account: SANDBOX } });
    const reply = await c.post("/aws/production-access", REQUEST);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ productionAccess: false, reviewStatus: "PENDING" });
    expect(reply.json.caseId).toMatch(/^case-/);
    expect(account().Details).toMatchObject({
      MailType: "MARKETING",
      WebsiteURL: "https://shop.example.com",
      ContactLanguage: "JA",
      UseCaseDescription: REQUEST.useCaseDescription,
      AdditionalContactEmailAddresses: ["ops@example.com", "owner@example.com"],
    });

    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toContain('data-status="PENDING"');
    expect(html).toContain("Being reviewed by AWS");
    expect(html).toContain(reply.json.caseId);
    // One request at a time: the form is gone while AWS reviews it.
    expect(html).not.toContain('data-testid="aws-production-access-form"');
  });

  test("once AWS grants it, the page shows production access and the history records the change", async () => {
    const { c, account } = await s.owner({ key: { account: SANDBOX } });
    expect((await c.post("/aws/production-access", { ...REQUEST, additionalContactEmails: [] })).status).toBe(200);
    const granted = account();
    granted.ProductionAccessEnabled = true;
    granted.Details.ReviewDetails.Status = "GRANTED";
    granted.SendQuota = { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 };

    const json = (await c.get("/aws/account")).json;
    expect(json.account.productionAccess).toBe(true);
    const changed = json.history[0].changes.map((ch: { field: string; from: unknown; to: unknown }) => `${ch.field}:${ch.from}→${ch.to}`);
    expect(changed).toEqual(expect.arrayContaining(["productionAccess:false→true", "reviewStatus:PENDING→GRANTED", "max24HourSend:200→50000"]));

    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toMatch(/data-testid="aws-mode"[^>]*>Production access</);
    expect(html).toContain("Access: sandbox → production");
    expect(html).toContain("Production access request: being reviewed by AWS → granted");
    expect(html).not.toContain('data-testid="aws-production-access-form"');
  });

  test("from the page (htmx), a request replaces the account panels with its review status", async () => {
    const { c } = await s.owner({ key: { account: SANDBOX } });
    const reply = await c.post("/aws/production-access", REQUEST, htmx);
    expect(reply.status).toBe(200);
    expect(reply.headers.get("hx-retarget")).toBe("#aws-account-overview");
    expect(reply.text).toContain('id="aws-account-overview"');
    expect(reply.text).toContain("Being reviewed by AWS");
  });

  test("the form is checked before anything reaches AWS, each refusal naming its field", async () => {
    const { c } = await s.owner({ key: { account: SANDBOX } });
    const before = calls("PutAccountDetails");
    const cases: [Partial<Record<keyof typeof REQUEST, unknown>>, string][] = [
      [{ mailType: "SPAM" }, "mailType"],
      [{ websiteUrl: "example" }, "websiteUrl"],
      [{ websiteUrl: "javascript:alert(1)" }, "websiteUrl"],
      [{ websiteUrl: "ftp://example.com" }, "websiteUrl"],
      [{ useCaseDescription: "newsletters" }, "useCaseDescription"],
      [{ useCaseDescription: "x".repeat(5001) }, "useCaseDescription"],
      [{ contactLanguage: "FR" }, "contactLanguage"],
      [{ additionalContactEmails: "not-an-address" }, "additionalContactEmails"],
      [{ additionalContactEmails: "a@example.com,b@example.com,c@example.com,d@example.com,e@example.com" }, "additionalContactEmails"],
    ];
    for (const [change, field] of cases) {
      const reply = await c.post("/aws/production-access", { ...REQUEST, ...change });
      expect(reply.status).toBe(422);
      expect(reply.json.field).toBe(field);
      expect(reply.json.error).toMatch(/^[A-Z"].*\.$/);
    }
    // A field error from the page goes next to its field.
    const fromPage = await c.post("/aws/production-access", { ...REQUEST, websiteUrl: "nope" }, htmx);
    expect(JSON.parse(fromPage.headers.get("hx-trigger") ?? "{}")["field-error"].field).toBe("websiteUrl");
    expect(calls("PutAccountDetails")).toBe(before);
  });

  test("a use case under 50 characters is refused as Sesame's own floor, not SES's, saying what to write", async () => {
    const { c } = await s.owner({ key: { account: SANDBOX } });
    const reply = await c.post("/aws/production-access", { ...REQUEST, useCaseDescription: "Newsletters to our customers." });
    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({ code: "use_case_too_short", field: "useCaseDescription" });
    expect(reply.json.error).toContain("who your recipients are");
    expect(reply.json.error).toContain("Sesame asks for at least 50 characters so AWS has enough to review.");
    expect(text((await c.get("/settings/aws/account", page)).text)).toContain('minlength="50"');
  });

  test("AWS refusing the request shows which permission is missing, or to wait when throttled", async () => {
    const { c, account } = await s.owner({ key: { account: SANDBOX } });
    s.aws.fake.fail("ses:PutAccountDetails", "denied");
    expectAwsRefusal(await c.post("/aws/production-access", REQUEST), "aws_access_denied", "ses:PutAccountDetails");
    s.aws.fake.fail("ses:PutAccountDetails", "throttled");
    const throttled = await c.post("/aws/production-access", REQUEST);
    expectAwsRefusal(throttled, "aws_throttled");
    expect(throttled.json.error).toContain("Wait a minute");
    // From the page, the sentence is a flash in the form's error slot; the form stays.
    s.aws.fake.fail("ses:PutAccountDetails", "denied");
    const fromPage = await c.post("/aws/production-access", REQUEST, htmx);
    expect(fromPage.headers.get("hx-retarget")).toBeNull();
    expect(text(fromPage.text)).toContain("ses:PutAccountDetails");
    expect(account().Details).toBeUndefined();
  });
});

describe("turning sending on and off", () => {
  test("an admin pauses and resumes the account's sending; the page's buttons confirm naming the consequence", async () => {
    const { c, account } = await s.owner();
    let html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toMatch(/hx-confirm="Pause sending for the whole AWS account in Europe \(Ireland\)\?[^"]*running campaigns will pause/);

    const paused = await c.put("/aws/account/sending", { enabled: false });
    expect(paused.status).toBe(200);
    expect(paused.json).toEqual({ sendingEnabled: false });
    expect(account().SendingEnabled).toBe(false);
    html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toContain('data-testid="aws-account-resume"');
    expect(html).toContain("Sending: on → paused");

    const resumed = await c.request("PUT", "/aws/account/sending", { body: "enabled=true", headers: { ...htmx, "content-type": "application/x-www-form-urlencoded" } });
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get("hx-retarget")).toBe("#aws-account-overview");
    expect(account().SendingEnabled).toBe(true);
  });

  test("a switch takes a JSON boolean, a form's true or false, or a ticked box's on; without a value nothing changes", async () => {
    const { c, account } = await s.owner();
    const form = (body: string) => c.request("PUT", "/aws/account/sending", { body, headers: { ...htmx, "content-type": "application/x-www-form-urlencoded" } });
    expect((await form("enabled=false")).status).toBe(200);
    expect(account().SendingEnabled).toBe(false);
    expect((await form("enabled=on")).status).toBe(200);
    expect(account().SendingEnabled).toBe(true);
    expect((await c.put("/aws/account/sending", { enabled: false })).status).toBe(200);
    expect(account().SendingEnabled).toBe(false);
    expect((await c.put("/aws/account/sending", { enabled: true })).status).toBe(200);
    expect(account().SendingEnabled).toBe(true);
    // Leaving the value out is not read as "off": the account keeps sending.
    const before = calls("PutAccountSendingAttributes");
    expect((await c.put("/aws/account/sending", {})).status).toBe(400);
    expect(calls("PutAccountSendingAttributes")).toBe(before);
    expect(account().SendingEnabled).toBe(true);
  });

  test("the workspace's configuration set is paused and resumed, with a confirmation saying campaigns will be refused", async () => {
    const { c, workspaceId } = await s.owner();
    expect((await c.post("/aws/events/setup")).status).toBe(200);
    const name = `sesame-${workspaceId}`;
    let json = (await c.get("/aws/account")).json;
    expect(json.configurationSet).toEqual({ status: "ready", name, sendingEnabled: true, reputationMetricsEnabled: false, lastFreshStart: null });
    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toContain(`hx-confirm="Pause sending for the configuration set ${name}? SES will refuse every message this workspace sends`);

    const paused = await c.put("/aws/configuration-set/sending", { enabled: false });
    expect(paused.status).toBe(200);
    expect(paused.json.configurationSet).toMatchObject({ status: "ready", sendingEnabled: false });
    expect(s.aws.fake.configurationSetOptions.get(name)!.sendingEnabled).toBe(false);
    json = (await c.put("/aws/configuration-set/sending", { enabled: "true" })).json;
    expect(json.configurationSet.sendingEnabled).toBe(true);
  });

  test("without a configuration set, the page says to set up tracking first and a change is refused with that sentence", async () => {
    const { c } = await s.owner();
    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).toContain("created by the bounce and complaint tracking set-up on the Connection page");
    const reply = await c.put("/aws/configuration-set/sending", { enabled: false });
    expect(reply.status).toBe(422);
    expect(reply.json.code).toBe("no_configuration_set");
  });

  test("a configuration set SES does not have is named as missing, and changing it says so", async () => {
    const { c, workspaceId } = await s.owner();
    await c.post("/aws/events/setup");
    s.aws.fake.configurationSets.delete(`sesame-${workspaceId}`);
    expect((await c.get("/aws/account")).json.configurationSet).toEqual({ status: "missing", name: `sesame-${workspaceId}` });
    expect(text((await c.get("/settings/aws/account", page)).text)).toContain("does not exist in this region");
    expectAwsRefusal(await c.put("/aws/configuration-set/sending", { enabled: false }), "aws_not_found");
  });

  test("AWS refusing a sending change names the permission, or says to wait when throttled", async () => {
    const { c } = await s.owner();
    await c.post("/aws/events/setup");
    for (const [action, path] of [
      ["ses:PutAccountSendingAttributes", "/aws/account/sending"],
      ["ses:PutConfigurationSetSendingOptions", "/aws/configuration-set/sending"],
    ] as const) {
      s.aws.fake.fail(action, "denied");
      expectAwsRefusal(await c.put(path, { enabled: false }), "aws_access_denied", action);
      s.aws.fake.fail(action, "throttled");
      expectAwsRefusal(await c.put(path, { enabled: false }), "aws_throttled");
      s.aws.fake.fail(action, "notFound");
      expectAwsRefusal(await c.put(path, { enabled: false }), "aws_not_found");
      s.aws.fake.fail(action, null);
    }
  });

  test("reading the configuration set denied leaves the rest of the page, with the sentence in its place", async () => {
    const { c } = await s.owner();
    await c.post("/aws/events/setup");
    s.aws.fake.fail("ses:GetConfigurationSet", "denied");
    const json = (await c.get("/aws/account")).json;
    expect(json.configurationSet.status).toBe("error");
    expect(json.configurationSet.error).toContain("ses:GetConfigurationSet");
    expectSentence(json.configurationSet.error);
    const reply = await c.get("/settings/aws/account", page);
    expect(reply.status).toBe(200);
    expect(text(reply.text)).toContain("Add ses:GetConfigurationSet");
    s.aws.fake.fail("ses:GetConfigurationSet", "throttled");
    expect((await c.get("/aws/account")).json.configurationSet.error).toContain("Wait a minute");
  });
});

describe("who may change the account", () => {
  test("a member reads the account but every change is refused with 403 and nothing reaches AWS", async () => {
    const { workspaceId, c: owner } = await s.owner({ key: { account: SANDBOX } });
    await owner.post("/aws/events/setup");
    const { c } = await s.member(workspaceId);
    expect((await c.get("/aws/account")).status).toBe(200);
    const html = text((await c.get("/settings/aws/account", page)).text);
    expect(html).not.toContain('data-testid="aws-production-access-form"');
    expect(html).not.toContain('data-testid="aws-account-pause"');
    expect(html).toContain("A workspace admin can request production access");

    const before = s.aws.fake.calls.length;
    expect((await c.post("/aws/production-access", REQUEST)).status).toBe(403);
    expect((await c.put("/aws/account/sending", { enabled: false })).status).toBe(403);
    expect((await c.put("/aws/configuration-set/sending", { enabled: false })).status).toBe(403);
    expect((await c.put("/aws/configuration-set/reputation", { enabled: true })).status).toBe(403);
    expect((await c.put("/aws/vdm", { enabled: true })).status).toBe(403);
    expect((await c.put("/aws/region", { region: "eu-west-2" })).status).toBe(403);
    expect(s.aws.fake.calls.slice(before).filter((call) => call.action.startsWith("Put"))).toEqual([]);
  });

  test("nobody logged out reads or changes the account", async () => {
    const { Client } = await import("../support/client");
    const anonymous = new Client(s.t.app);
    expect((await anonymous.get("/aws/account")).status).toBe(401);
    expect((await anonymous.put("/aws/account/sending", { enabled: false })).status).toBe(401);
    expect((await anonymous.get("/settings/aws/account", page)).status).toBe(303);
  });
});
