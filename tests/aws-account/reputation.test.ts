import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { RECOMMENDATION_PAGES_MAX } from "../../src/aws/account";
import { fakeVdm } from "../support/fake/account";
import { ACCOUNT } from "../support/aws";
import { expectAwsRefusal, expectSentence, htmx, page, startAccountTests, text, type AccountTests } from "./support";

let s: AccountTests;
beforeAll(async () => {
  s = await startAccountTests();
});
afterAll(async () => {
  await s.stop();
});
afterEach(() => s.aws.fake.faults.clear());

const VDM_CALLS = ["BatchGetMetricData", "ListRecommendations", "PutAccountVdmAttributes"];
const vdmCallsOf = (accessKeyId: string) => s.aws.fake.calls.filter((c) => c.accessKeyId === accessKeyId && VDM_CALLS.includes(c.action));
const VDM_ON = { ...ACCOUNT, VdmAttributes: { VdmEnabled: "ENABLED" } };

describe("the Reputation page", () => {
  test("without Virtual Deliverability Manager it says what enabling gives and costs, and makes no VDM call", async () => {
    const { c, key } = await s.owner();
    const reply = await c.get("/settings/aws/reputation", page);
    expect(reply.status).toBe(200);
    const html = text(reply.text);
    expect(html).toMatch(/href="\/settings\/aws\/reputation"\s+aria-current="page"/);
    expect(html).toContain('data-testid="aws-vdm-cost"');
    expect(html).toContain("AWS charges for it per message sent while it is on");
    expect(html).toContain('href="https://aws.amazon.com/ses/pricing/"');
    expect(html).toContain("recommendations that point out DKIM, SPF, DMARC and BIMI gaps");
    // The one button that would turn it on asks first, naming the cost.
    expect(html).toMatch(/hx-confirm="Turn on Virtual Deliverability Manager for the whole AWS account\? AWS charges for it per message sent/);
    expect((await c.get("/aws/vdm")).json).toEqual({ enabled: false, days: 7, metrics: null, recommendations: null, error: null });
    expect((await c.get("/aws/reputation")).json.vdm.enabled).toBe(false);
    expect(vdmCallsOf(key.accessKeyId)).toEqual([]);
  });

  test("Sesame's own 24-hour bounce and complaint rates sit beside SES's review thresholds", async () => {
    const { c } = await s.owner();
    const html = text((await c.get("/settings/aws/reputation", page)).text);
    expect(html).toContain('data-testid="bounce-rate"');
    expect(html).toContain("SES reviews past 5%");
    expect(html).toContain("SES reviews past 0.1%");
    expect((await c.get("/aws/reputation")).json.rates).toMatchObject({ sent: 0, bounceRate: null, complaintRate: null });
  });

  test("a member sees the page without the buttons that change anything", async () => {
    const { workspaceId, c: owner } = await s.owner();
    await owner.post("/aws/events/setup");
    const { c } = await s.member(workspaceId);
    const html = text((await c.get("/settings/aws/reputation", page)).text);
    expect(html).not.toContain('data-testid="aws-vdm-enable"');
    expect(html).not.toContain('data-testid="aws-reputation-on"');
    expect(html).toContain("A workspace admin can turn it on.");
  });
});

describe("the configuration set's reputation metrics", () => {
  test("an admin turns them on and off; SES keeps the setting", async () => {
    const { c, workspaceId } = await s.owner();
    await c.post("/aws/events/setup");
    const name = `sesame-${workspaceId}`;
    expect((await c.get("/aws/reputation")).json.configurationSet).toMatchObject({ status: "ready", name, reputationMetricsEnabled: false });
    expect(text((await c.get("/settings/aws/reputation", page)).text)).toContain('data-testid="aws-reputation-on"');

    const on = await c.put("/aws/configuration-set/reputation", { enabled: true });
    expect(on.status).toBe(200);
    expect(on.json.configurationSet).toMatchObject({ status: "ready", reputationMetricsEnabled: true });
    expect(s.aws.fake.configurationSetOptions.get(name)!.reputationMetricsEnabled).toBe(true);

    const fresh = new Date("2026-03-01T12:00:00Z");
    s.aws.fake.configurationSetOptions.get(name)!.lastFreshStart = fresh;
    expect((await c.get("/aws/reputation")).json.configurationSet.lastFreshStart).toBe(fresh.toISOString());
    const html = text((await c.get("/settings/aws/reputation", page)).text);
    expect(html).toContain('datetime="2026-03-01T12:00:00.000Z"');
    expect(html).toMatch(/hx-confirm="Turn off reputation metrics for sesame-[^"]*CloudWatch stops receiving/);

    const off = await c.request("PUT", "/aws/configuration-set/reputation", { body: "enabled=false", headers: { ...htmx, "content-type": "application/x-www-form-urlencoded" } });
    expect(off.status).toBe(200);
    expect(off.headers.get("hx-retarget")).toBe("#aws-reputation-metrics");
    expect(off.text).toContain('data-testid="aws-reputation-on"');
    expect(s.aws.fake.configurationSetOptions.get(name)!.reputationMetricsEnabled).toBe(false);
  });

  test("AWS refusing the change names the permission, says to wait when throttled, and a missing set says so", async () => {
    const { c, workspaceId } = await s.owner();
    await c.post("/aws/events/setup");
    s.aws.fake.fail("ses:PutConfigurationSetReputationOptions", "denied");
    expectAwsRefusal(await c.put("/aws/configuration-set/reputation", { enabled: true }), "aws_access_denied", "ses:PutConfigurationSetReputationOptions");
    s.aws.fake.fail("ses:PutConfigurationSetReputationOptions", "throttled");
    expectAwsRefusal(await c.put("/aws/configuration-set/reputation", { enabled: true }), "aws_throttled");
    s.aws.fake.fail("ses:PutConfigurationSetReputationOptions", null);
    s.aws.fake.configurationSets.delete(`sesame-${workspaceId}`);
    expectAwsRefusal(await c.put("/aws/configuration-set/reputation", { enabled: true }), "aws_not_found");
    expect((await c.get("/aws/reputation")).json.configurationSet.status).toBe("missing");
  });

  test("without a configuration set the page points to the event set-up", async () => {
    const { c } = await s.owner();
    const html = text((await c.get("/settings/aws/reputation", page)).text);
    expect(html).toContain("This workspace has no configuration set yet");
    expect((await c.put("/aws/configuration-set/reputation", { enabled: true })).json.code).toBe("no_configuration_set");
  });
});

describe("Virtual Deliverability Manager", () => {
  test("an admin's explicit request turns it on; its metrics and recommendations then show", async () => {
    const { c, key, account } = await s.owner();
    const vdm = fakeVdm(s.aws.fake);
    vdm.daily = { SEND: 1000, DELIVERY: 970, PERMANENT_BOUNCE: 20, TRANSIENT_BOUNCE: 10, COMPLAINT: 1, OPEN: 300, CLICK: 45 };
    vdm.recommendations = [
      {
        Type: "DKIM",
        Impact: "HIGH",
        Status: "OPEN",
        Description: "DKIM signing is not set up for example.com.",
        ResourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
        LastUpdatedTimestamp: new Date("2026-05-30T08:00:00Z"),
      },
      { Type: "DMARC", Impact: "LOW", Status: "FIXED", Description: "DMARC policy found for example.com." },
    ];

    const reply = await c.put("/aws/vdm", { enabled: true });
    expect(reply.status).toBe(200);
    expect(account().VdmAttributes.VdmEnabled).toBe("ENABLED");
    expect(reply.json.enabled).toBe(true);
    const sent = reply.json.metrics.find((m: { metric: string }) => m.metric === "SEND");
    expect(sent.points).toHaveLength(7);
    expect(sent.total).toBe(7000);
    expect(reply.json.metrics.map((m: { metric: string }) => m.metric)).toEqual(["SEND", "DELIVERY", "PERMANENT_BOUNCE", "TRANSIENT_BOUNCE", "COMPLAINT", "OPEN", "CLICK"]);
    expect(reply.json.recommendations[0]).toMatchObject({ type: "DKIM", impact: "HIGH", status: "OPEN", description: "DKIM signing is not set up for example.com." });

    // The queries went out as the SDK model has them: one per metric, namespace VDM, a 7-day range.
    const queries = vdm.queries.at(-1)!;
    expect(queries).toHaveLength(7);
    expect(queries[0]).toMatchObject({ Id: "send", Namespace: "VDM", Metric: "SEND" });
    expect(queries[0].EndDate - queries[0].StartDate).toBe(7 * 86400);

    const html = text((await c.get("/settings/aws/reputation", page)).text);
    expect(html).toContain('data-testid="aws-vdm-daily"');
    expect(html).toContain("DKIM signing");
    expect(html).toContain("High impact");
    expect(html).toContain("arn:aws:ses:eu-west-1:123456789012:identity/example.com");
    expect(html).toMatch(/data-metric="SEND"[^]*?7,000/);
    expect(vdmCallsOf(key.accessKeyId).filter((call) => call.action === "PutAccountVdmAttributes")).toHaveLength(1);
  });

  test("14 days can be chosen; the page's link swaps the panel and keeps the choice in the URL", async () => {
    const { c } = await s.owner({ key: { account: VDM_ON } });
    fakeVdm(s.aws.fake).daily = { SEND: 10 };
    const json = (await c.get("/aws/vdm?days=14")).json;
    expect(json.days).toBe(14);
    expect(json.metrics[0].total).toBe(140);
    const html = text((await c.get("/settings/aws/reputation?days=7", page)).text);
    expect(html).toContain('hx-get="/aws/vdm?days=14"');
    expect(html).toContain('hx-push-url="/settings/aws/reputation?days=14"');
    const panel = await c.get("/aws/vdm?days=14", htmx);
    expect(panel.text).toContain('id="aws-vdm"');
    expect(panel.text).toContain("Last 14 days");
  });

  test("turning it off is an admin's explicit request too", async () => {
    const { c, account } = await s.owner({ key: { account: VDM_ON } });
    const html = text((await c.get("/settings/aws/reputation", page)).text);
    expect(html).toMatch(/hx-confirm="Turn off Virtual Deliverability Manager/);
    const reply = await c.put("/aws/vdm", { enabled: false });
    expect(reply.json.enabled).toBe(false);
    expect(account().VdmAttributes.VdmEnabled).toBe("DISABLED");
  });

  test("AWS refusing to turn it on names the permission or says to wait, and nothing is turned on", async () => {
    const { c, account } = await s.owner();
    s.aws.fake.fail("ses:PutAccountVdmAttributes", "denied");
    expectAwsRefusal(await c.put("/aws/vdm", { enabled: true }), "aws_access_denied", "ses:PutAccountVdmAttributes");
    s.aws.fake.fail("ses:PutAccountVdmAttributes", "throttled");
    expectAwsRefusal(await c.put("/aws/vdm", { enabled: true }), "aws_throttled");
    expect(account().VdmAttributes).toBeUndefined();
  });

  test("recommendations that come as endless empty pages with a new NextToken each time stop at the page cap", async () => {
    const { c, key } = await s.owner({ key: { account: VDM_ON } });
    const vdm = fakeVdm(s.aws.fake);
    vdm.emptyPages = "new-token";
    try {
      const json = (await c.get("/aws/vdm")).json;
      expect(json).toMatchObject({ enabled: true, recommendations: [], error: null });
      expect(vdmCallsOf(key.accessKeyId).filter((call) => call.action === "ListRecommendations")).toHaveLength(RECOMMENDATION_PAGES_MAX);
    } finally {
      vdm.emptyPages = undefined;
    }
  });

  test("a NextToken SES already gave ends the reading of recommendations instead of asking for the same page again", async () => {
    const { c, key } = await s.owner({ key: { account: VDM_ON } });
    const vdm = fakeVdm(s.aws.fake);
    vdm.emptyPages = "same-token";
    vdm.recommendationTokens = [];
    try {
      expect((await c.get("/aws/vdm")).json).toMatchObject({ enabled: true, recommendations: [], error: null });
      expect(vdm.recommendationTokens).toEqual([null, "empty-1"]);
      expect(vdmCallsOf(key.accessKeyId).filter((call) => call.action === "ListRecommendations")).toHaveLength(2);
    } finally {
      vdm.emptyPages = undefined;
    }
  });

  test("metrics or recommendations AWS will not give show the sentence inside the panel; the page still renders", async () => {
    const { c } = await s.owner({ key: { account: VDM_ON } });
    for (const [action, fault, expected] of [
      ["ses:BatchGetMetricData", "denied", "Add ses:BatchGetMetricData"],
      ["ses:ListRecommendations", "denied", "Add ses:ListRecommendations"],
      ["ses:BatchGetMetricData", "throttled", "Wait a minute"],
      ["ses:ListRecommendations", "throttled", "Wait a minute"],
    ] as const) {
      s.aws.fake.fail(action, fault);
      const json = (await c.get("/aws/vdm")).json;
      expect(json.enabled).toBe(true);
      expect(json.error).toContain(expected);
      expectSentence(json.error);
      const reply = await c.get("/settings/aws/reputation", page);
      expect(reply.status).toBe(200);
      expect(text(reply.text)).toContain(expected);
      s.aws.fake.fail(action, null);
    }
  });
});
