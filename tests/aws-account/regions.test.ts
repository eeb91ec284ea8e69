import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { SES_REGIONS } from "../../src/aws/regions";
import { ACCOUNT } from "../support/aws";
import { expectAwsRefusal, htmx, page, SANDBOX, startAccountTests, text, type AccountTests } from "./support";

let s: AccountTests;
beforeAll(async () => {
  s = await startAccountTests();
});
afterAll(async () => {
  await s.stop();
});
afterEach(() => s.aws.fake.faults.clear());

/** Production in eu-west-1 (where keys connect), the sandbox in eu-west-2, Malaysia not enabled for the account. */
const REGIONS = { "eu-west-2": SANDBOX, "ap-southeast-5": "disabled" as const, "us-east-1": { ...ACCOUNT, SendQuota: { Max24HourSend: 100000, MaxSendRate: 40, SentLast24Hours: 7 } } };

const savedRegion = async (workspaceId: string) => {
  const { db } = s.t.database;
  const [row] = await db.orm.select({ region: db.t.awsCredentials.region }).from(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, workspaceId));
  return row?.region;
};

describe("every region's quota for the same keys", () => {
  test("each SES region is listed side by side, an opt-in region the account has not enabled as not enabled", async () => {
    const { c, key } = await s.owner({ key: { regions: REGIONS } });
    const reply = await c.get("/aws/regions");
    expect(reply.status).toBe(200);
    expect(reply.json.current).toBe("eu-west-1");
    const items = reply.json.items as Record<string, unknown>[];
    expect(items.map((i) => i.region)).toEqual(SES_REGIONS.map((r) => r.id));
    const by = (region: string) => items.find((i) => i.region === region)!;
    expect(by("eu-west-1")).toMatchObject({ enabled: true, productionAccess: true, maxSendRate: 14, max24HourSend: 50000, sentLast24Hours: 12500, error: null });
    expect(by("eu-west-2")).toMatchObject({ enabled: true, productionAccess: false, maxSendRate: 1, max24HourSend: 200, sentLast24Hours: 0 });
    expect(by("us-east-1")).toMatchObject({ enabled: true, productionAccess: true, maxSendRate: 40, max24HourSend: 100000, sentLast24Hours: 7 });
    expect(by("ap-southeast-5")).toEqual({
      region: "ap-southeast-5",
      enabled: false,
      productionAccess: null,
      sendingEnabled: null,
      enforcementStatus: null,
      maxSendRate: null,
      max24HourSend: null,
      sentLast24Hours: null,
      error: null,
    });
    // The same keys were asked in every region, each signed for its own.
    const asked = new Set(s.aws.fake.calls.filter((call) => call.action === "GetAccount" && call.accessKeyId === key.accessKeyId).map((call) => call.region));
    for (const region of SES_REGIONS) expect(asked.has(region.id)).toBe(true);
  });

  test("on the page the regions come as a table with the one in use marked and a switch for the others", async () => {
    const { c } = await s.owner({ key: { regions: REGIONS } });
    const accountPage = text((await c.get("/settings/aws/account", page)).text);
    expect(accountPage).toContain('hx-get="/aws/regions"');
    const html = text((await c.get("/aws/regions", htmx)).text);
    expect(html).toContain('data-testid="aws-regions-table"');
    const row = (region: string) => new RegExp(`<tr[^>]*data-region="${region}"[^]*?</tr>`).exec(html)?.[0] ?? "";
    expect(row("eu-west-1")).toContain('data-testid="aws-region-current"');
    expect(row("eu-west-2")).toContain('data-state="sandbox"');
    expect(row("eu-west-2")).toContain('hx-put="/aws/region"');
    expect(row("eu-west-2")).toMatch(/hx-confirm="Switch Sesame to Europe \(London\) \(eu-west-2\)\?[^"]*identities, the configuration set and the event pipeline/);
    expect(row("ap-southeast-5")).toContain("Not enabled for this AWS account");
    expect(row("ap-southeast-5")).not.toContain('hx-put="/aws/region"');
  });

  test("a region that does not answer shows its own sentence; the list still comes", async () => {
    const { c } = await s.owner();
    s.aws.fake.fail("ses:GetAccount", "throttled");
    const reply = await c.get("/aws/regions");
    expect(reply.status).toBe(200);
    for (const item of reply.json.items) {
      expect(item.enabled).toBe(true);
      expect(item.error).toContain("Wait a minute and try again.");
    }
    s.aws.fake.fail("ses:GetAccount", "denied");
    expect((await c.get("/aws/regions")).json.items[0].error).toContain("Add ses:GetAccount");
  });

  test("keys unknown even in their own region are the answer, not a list of closed regions", async () => {
    const { c, key } = await s.owner();
    s.aws.fake.keys.delete(key.accessKeyId);
    expectAwsRefusal(await c.get("/aws/regions"), "aws_unrecognized_key");
  });
});

describe("switching region", () => {
  test("an admin moves the saved keys to another region; the account page then reads that region", async () => {
    const { c, workspaceId } = await s.owner({ key: { regions: REGIONS } });
    const reply = await c.put("/aws/region", { region: "eu-west-2" });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ region: "eu-west-2", saved: true, account: { productionAccess: false, maxSendRate: 1 } });
    expect(await savedRegion(workspaceId)).toBe("eu-west-2");
    expect((await c.get("/aws/status")).json).toMatchObject({ connected: true, region: "eu-west-2", saved: true });
    const json = (await c.get("/aws/account")).json;
    expect(json.region).toBe("eu-west-2");
    expect(json.account.productionAccess).toBe(false);
    // The history is per region: the new one starts with its first reading.
    expect(json.history).toHaveLength(1);
  });

  test("from the page, a switch reloads the Account page", async () => {
    const { c } = await s.owner({ key: { regions: REGIONS } });
    const reply = await c.request("PUT", "/aws/region", { body: "region=us-east-1", headers: { ...htmx, "content-type": "application/x-www-form-urlencoded" } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("hx-redirect")).toBe("/settings/aws/account");
  });

  test("a region the account has not enabled is refused with what to do, and the keys stay where they were", async () => {
    const { c, workspaceId } = await s.owner({ key: { regions: REGIONS } });
    const reply = await c.put("/aws/region", { region: "ap-southeast-5" });
    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({ code: "aws_region_not_enabled", field: "region" });
    expect(reply.json.error).toContain("Enable it in the AWS account settings");
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");
  });

  test("a region SES does not run in is refused before any AWS call", async () => {
    const { c } = await s.owner();
    const before = s.aws.fake.calls.length;
    const reply = await c.put("/aws/region", { region: "mars-north-1" });
    expect(reply.status).toBe(422);
    expect(reply.json.code).toBe("invalid_region");
    expect(s.aws.fake.calls.length).toBe(before);
  });

  test("AWS refusing the new region's GetAccount names the permission, and nothing moves", async () => {
    const { c, workspaceId } = await s.owner();
    s.aws.fake.fail("ses:GetAccount", "denied");
    expectAwsRefusal(await c.put("/aws/region", { region: "eu-west-2" }), "aws_access_denied", "ses:GetAccount");
    s.aws.fake.fail("ses:GetAccount", "throttled");
    expectAwsRefusal(await c.put("/aws/region", { region: "eu-west-2" }), "aws_throttled");
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");
  });

  test("a member may not move the workspace's saved keys, but moves the session-only keys they connected", async () => {
    const { workspaceId } = await s.owner();
    const { c } = await s.member(workspaceId);
    expect((await c.put("/aws/region", { region: "eu-west-2" })).status).toBe(403);
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");
    // The page offers no switch to them.
    expect(text((await c.get("/aws/regions", htmx)).text)).not.toContain('hx-put="/aws/region"');

    const own = s.newKey({ regions: REGIONS });
    expect((await c.post("/aws/connect", { ...own, region: "eu-west-1", save: false })).status).toBe(200);
    const reply = await c.put("/aws/region", { region: "us-east-1" });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ region: "us-east-1", saved: false, account: { maxSendRate: 40 } });
    expect((await c.get("/aws/status")).json).toMatchObject({ region: "us-east-1", saved: false });
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");
  });
});

describe("switching region while campaigns still send", () => {
  let made = 0;
  /** A campaign row in `status` (a factory: the statuses that matter here are reached by sending, which these tests do not need). */
  async function campaign(workspaceId: string, name: string, status: string, sessionId: string | null = null) {
    const { db } = s.t.database;
    // Strictly increasing creation times, so "the first three" is a stable choice.
    const at = new Date(Date.UTC(2026, 0, 1) + ++made * 1000);
    await db.orm.insert(db.t.campaigns).values({ id: crypto.randomUUID(), workspaceId, name, status, fromAddress: "news@example.com", subject: name, sessionId, createdAt: at, updatedAt: at });
  }
  const sessionOf = async (userId: string) => {
    const { db } = s.t.database;
    const [row] = await db.orm.select({ id: db.t.sessions.id }).from(db.t.sessions).where(eq(db.t.sessions.userId, userId));
    return row!.id;
  };
  const getAccountCalls = (accessKeyId: string, region: string) =>
    s.aws.fake.calls.filter((call) => call.action === "GetAccount" && call.accessKeyId === accessKeyId && call.region === region).length;

  test("moving the saved keys is refused with 409 naming the first three campaigns still to send; nothing moves and AWS is not asked", async () => {
    const { c, key, workspaceId } = await s.owner({ key: { regions: REGIONS } });
    await campaign(workspaceId, "Spring news", "scheduled");
    await campaign(workspaceId, "Old news", "done");
    await campaign(workspaceId, "Summer sale", "running");
    await campaign(workspaceId, "A draft", "draft");
    await campaign(workspaceId, "Autumn digest", "paused");
    await campaign(workspaceId, "Dropped", "cancelled");
    await campaign(workspaceId, "Winter letter", "scheduled");

    const reply = await c.put("/aws/region", { region: "eu-west-2" });
    expect(reply.status).toBe(409);
    expect(reply.json.code).toBe("campaigns_still_sending");
    expect(reply.json.error).toStartWith('The campaigns "Spring news", "Summer sale", "Autumn digest" and 1 more still send with these keys');
    expect(reply.json.error).toContain("Moved to eu-west-2, their next messages go out from there, where their From identity and the configuration set usually do not exist yet, so they fail or pause.");
    for (const gone of ["Old news", "A draft", "Dropped"]) expect(reply.json.error).not.toContain(gone);
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");
    expect(getAccountCalls(key.accessKeyId, "eu-west-2")).toBe(0);

    // The caller who means it says so.
    const forced = await c.put("/aws/region", { region: "eu-west-2", force: true });
    expect(forced.status).toBe(200);
    expect(forced.json).toMatchObject({ region: "eu-west-2", saved: true });
    expect(await savedRegion(workspaceId)).toBe("eu-west-2");
  });

  test("one campaign is named in the singular; campaigns that no longer send hold nothing back", async () => {
    const { c, workspaceId } = await s.owner({ key: { regions: REGIONS } });
    await campaign(workspaceId, "Done already", "done");
    await campaign(workspaceId, "Only one", "paused");
    const reply = await c.put("/aws/region", { region: "us-east-1" });
    expect(reply.status).toBe(409);
    expect(reply.json.error).toStartWith('The campaign "Only one" still sends with these keys');
    expect(reply.json.error).toContain("its next messages go out from there");

    const { db } = s.t.database;
    await db.orm.update(db.t.campaigns).set({ status: "cancelled" }).where(eq(db.t.campaigns.workspaceId, workspaceId));
    expect((await c.put("/aws/region", { region: "us-east-1" })).status).toBe(200);
    expect(await savedRegion(workspaceId)).toBe("us-east-1");
  });

  test("from the page, the refusal names the campaigns and what happens to them, and a second confirmed click switches anyway", async () => {
    const { c, workspaceId } = await s.owner({ key: { regions: REGIONS } });
    await campaign(workspaceId, "Spring news", "scheduled");
    const form = (body: string) => c.request("PUT", "/aws/region", { body, headers: { ...htmx, "content-type": "application/x-www-form-urlencoded" } });

    const refused = await form("region=eu-west-2");
    expect(refused.status).toBe(409);
    expect(refused.headers.get("hx-redirect")).toBeNull();
    const html = text(refused.text);
    expect(html).toContain('data-testid="aws-region-switch-conflict"');
    expect(html).toContain('The campaign "Spring news" still sends with these keys');
    const button = /<button[^>]*data-testid="aws-region-switch-anyway"[^>]*>/.exec(html)?.[0] ?? "";
    expect(button).toContain('hx-put="/aws/region"');
    expect(button).toContain('"force":true');
    expect(button).toMatch(/hx-confirm="Switch Sesame to Europe \(London\) \(eu-west-2\) anyway\? The campaign "Spring news" still sends[^"]*so they fail or pause\."/);
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");

    // What htmx posts for that button: its hx-vals as form fields.
    const switched = await form("region=eu-west-2&force=true");
    expect(switched.status).toBe(200);
    expect(switched.headers.get("hx-redirect")).toBe("/settings/aws/account");
    expect(await savedRegion(workspaceId)).toBe("eu-west-2");
  });

  test("a member's session-only keys are not held back by the campaigns the workspace's saved keys send", async () => {
    const { workspaceId } = await s.owner();
    await campaign(workspaceId, "Spring news", "running");
    const { c } = await s.member(workspaceId);
    expect((await c.post("/aws/connect", { ...s.newKey({ regions: REGIONS }), region: "eu-west-1", save: false })).status).toBe(200);
    const reply = await c.put("/aws/region", { region: "us-east-1" });
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ region: "us-east-1", saved: false });
    expect(await savedRegion(workspaceId)).toBe("eu-west-1");
  });

  test("without saved keys, session-only keys are held back by the campaigns launched from that session only", async () => {
    const { c, workspaceId, userId } = await s.owner({ key: { regions: REGIONS }, save: false });
    await campaign(workspaceId, "Someone else's", "running", "another-session");
    expect((await c.put("/aws/region", { region: "us-east-1" })).status).toBe(200);

    await campaign(workspaceId, "Launched here", "scheduled", await sessionOf(userId));
    const reply = await c.put("/aws/region", { region: "eu-west-2" });
    expect(reply.status).toBe(409);
    expect(reply.json.error).toStartWith('The campaign "Launched here" still sends with these keys');
    expect((await c.get("/aws/status")).json).toMatchObject({ region: "us-east-1", saved: false });
    expect((await c.put("/aws/region", { region: "eu-west-2", force: "true" })).status).toBe(200);
    expect((await c.get("/aws/status")).json).toMatchObject({ region: "eu-west-2", saved: false });
  });
});
