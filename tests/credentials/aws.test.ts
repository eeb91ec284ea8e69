import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { ACCOUNT, startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, TEST_SECRET, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { dialect } from "../support/db";

const KEY = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const OTHER = { accessKeyId: "AKIAOTHERKEY0000TEST", secretAccessKey: "otherSecretKeyValue/abcdefghijklmnopqrstu" };
const DENIED = { accessKeyId: "AKIADENIEDKEY000TEST", secretAccessKey: "deniedSecretKeyValue/abcdefghijklmnopqrst" };
const SECRETS = [KEY.secretAccessKey, OTHER.secretAccessKey, DENIED.secretAccessKey];

let emulator: Emulator;
let fake: AwsFake;
let t: TestApp;
const env = () => ({ SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://sesame.example.com" });

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({
    emulatorUrl: emulator.url,
    keys: {
      [KEY.accessKeyId]: { secret: KEY.secretAccessKey },
      [OTHER.accessKeyId]: { secret: OTHER.secretAccessKey, account: { ...ACCOUNT, ProductionAccessEnabled: false, SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } } },
      [DENIED.accessKeyId]: { secret: DENIED.secretAccessKey, deny: ["ses:GetAccount"] },
    },
  });
  // Each owner signs up from an address of its own (through one trusted proxy): this file makes more
  // accounts than the per-address sign-up limit allows from one.
  t = await createTestApp({ env: { ...env(), TRUST_PROXY: "1" } });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
});

let addresses = 0;
/** Signs up through the app as a client at an address no other sign-up of this file used. */
async function signup(c: Client, email: string, password: string) {
  addresses++;
  const reply = await c.post("/auth/signup", { email, password }, { "x-forwarded-for": `10.9.${addresses >> 8}.${addresses & 255}` });
  if (reply.status !== 201) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
  return reply.json as { user: { id: string }; workspace: { id: string } };
}

async function owner(email = `owner-${Math.random().toString(36).slice(2, 8)}@example.com`) {
  const c = new Client(t.app);
  const created = await signup(c, email, "owner password 1");
  return { c, email, workspaceId: created.workspace.id, userId: created.user.id };
}

function connect(c: Client, body: Partial<typeof KEY> & { region?: string; save?: boolean } = {}) {
  return c.post("/aws/connect", { ...KEY, region: "us-east-1", save: false, ...body });
}

describe("connecting keys", () => {
  test("AWS accepts the keys: the answer has the masked key and the live account", async () => {
    const { c } = await owner();
    const reply = await connect(c);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      connected: true,
      region: "us-east-1",
      accessKeyId: "AKIA…MPLE",
      saved: false,
      account: {
        sendingEnabled: true,
        productionAccess: true,
        enforcementStatus: "HEALTHY",
        maxSendRate: 14,
        max24HourSend: 50000,
        sentLast24Hours: 12500,
        suppressedReasons: ["BOUNCE", "COMPLAINT"],
        vdmEnabled: false,
        details: {
          mailType: "MARKETING",
          websiteUrl: "https://example.com",
          contactLanguage: "EN",
          useCaseDescription: "Newsletters",
          additionalContactEmails: [],
          reviewStatus: "GRANTED",
          reviewCaseId: "case-1",
        },
      },
    });
    expect(fake.calls.at(-1)).toMatchObject({ service: "ses", action: "GetAccount", region: "us-east-1", accessKeyId: KEY.accessKeyId });
    expect((await c.get("/aws/status")).json).toEqual(reply.json);
  });

  test("keys AWS rejects come back as 422 with AWS's reason, and nothing is kept", async () => {
    const { c, workspaceId } = await owner();
    const unknown = await connect(c, { accessKeyId: "AKIANOSUCHKEY0000000", save: true });
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe("aws_unrecognized_key");
    expect(unknown.json.error).toContain("does not recognise this access key ID");
    // AWS's own words are for the log; the person gets what to do about them.
    expect(unknown.json.error).not.toContain("security token included in the request is invalid");
    expect(unknown.json.error).toContain("create a new access key");
    expect(t.logs.some((line) => line.includes("security token included in the request is invalid"))).toBe(true);

    const mismatch = await connect(c, { secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGKEY", save: true });
    expect(mismatch.status).toBe(422);
    expect(mismatch.json.code).toBe("aws_signature_mismatch");
    expect(mismatch.json.error).toContain("secret access key does not match");
    expect(mismatch.json.error).not.toContain("WRONGKEY");

    const denied = await connect(c, { ...DENIED, save: true });
    expect(denied.status).toBe(422);
    expect(denied.json.code).toBe("aws_access_denied");
    expect(denied.json.error).toContain("ses:GetAccount");

    const region = await connect(c, { region: "mars-north-1", save: true });
    expect(region.status).toBe(422);
    expect(region.json).toMatchObject({ code: "invalid_region", field: "region" });

    const malformed = await connect(c, { accessKeyId: "not a key", save: true });
    expect(malformed.json).toMatchObject({ code: "invalid_access_key_id", field: "accessKeyId" });

    const { db } = t.database;
    expect(await db.orm.select().from(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, workspaceId))).toEqual([]);
    expect((await c.get("/aws/status")).json).toEqual({ connected: false });
  });

  test("changing region validates against the new region and the status follows", async () => {
    const { c } = await owner();
    await connect(c, { region: "us-east-1" });
    const moved = await connect(c, { region: "eu-west-1" });
    expect(moved.json.region).toBe("eu-west-1");
    expect(fake.calls.at(-1)).toMatchObject({ action: "GetAccount", region: "eu-west-1" });
    const status = await c.get("/aws/status");
    expect(status.json.region).toBe("eu-west-1");
    expect(fake.calls.at(-1)).toMatchObject({ action: "GetAccount", region: "eu-west-1" });
  });

  test("session-only keys are gone after logout; the next login starts unconnected", async () => {
    const { c, email } = await owner();
    expect((await connect(c, { save: false })).json.saved).toBe(false);
    const { db } = t.database;
    const sessionsBefore = await db.orm.select().from(db.t.sessions);
    expect(sessionsBefore.some((s) => s.awsCredentials !== null)).toBe(true);
    await c.post("/auth/logout");
    await c.post("/auth/login", { email, password: "owner password 1" });
    expect((await c.get("/aws/status")).json).toEqual({ connected: false });
    const revoked = await db.orm.select().from(db.t.sessions).where(sql`${db.t.sessions.revokedAt} is not null`);
    expect(revoked.every((s) => s.awsCredentials === null)).toBe(true);
  });

  test("session-only keys belong to that session: another login of the same user does not see them", async () => {
    const { c, email } = await owner();
    await connect(c, { save: false });
    const other = new Client(t.app);
    await other.post("/auth/login", { email, password: "owner password 1" });
    expect((await other.get("/aws/status")).json).toEqual({ connected: false });
    expect((await c.get("/aws/status")).json.connected).toBe(true);
  });

  test("saved keys survive a restart of the server and a new login", async () => {
    const { c, email } = await owner();
    expect((await connect(c, { save: true })).json.saved).toBe(true);
    const restarted = createApp({ ...t.deps, config: loadConfig({ ...process.env, DATABASE_URL: t.database.url, APP_SECRET: TEST_SECRET, ...env() }) });
    const again = new Client(restarted);
    await again.post("/auth/login", { email, password: "owner password 1" });
    const status = await again.get("/aws/status");
    expect(status.json).toMatchObject({ connected: true, saved: true, accessKeyId: "AKIA…MPLE", account: { maxSendRate: 14 } });
  });

  test("DELETE /aws/connect erases the keys", async () => {
    const { c, workspaceId } = await owner();
    await connect(c, { save: true });
    const reply = await c.delete("/aws/connect");
    expect(reply.status).toBe(204);
    expect((await c.get("/aws/status")).json).toEqual({ connected: false });
    const { db } = t.database;
    expect(await db.orm.select().from(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, workspaceId))).toEqual([]);
  });

  test("a workspace member may connect session-only keys but not save them or set up events", async () => {
    const { c, workspaceId, userId } = await owner();
    const { db } = t.database;
    await db.orm.update(db.t.memberships).set({ role: "member" }).where(eq(db.t.memberships.userId, userId));
    const save = await connect(c, { save: true });
    expect(save.status).toBe(403);
    expect((await connect(c, { save: false })).status).toBe(200);
    expect((await c.post("/aws/events/setup")).status).toBe(403);
    expect((await c.post("/aws/identities", { identity: "example.org" })).status).toBe(403);
    expect(await db.orm.select().from(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, workspaceId))).toEqual([]);
  });
});

describe("where keys live", () => {
  test("the secret key is nowhere in the database, not even in the raw file", async () => {
    const { c } = await owner();
    await connect(c, { save: true });
    const { c: c2 } = await owner();
    await connect(c2, { ...OTHER, save: false });
    const { db } = t.database;
    let dump = "";
    for (const table of Object.values(db.t)) dump += JSON.stringify(await db.orm.select().from(table as never));
    expect(dump).toContain("AKIA…MPLE");
    for (const secret of SECRETS) expect(dump).not.toContain(secret);
    if (dialect === "sqlite") {
      const file = t.database.url.slice("file:".length);
      // Through the app's own connection: a second SQLite library in this process closing its handle
      // would take itself for the last connection and remove the WAL under the app's feet.
      await db.rows(sql`PRAGMA wal_checkpoint(FULL)`);
      const raw = Buffer.concat([Buffer.from(await Bun.file(file).arrayBuffer()), Buffer.from(await Bun.file(`${file}-wal`).arrayBuffer().catch(() => new ArrayBuffer(0)))]);
      for (const secret of SECRETS) expect(raw.includes(secret)).toBe(false);
      expect(raw.includes("AKIAIOSFODNN7EXAMPLE")).toBe(false);
    }
  });

  test("no page, API response or log line shows the secret after connecting", async () => {
    const { c } = await owner();
    const replies = [await connect(c, { save: true })];
    await c.post("/aws/identities", { identity: "news.example.com" });
    await c.post("/aws/events/setup");
    for (const path of ["/settings/aws", "/settings", "/aws/status", "/aws/identities", "/aws/events", "/dashboard", "/auth/me", "/campaigns", "/lists", "/templates", "/events"]) {
      replies.push(await c.get(path));
      replies.push(await c.get(path, { "hx-request": "true" }));
    }
    replies.push(await connect(c, { secretAccessKey: `${KEY.secretAccessKey}X`, save: true }));
    const everything = replies.map((r) => r.text + JSON.stringify([...r.headers])).join("\n") + t.logs.join("\n");
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    expect(everything).not.toContain(KEY.accessKeyId);
    expect(replies[1]!.text).toContain("AKIA…MPLE");
  });

  test("a sealed key copied into another workspace's row does not decrypt there", async () => {
    const a = await owner();
    await connect(a.c, { save: true });
    const b = await owner();
    const { db } = t.database;
    const [row] = await db.orm.select().from(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, a.workspaceId));
    await db.orm.insert(db.t.awsCredentials).values({ ...row!, workspaceId: b.workspaceId });
    const status = await b.c.get("/aws/status");
    expect(status.status).toBe(422);
    expect(status.json.code).toBe("aws_keys_undecryptable");
    expect(fake.calls.filter((call) => call.accessKeyId === KEY.accessKeyId).length).toBeGreaterThan(0);
    await db.orm.delete(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, b.workspaceId));
  });

  test("a second workspace never sees or uses the first one's keys", async () => {
    const a = await owner();
    await connect(a.c, { save: true });
    const b = await owner();
    expect((await b.c.get("/aws/status")).json).toEqual({ connected: false });
    expect((await b.c.get("/aws/identities")).status).toBe(422);
    expect((await b.c.post("/aws/events/setup")).json.code).toBe("aws_not_connected");
    expect((await b.c.get("/settings/aws")).text).not.toContain("AKIA…MPLE");
  });

  test("APP_SECRET can be rotated with APP_SECRET_PREVIOUS; saved keys are re-sealed under the new secret", async () => {
    const { c, email, workspaceId } = await owner();
    await connect(c, { save: true });
    const { db } = t.database;
    const read = async () => (await db.orm.select().from(db.t.awsCredentials).where(eq(db.t.awsCredentials.workspaceId, workspaceId)))[0]!;
    const before = await read();
    const NEW = "c".repeat(64);
    const appWith = (extra: Record<string, string>) =>
      createApp({ ...t.deps, config: loadConfig({ DATABASE_URL: t.database.url, DATA_DIR: t.deps.config.dataDir, ...env(), ...extra }) });

    const rotating = new Client(appWith({ APP_SECRET: NEW, APP_SECRET_PREVIOUS: TEST_SECRET }));
    await rotating.post("/auth/login", { email, password: "owner password 1" });
    expect((await rotating.get("/aws/status")).json).toMatchObject({ connected: true, saved: true });
    const after = await read();
    expect(after.keyId).not.toBe(before.keyId);
    expect(after.sealed).not.toBe(before.sealed);

    const rotated = new Client(appWith({ APP_SECRET: NEW }));
    await rotated.post("/auth/login", { email, password: "owner password 1" });
    expect((await rotated.get("/aws/status")).json).toMatchObject({ connected: true, saved: true });

    const lost = new Client(appWith({ APP_SECRET: "d".repeat(64) }));
    await lost.post("/auth/login", { email, password: "owner password 1" });
    const reply = await lost.get("/aws/status");
    expect(reply.status).toBe(422);
    expect(reply.json.error).toContain("APP_SECRET_PREVIOUS");
  });
});

describe("account panel and identities", () => {
  test("the AWS page shows access, sending, account status, sending limit and the quota bar in words, with AWS's names as hints", async () => {
    const { c } = await owner();
    await connect(c, { ...OTHER, save: true });
    const page = (await c.get("/settings/aws")).text;
    expect(page).toContain("Sandbox");
    expect(page).toContain("Sending limit");
    expect(page).toContain("1 email per second");
    expect(page).toMatch(/<dd[^>]*data-hint[^>]*>MaxSendRate<\/dd>/);
    expect(page).toContain("Sending quota (24 h)");
    expect(page).toMatch(/data-hint[^>]*>\s*Max24HourSend/);
    expect(page).toContain("0 of 200 used");
    expect(page).toContain(">Healthy</dd>");
    expect(page).toContain("EnforcementStatus: HEALTHY");
    expect(page).not.toContain(">HEALTHY<");
    expect(page).not.toContain(">MaxSendRate</dt>");
    // Nothing of the quota is used: the bar has no fill at all, not a sliver.
    expect(page).toContain('aria-valuenow="0.0"');
    expect(page).not.toContain("data-fill");
    const refreshed = await c.get("/aws/status", { "hx-request": "true" });
    expect(refreshed.text).toContain('data-testid="aws-account"');
    expect(refreshed.text).not.toContain("<html");
  });

  test("adding a domain returns its DKIM records; the list shows them while it is pending", async () => {
    const { c } = await owner();
    await connect(c, { save: true });
    const created = await c.post("/aws/identities", { identity: "Mail.Example.net" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ identity: "mail.example.net", type: "domain", verified: false, verificationStatus: "PENDING", mailFrom: null });
    expect(created.json.dkimRecords).toHaveLength(3);
    expect(created.json.dkimRecords[0].name).toEndWith("._domainkey.mail.example.net");
    const list = await c.get("/aws/identities");
    const domain = list.json.items.find((i: { identity: string }) => i.identity === "mail.example.net");
    expect(domain.dkimRecords[0]).toMatchObject({ type: "CNAME", value: expect.stringMatching(/\.dkim\.amazonses\.com$/) });
    const address = await c.post("/aws/identities", { identity: "sender@example.net" });
    expect(address.json).toMatchObject({ identity: "sender@example.net", type: "email", dkimRecords: [], dmarcRecord: null });
    const bad = await c.post("/aws/identities", { identity: "not an identity" });
    expect(bad.status).toBe(422);
    expect(bad.json.field).toBe("identity");
    const twice = await c.post("/aws/identities", { identity: "sender@example.net" });
    expect(twice.status).toBe(422);
  });
});

describe("event pipeline", () => {
  test("set-up creates the configuration set, topic, destination and HTTPS subscription, and a second run changes nothing", async () => {
    const { c, workspaceId } = await owner();
    await connect(c, { save: true });
    const first = await c.post("/aws/events/setup");
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      configurationSet: `sesame-${workspaceId}`,
      topicArn: `arn:aws:sns:us-east-1:123456789012:sesame-events-${workspaceId}`,
      subscription: { state: "pending", endpoint: "https://sesame.example.com/sns/notifications", problem: null },
    });
    const destination = fake.configurationSets.get(`sesame-${workspaceId}`)!.get("sesame-sns")!;
    expect([...destination.types].sort()).toEqual(["BOUNCE", "COMPLAINT", "DELIVERY", "DELIVERY_DELAY", "REJECT", "RENDERING_FAILURE", "SEND"]);
    expect(destination.topicArn).toBe(first.json.topicArn);

    const snapshot = () => ({
      sets: [...fake.configurationSets.keys()].filter((k) => k.includes(workspaceId)),
      destinations: [...fake.configurationSets.get(`sesame-${workspaceId}`)!],
      topics: [...fake.topics].filter((k) => k.includes(workspaceId)),
      subscriptions: fake.subscriptions.filter((s) => s.topicArn.includes(workspaceId)),
    });
    const before = JSON.stringify(snapshot());
    const second = await c.post("/aws/events/setup");
    expect(second.json).toEqual(first.json);
    expect(JSON.stringify(snapshot())).toBe(before);

    fake.confirm(first.json.topicArn, "https://sesame.example.com/sns/notifications");
    expect((await c.get("/aws/events")).json.subscription.state).toBe("confirmed");
    const { db } = t.database;
    const [ws] = await db.orm.select().from(db.t.workspaces).where(eq(db.t.workspaces.id, workspaceId));
    expect(ws).toMatchObject({ configurationSet: `sesame-${workspaceId}`, eventTopicArn: first.json.topicArn, eventSubscriptionStatus: "confirmed" });
  });

  test("PUT /aws/events registers an existing topic instead", async () => {
    const { c, workspaceId } = await owner();
    await connect(c, { save: true });
    const topicArn = "arn:aws:sns:us-east-1:123456789012:my-existing-topic";
    fake.topics.add(topicArn);
    const reply = await c.put("/aws/events", { topicArn });
    expect(reply.status).toBe(200);
    expect(reply.json.topicArn).toBe(topicArn);
    expect(fake.configurationSets.get(`sesame-${workspaceId}`)!.get("sesame-sns")!.topicArn).toBe(topicArn);
    const bad = await c.put("/aws/events", { topicArn: "arn:aws:s3:::bucket" });
    expect(bad.status).toBe(422);
    expect(bad.json.field).toBe("topicArn");
  });
});

describe("event pipeline on an unreachable PUBLIC_URL", () => {
  test("set-up says why SNS cannot deliver to localhost over http, and does not subscribe", async () => {
    const local = await createTestApp({ env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "http://localhost:3000" } });
    try {
      const c = new Client(local.app);
      await c.signup("local-owner@example.com");
      await connect(c, { save: true });
      const subscribesBefore = fake.calls.filter((call) => call.action === "Subscribe").length;
      const reply = await c.post("/aws/events/setup");
      expect(reply.status).toBe(200);
      expect(reply.json.subscription.state).toBe("none");
      expect(reply.json.subscription.problem).toContain("http://localhost:3000");
      expect(reply.json.subscription.problem).toContain("cannot reach");
      expect(fake.calls.filter((call) => call.action === "Subscribe").length).toBe(subscribesBefore);
      const page = (await c.get("/settings/aws")).text;
      expect(page).toContain("AWS cannot reach from the internet");
    } finally {
      await local.close();
    }
  });
});

describe("edges found in review", () => {
  test("a member forgets their own session keys without touching the workspace's saved keys", async () => {
    const { c, workspaceId, email } = await owner();
    await connect(c, { save: true });
    const { db } = t.database;
    const member = new Client(t.app);
    const joined = await signup(member, `member-${Math.random().toString(36).slice(2, 8)}@example.com`, "member password 1");
    await db.orm.insert(db.t.memberships).values({ workspaceId, userId: joined.user.id, role: "member", createdAt: new Date() });
    await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.userId, joined.user.id));
    expect((await member.delete("/aws/connect")).status).toBe(403);
    await connect(member, { ...OTHER, save: false });
    expect((await member.delete("/aws/connect")).status).toBe(204);
    expect((await member.get("/aws/status")).json).toMatchObject({ connected: true, saved: true });
    expect(email).toBeString();
  });

  test("temporary (ASIA) keys are refused with a reason", async () => {
    const { c } = await owner();
    expect((await connect(c, { accessKeyId: "ASIAIOSFODNN7EXAMPLE" })).json).toMatchObject({ code: "temporary_key", field: "accessKeyId" });
  });

  test("registering a topic these keys cannot see is refused", async () => {
    const { c } = await owner();
    await connect(c, { save: true });
    const reply = await c.put("/aws/events", { topicArn: "arn:aws:sns:us-east-1:999999999999:someone-elses" });
    expect(reply.status).toBe(422);
    expect(reply.json.code).toBe("aws_not_found");
  });

  test("saved keys that no longer decrypt do not lock the user out of the AWS page", async () => {
    const { c, email } = await owner();
    await connect(c, { save: true });
    const lost = new Client(createApp({ ...t.deps, config: loadConfig({ DATABASE_URL: t.database.url, DATA_DIR: t.deps.config.dataDir, ...env(), APP_SECRET: "e".repeat(64) }) }));
    await lost.post("/auth/login", { email, password: "owner password 1" });
    const page = await lost.get("/settings/aws", { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(page.text).toContain("APP_SECRET_PREVIOUS");
    expect(page.text).toContain('data-testid="aws-connect-form"');
  });
});
