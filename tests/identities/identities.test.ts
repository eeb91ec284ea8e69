import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, notInArray } from "drizzle-orm";
import { refreshIdentities } from "../../src/features/identities/identities.job";
import { startAws, type Fault } from "../support/aws";
import { dkimOff, endlessListings, otherAccounts } from "../support/fake/identities";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";

const clock = fakeClock();
let aws: Awaited<ReturnType<typeof startAws>>;
let t: TestApp;

beforeAll(async () => {
  aws = await startAws({});
  // Each workspace signs up from an address of its own (through one trusted proxy): the file makes
  // more of them than the per-address sign-up limit allows from one.
  t = await createTestApp({ env: { ...aws.env, TRUST_PROXY: "1" }, clock });
});
afterAll(async () => {
  await t?.close();
  await aws?.stop();
});

const htmx = { "hx-request": "true" };
const page = { accept: "text/html" };
let signups = 0;
const unique = () => crypto.randomUUID().replace(/-/g, "").slice(0, 10);

async function signup(c: Client) {
  signups++;
  const reply = await c.post("/auth/signup", { email: `owner-${unique()}@example.com`, password: "identities password 1" }, { "x-forwarded-for": `10.7.${signups >> 8}.${signups & 255}` });
  if (reply.status !== 201) throw new Error(`signup failed: ${reply.status} ${reply.text}`);
  return reply.json as { user: { id: string }; workspace: { id: string } };
}

/** A workspace owner with a key of its own, connected in us-east-1 (saved unless told otherwise). */
async function owner(options: { save?: boolean; deny?: string[] } = {}) {
  const c = new Client(t.app);
  const created = await signup(c);
  const key = { accessKeyId: `AKIA${unique().toUpperCase()}ABCDEF`, secretAccessKey: `secret/${crypto.randomUUID()}/abcdefgh` };
  aws.fake.keys.set(key.accessKeyId, { secret: key.secretAccessKey, deny: options.deny });
  const reply = await c.post("/aws/connect", { ...key, region: "us-east-1", save: options.save ?? true });
  if (reply.status !== 200) throw new Error(`connect failed: ${reply.status} ${reply.text}`);
  return { c, key, workspaceId: created.workspace.id };
}

async function member(workspaceId: string) {
  const c = new Client(t.app);
  const joined = await signup(c);
  const { db } = t.database;
  await db.orm.insert(db.t.memberships).values({ workspaceId, userId: joined.user.id, role: "member", createdAt: clock.now() });
  await db.orm.update(db.t.sessions).set({ workspaceId }).where(eq(db.t.sessions.userId, joined.user.id));
  return c;
}

/** A domain no other test uses (the fake's identities are one account's, shared by every key). */
const domain = () => `d${unique()}.example.com`;
const calls = (action: string) => aws.fake.calls.filter((c) => c.action === action).length;
const path = (name: string) => `/aws/identities/${encodeURIComponent(name)}`;
/** Other tests' pending identities wait: the background refresh reads a few a run, the longest-waiting first. */
async function onlyDue(...names: string[]) {
  const { db } = t.database;
  await db.orm.update(db.t.sesIdentities).set({ nextCheckAt: null }).where(notInArray(db.t.sesIdentities.name, names));
}
const flashText = (reply: Reply) => /role="alert"[^>]*>([^<]*)</.exec(reply.text)?.[1] ?? "";

describe("listing and adding", () => {
  test("adding a domain answers 201 with its three DKIM CNAMEs and a suggested DMARC record; the list shows the same", async () => {
    const { c } = await owner();
    const name = domain();
    const created = await c.post("/aws/identities", { identity: name.toUpperCase() });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ identity: name, type: "domain", verified: false, verificationStatus: "PENDING", dkimStatus: "PENDING", mailFrom: null, pending: true });
    const tokens = aws.fake.identities.get(name)!.tokens;
    expect(created.json.dkimRecords).toEqual(tokens.map((token) => ({ type: "CNAME", name: `${token}._domainkey.${name}`, value: `${token}.dkim.amazonses.com` })));
    expect(created.json.dmarcRecord).toEqual({ type: "TXT", name: `_dmarc.${name}`, value: '"v=DMARC1; p=none;"' });

    const list = await c.get("/aws/identities");
    expect(list.status).toBe(200);
    const listed = list.json.items.find((i: { identity: string }) => i.identity === name);
    expect(listed).toEqual({ ...created.json, checkedAt: expect.any(String) });
  });

  test("an address is an email identity: no DKIM or DMARC records of its own", async () => {
    const { c } = await owner();
    const address = `news@${domain()}`;
    const created = await c.post("/aws/identities", { identity: address });
    expect(created.json).toMatchObject({ identity: address, type: "email", dkimStatus: null, dkimRecords: [], dmarcRecord: null, mailFrom: null });
  });

  test("the list pages through every identity SES has, not only the first page", async () => {
    const { c } = await owner();
    const base = domain();
    const names = Array.from({ length: 130 }, (_, i) => `p${i}.${base}`);
    for (const name of names) aws.fake.identities.set(name, { name, type: "DOMAIN", verified: true, tokens: ["t1", "t2", "t3"] });
    try {
      const before = calls("ListEmailIdentities");
      const list = await c.get("/aws/identities");
      expect(list.status).toBe(200);
      expect(calls("ListEmailIdentities") - before).toBeGreaterThanOrEqual(2);
      const listed = new Set(list.json.items.map((i: { identity: string }) => i.identity));
      for (const name of names) expect(listed.has(name)).toBe(true);
    } finally {
      for (const name of names) aws.fake.identities.delete(name);
    }
  });

  test("a second listing re-reads only what may have changed: settled identities cost no GetEmailIdentity", async () => {
    const { c } = await owner();
    const settled = domain();
    const waiting = domain();
    aws.fake.identities.set(settled, { name: settled, type: "DOMAIN", verified: true, tokens: ["a1", "a2", "a3"] });
    aws.fake.identities.set(waiting, { name: waiting, type: "DOMAIN", verified: false, tokens: ["b1", "b2", "b3"] });
    try {
      await c.get("/aws/identities");
      const before = aws.fake.calls.length;
      const second = await c.get("/aws/identities");
      const read = aws.fake.calls.slice(before).filter((call) => call.action === "GetEmailIdentity").length;
      // Only pending identities are read again (other tests' identities may be pending too).
      expect(read).toBe(second.json.items.filter((i: { pending: boolean }) => i.pending).length);
      expect(second.json.items.find((i: { identity: string }) => i.identity === settled)).toMatchObject({ verified: true, dkimStatus: "SUCCESS", pending: false });
      expect(second.json.items.find((i: { identity: string }) => i.identity === waiting)).toMatchObject({ verified: false, pending: true });
    } finally {
      aws.fake.identities.delete(settled);
      aws.fake.identities.delete(waiting);
    }
  });

  test("what is not an address or a domain is refused under its field, before SES is asked", async () => {
    const { c } = await owner();
    const before = calls("CreateEmailIdentity");
    const bad = await c.post("/aws/identities", { identity: "not an identity" });
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ field: "identity", code: "invalid_identity" });
    expect(calls("CreateEmailIdentity")).toBe(before);
    expect((await c.get("/aws/identities/not%20an%20identity")).status).toBe(422);
  });
});

describe("checking verification", () => {
  test("a domain verified in SES shows verified after Check now, with DKIM signing, and stops being pending", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    const before = await c.get(path(name));
    expect(before.json).toMatchObject({ verified: false, pending: true });

    aws.fake.identities.get(name)!.verified = true;
    const after = await c.get(path(name));
    expect(after.status).toBe(200);
    expect(after.json).toMatchObject({ identity: name, verified: true, verificationStatus: "SUCCESS", dkimStatus: "SUCCESS", pending: false, sendingEnabled: true });
    // The records stay on show: a domain's DNS can be moved and they are needed again.
    expect(after.json.dkimRecords).toHaveLength(3);
  });

  test("an identity deleted in the AWS console: Check now says SES has none by that name, and the list forgets it", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    aws.fake.identities.delete(name);
    const reply = await c.get(path(name));
    expect(reply.status).toBe(404);
    expect(reply.json.error).toBe(`SES has no identity ${name} in us-east-1 for these keys: it may have been deleted in the AWS console. Reload the list of identities.`);
    const { db } = t.database;
    expect(await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.name, name))).toEqual([]);
  });

  test("the background refresh turns a pending domain verified without a page visit, waiting longer between checks, and stops once settled", async () => {
    const { c, workspaceId } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    await onlyDue(name);
    const { db } = t.database;
    const row = async () => (await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.name, name)))[0]!;
    const checkedAt = async () => (await row()).checkedAt.getTime();

    let last = await checkedAt();
    await refreshIdentities(t.deps);
    expect(await checkedAt()).toBe(last);

    clock.advance(61_000);
    await refreshIdentities(t.deps);
    expect(await checkedAt()).toBe(clock.now().getTime());
    last = clock.now().getTime();
    // Still pending: the next check waits twice as long as the first.
    expect((await row()).nextCheckAt!.getTime() - last).toBe(120_000);

    clock.advance(61_000);
    await refreshIdentities(t.deps);
    expect(await checkedAt()).toBe(last);

    aws.fake.identities.get(name)!.verified = true;
    clock.advance(60_000);
    await refreshIdentities(t.deps);
    expect(await checkedAt()).toBe(clock.now().getTime());
    expect(await row()).toMatchObject({ workspaceId, verificationStatus: "SUCCESS", dkimStatus: "SUCCESS", nextCheckAt: null, verifiedAt: clock.now() });

    clock.advance(3 * 3_600_000);
    await refreshIdentities(t.deps);
    expect(await checkedAt()).toBeLessThan(clock.now().getTime());
    const form = await c.get("/campaigns/new", page);
    expect(form.text).toContain(`value="@${name}"`);
  });

  test("the waits double up to an hour and no further", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    await onlyDue(name);
    const { db } = t.database;
    const row = async () => (await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.name, name)))[0]!;
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      clock.set((await row()).nextCheckAt!);
      await refreshIdentities(t.deps);
      const r = await row();
      waits.push((r.nextCheckAt!.getTime() - r.checkedAt.getTime()) / 60_000);
    }
    expect(waits).toEqual([2, 4, 8, 16, 32, 60, 60, 60, 60]);
  });

  test("a workspace without saved keys is not refreshed in the background: SES is not called and the check waits an hour", async () => {
    const { c, key, workspaceId } = await owner({ save: false });
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    await onlyDue(name);
    clock.advance(61_000);
    const reads = () => aws.fake.calls.filter((call) => call.accessKeyId === key.accessKeyId && call.action === "GetEmailIdentity").length;
    const before = reads();
    await refreshIdentities(t.deps);
    expect(reads()).toBe(before);
    const { db } = t.database;
    const [row] = await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.workspaceId, workspaceId));
    expect(row!.nextCheckAt!.getTime()).toBe(clock.now().getTime() + 3_600_000);
  });

  test("one workspace's refused check does not stop another's", async () => {
    const refused = await owner({ deny: ["ses:GetEmailIdentity"] });
    const fine = await owner();
    const a = domain();
    const b = domain();
    // The refused key may not read identities: its domain is added through the fake, then listed.
    aws.fake.identities.set(a, { name: a, type: "DOMAIN", verified: false, tokens: ["x1", "x2", "x3"] });
    const { db } = t.database;
    await db.orm.insert(db.t.sesIdentities).values({
      workspaceId: refused.workspaceId,
      region: "us-east-1",
      name: a,
      type: "DOMAIN",
      verificationStatus: "PENDING",
      checkedAt: clock.now(),
      nextCheckAt: clock.now(),
      createdAt: clock.now(),
    });
    await fine.c.post("/aws/identities", { identity: b });
    await onlyDue(a, b);
    aws.fake.identities.get(b)!.verified = true;
    clock.advance(61_000);
    await refreshIdentities(t.deps);
    const rows = await db.orm.select().from(db.t.sesIdentities);
    expect(rows.find((r) => r.name === b)).toMatchObject({ verificationStatus: "SUCCESS", nextCheckAt: null });
    // The refused one waits five minutes, and the log has why.
    expect(rows.find((r) => r.name === a)!.nextCheckAt!.getTime()).toBe(clock.now().getTime() + 5 * 60_000);
    expect(t.logs.some((line) => line.includes("identity refresh failed") && line.includes(a))).toBe(true);
    aws.fake.identities.delete(a);
  });
});

describe("sender picks", () => {
  test("the campaign and send forms offer verified identities only, from the cache while it is fresh", async () => {
    const { c } = await owner();
    const verified = domain();
    const waiting = domain();
    const address = `me@${domain()}`;
    aws.fake.identities.set(verified, { name: verified, type: "DOMAIN", verified: true, tokens: [] });
    aws.fake.identities.set(waiting, { name: waiting, type: "DOMAIN", verified: false, tokens: [] });
    aws.fake.identities.set(address, { name: address, type: "EMAIL_ADDRESS", verified: true, tokens: [] });
    try {
      const first = await c.get("/campaigns/new", page);
      expect(first.text).toContain(`value="@${verified}"`);
      expect(first.text).toContain(`value="${address}"`);
      expect(first.text).not.toContain(waiting);

      const before = calls("ListEmailIdentities");
      const send = await c.get("/send", page);
      expect(send.text).toContain(`value="@${verified}"`);
      expect(send.text).not.toContain(waiting);
      expect(calls("ListEmailIdentities")).toBe(before);

      // Verified in SES meanwhile: Check now (or the background refresh) brings it to the pick at once.
      aws.fake.identities.get(waiting)!.verified = true;
      await c.get(path(waiting));
      expect((await c.get("/campaigns/new", page)).text).toContain(`value="@${waiting}"`);
      expect(calls("ListEmailIdentities")).toBe(before);

      // Past ten minutes the cache no longer stands in for SES.
      aws.fake.identities.delete(address);
      clock.advance(11 * 60_000);
      const later = await c.get("/campaigns/new", page);
      expect(calls("ListEmailIdentities")).toBe(before + 1);
      expect(later.text).not.toContain(`value="${address}"`);
    } finally {
      for (const name of [verified, waiting, address]) aws.fake.identities.delete(name);
    }
  });
});

describe("MAIL FROM domain", () => {
  test("setting one answers 200 with its MX and SPF records for the keys' region; an empty domain removes it", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    const set = await c.put(`${path(name)}/mail-from`, { domain: `Bounce.${name}` });
    expect(set.status).toBe(200);
    expect(set.json.mailFrom).toEqual({
      domain: `bounce.${name}`,
      status: "PENDING",
      records: [
        { type: "MX", name: `bounce.${name}`, value: "feedback-smtp.us-east-1.amazonses.com", priority: 10 },
        { type: "TXT", name: `bounce.${name}`, value: '"v=spf1 include:amazonses.com ~all"' },
      ],
    });
    expect(aws.fake.identities.get(name)!.mailFrom).toEqual({ domain: `bounce.${name}`, behaviorOnMxFailure: "USE_DEFAULT_VALUE", status: "PENDING" });

    aws.fake.identities.get(name)!.mailFrom!.status = "SUCCESS";
    aws.fake.identities.get(name)!.verified = true;
    expect((await c.get(path(name))).json).toMatchObject({ mailFrom: { status: "SUCCESS" }, pending: false });

    const cleared = await c.put(`${path(name)}/mail-from`, { domain: "" });
    expect(cleared.status).toBe(200);
    expect(cleared.json.mailFrom).toBeNull();
    expect(aws.fake.identities.get(name)!.mailFrom).toBeUndefined();
  });

  test("an address may use a subdomain of its own domain", async () => {
    const { c } = await owner();
    const base = domain();
    const address = `team@${base}`;
    await c.post("/aws/identities", { identity: address });
    const set = await c.put(`${path(address)}/mail-from`, { domain: `mail.${base}` });
    expect(set.status).toBe(200);
    expect(set.json.mailFrom.domain).toBe(`mail.${base}`);
  });

  test("a domain that is not a subdomain of the identity is refused under its field with an example, before SES is asked", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    const before = calls("PutEmailIdentityMailFromAttributes");
    for (const [input, sentence] of [
      ["mail.elsewhere.org", `The MAIL FROM domain must be a subdomain of ${name}, such as mail.${name}.`],
      [name, `The MAIL FROM domain must be a subdomain of ${name}, such as mail.${name}.`],
      [`x${name}`, `The MAIL FROM domain must be a subdomain of ${name}, such as mail.${name}.`],
      ["not a domain", `Enter a domain name, such as mail.${name}.`],
    ] as const) {
      const reply = await c.put(`${path(name)}/mail-from`, { domain: input });
      expect(reply.status).toBe(422);
      expect(reply.json).toEqual({ error: sentence, code: "invalid_mail_from", field: "domain" });
    }
    expect(calls("PutEmailIdentityMailFromAttributes")).toBe(before);
  });
});

describe("deleting", () => {
  test("deleting an identity answers 204; it leaves SES, the list and the sender picks", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    aws.fake.identities.get(name)!.verified = true;
    await c.get(path(name));
    expect((await c.get("/campaigns/new", page)).text).toContain(`value="@${name}"`);
    const reply = await c.delete(path(name));
    expect(reply.status).toBe(204);
    expect(aws.fake.identities.has(name)).toBe(false);
    expect((await c.get("/aws/identities")).json.items.some((i: { identity: string }) => i.identity === name)).toBe(false);
    expect((await c.get("/campaigns/new", page)).text).not.toContain(`@${name}`);
  });

  test("deleting is refused with 409 naming the campaign while a scheduled campaign sends from an address at the domain; cancelled, it goes", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    aws.fake.identities.get(name)!.verified = true;
    const scheduledAt = new Date(clock.now().getTime() + 86_400_000).toISOString();
    const sent = await c.post("/email/send", { from: `Spring <news@${name}>`, to: "reader@example.com", subject: "Spring", html: "<p>Spring</p>", scheduledAt });
    expect(sent.status).toBe(202);
    const campaign = (await c.get(`/campaigns/${sent.json.campaignId}`)).json;
    expect(campaign.status).toBe("scheduled");

    const before = calls("DeleteEmailIdentity");
    const refused = await c.delete(path(name));
    expect(refused.status).toBe(409);
    expect(refused.json.code).toBe("identity_in_use");
    expect(refused.json.error).toContain(`${name} cannot be deleted while the campaign "${campaign.name}" sends from it`);
    expect(calls("DeleteEmailIdentity")).toBe(before);
    expect(aws.fake.identities.has(name)).toBe(true);

    // An unrelated address identity is not held back by it.
    const other = `someone@${domain()}`;
    await c.post("/aws/identities", { identity: other });
    expect((await c.delete(path(other))).status).toBe(204);

    expect((await c.post(`/campaigns/${sent.json.campaignId}/cancel`)).status).toBe(200);
    expect((await c.delete(path(name))).status).toBe(204);
  });

  test("deleting is refused with 409 while a campaign sends from the domain right now, and while it is paused; cancelled, it goes", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    aws.fake.identities.get(name)!.verified = true;
    await c.get(path(name));
    const sent = await c.post("/email/send", { from: `news@${name}`, to: "reader@example.com", subject: "Now", html: "<p>Now</p>" });
    expect(sent.status).toBe(202);
    const id = sent.json.campaignId;
    const campaign = (await c.get(`/campaigns/${id}`)).json;
    expect(campaign.status).toBe("running");
    const before = calls("DeleteEmailIdentity");

    const whileRunning = await c.delete(path(name));
    expect(whileRunning.status).toBe(409);
    expect(whileRunning.json.code).toBe("identity_in_use");
    expect(whileRunning.json.error).toContain(`${name} cannot be deleted while the campaign "${campaign.name}" sends from it`);

    expect((await c.post(`/campaigns/${id}/pause`)).status).toBe(200);
    expect((await c.get(`/campaigns/${id}`)).json.status).toBe("paused");
    const whilePaused = await c.delete(path(name));
    expect(whilePaused.status).toBe(409);
    expect(whilePaused.json.code).toBe("identity_in_use");
    expect(calls("DeleteEmailIdentity")).toBe(before);
    expect(aws.fake.identities.has(name)).toBe(true);

    expect((await c.post(`/campaigns/${id}/cancel`)).status).toBe(200);
    expect((await c.delete(path(name))).status).toBe(204);
  });

  test("an htmx delete removes the identity's card; the 409 lands in the card's own error slot", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    const full = (await c.get("/aws/identities?view=full", htmx)).text;
    const cardId = `identity-${Buffer.from(name).toString("hex")}`;
    expect(full).toContain(`id="${cardId}"`);
    expect(full).toMatch(new RegExp(`hx-delete="/aws/identities/${name.replace(/\./g, "\\.")}"[^>]*hx-target="#${cardId}-errors"[^>]*hx-confirm="Delete ${name.replace(/\./g, "\\.")} from SES\\?`));
    const gone = await c.request("DELETE", path(name), { headers: htmx });
    expect(gone.status).toBe(200);
    expect(gone.headers.get("hx-retarget")).toBe(`#${cardId}`);
    expect(gone.headers.get("hx-reswap")).toBe("outerHTML");
    expect(gone.text).toBe("");
  });
});

describe("who may do what", () => {
  test("a member may list and check identities but not add, delete or set a MAIL FROM domain: 403, and SES is not asked", async () => {
    const { c, workspaceId } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    const m = await member(workspaceId);
    expect((await m.get("/aws/identities")).status).toBe(200);
    expect((await m.get(path(name))).status).toBe(200);
    const before = aws.fake.calls.length;
    const add = await m.post("/aws/identities", { identity: domain() });
    expect(add.status).toBe(403);
    expect(add.json.error).toBe("Only a workspace admin or owner can add a sending identity.");
    expect((await m.delete(path(name))).status).toBe(403);
    expect((await m.put(`${path(name)}/mail-from`, { domain: `mail.${name}` })).status).toBe(403);
    expect(aws.fake.calls.length).toBe(before);
    // Nor does the page offer them.
    const pageText = (await m.get("/settings/aws/identities", page)).text;
    expect(pageText).toContain("Check now");
    expect(pageText).not.toContain('data-testid="identity-delete"');
    expect(pageText).not.toContain('data-testid="mail-from-form"');
    expect(pageText).not.toContain('data-testid="aws-identity-form"');
  });

  test("without keys the page says to connect them first", async () => {
    const c = new Client(t.app);
    await signup(c);
    const reply = await c.get("/settings/aws/identities", page);
    expect(reply.status).toBe(200);
    expect(reply.text).toContain("Connect your AWS keys first");
    expect((await c.get("/aws/identities")).status).toBe(422);
  });
});

/**
 * Each AWS call of the identities, its typical AWS errors and the sentence a person gets: what the
 * keys may not do names the permission; NotFound names the identity; throttling says to wait.
 */
describe("AWS refusing each call", () => {
  type Run = (c: Client, name: string, headers?: Record<string, string>) => Promise<Reply>;
  const cases: { action: string; faults: Fault[]; run: Run; exists: boolean }[] = [
    { action: "ListEmailIdentities", faults: ["denied", "throttled", "internal"], run: (c, _, headers) => c.get("/aws/identities", headers), exists: true },
    { action: "GetEmailIdentity", faults: ["denied", "throttled", "notFound"], run: (c, name, headers) => c.get(path(name), headers), exists: true },
    {
      action: "CreateEmailIdentity",
      faults: ["denied", "throttled", "limit"],
      run: (c, name, headers) => c.post("/aws/identities", { identity: name }, headers),
      exists: false,
    },
    { action: "DeleteEmailIdentity", faults: ["denied", "throttled", "notFound"], run: (c, name, headers) => c.request("DELETE", path(name), { headers }), exists: true },
    {
      action: "PutEmailIdentityMailFromAttributes",
      faults: ["denied", "throttled", "notFound"],
      run: (c, name, headers) => c.request("PUT", `${path(name)}/mail-from`, { json: { domain: `mail.${name}` }, headers }),
      exists: true,
    },
  ];
  const expected: Record<string, { status: number; code: string; says: (action: string, name: string) => string }> = {
    denied: { status: 422, code: "aws_access_denied", says: (action) => `Add ses:${action} to the IAM user's policy` },
    throttled: { status: 422, code: "aws_throttled", says: () => "AWS is limiting how often these keys may call it. Wait a minute and try again." },
    internal: { status: 422, code: "aws_unavailable", says: () => "AWS had a problem on its side" },
    limit: { status: 422, code: "aws_limit", says: () => "The AWS account has reached one of its limits, so AWS would not add the identity." },
    notFound: { status: 404, code: "identity_not_found", says: (_, name) => `SES has no identity ${name} in us-east-1` },
  };

  for (const { action, faults, run, exists } of cases) {
    for (const fault of faults) {
      test(`ses:${action} failing with ${fault}: ${expected[fault]!.status} and a sentence, as JSON and in the htmx flash`, async () => {
        const { c } = await owner();
        const name = domain();
        if (exists) aws.fake.identities.set(name, { name, type: "DOMAIN", verified: false, tokens: ["k1", "k2", "k3"] });
        aws.fake.fail(`ses:${action}`, fault);
        try {
          const reply = await run(c, name);
          const want = expected[fault]!;
          expect(reply.status).toBe(want.status);
          expect(reply.json.code).toBe(want.code);
          expect(reply.json.error).toContain(want.says(action, name));
          expect(reply.json.error).not.toMatch(/Exception|not authorized to perform|Rate exceeded/);
          if (fault === "notFound") aws.fake.identities.set(name, { name, type: "DOMAIN", verified: false, tokens: ["k1", "k2", "k3"] });
          const partial = await run(c, name, htmx);
          expect(partial.text).not.toContain("<html");
          expect(partial.headers.get("hx-retarget")).toBeNull();
          expect(flashText(partial)).toBe(reply.json.error.replace(/'/g, "&#x27;"));
          // The list's panel keeps its add form and offers to try again; the rest answer in the error slot.
          if (action === "ListEmailIdentities") expect(partial.text).toContain('data-testid="aws-identity-form"');
          else expect(partial.status).toBe(want.status);
        } finally {
          aws.fake.fail(`ses:${action}`, null);
          aws.fake.identities.delete(name);
        }
      });
    }
  }

  test("the denied sentence reaches the page as a flash in the form's slot, with the permission named", async () => {
    const { c } = await owner({ deny: ["ses:CreateEmailIdentity"] });
    const reply = await c.post("/aws/identities", { identity: domain(), view: "full" }, htmx);
    expect(reply.status).toBe(422);
    expect(reply.headers.get("hx-retarget")).toBeNull();
    expect(flashText(reply)).toContain("Add ses:CreateEmailIdentity to the IAM user");
  });

  test("a pending identity's status, polled while SES throttles, keeps what it showed instead of an error in its place", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    aws.fake.fail("ses:GetEmailIdentity", "throttled");
    try {
      const poll = await c.get(`${path(name)}?part=status`, htmx);
      expect(poll.status).toBe(200);
      expect(poll.headers.get("hx-reswap")).toBe("none");
    } finally {
      aws.fake.fail("ses:GetEmailIdentity", null);
    }
  });
});

describe("pages", () => {
  test("the Identities tab lists each identity with its records to copy, Check now, delete and the MAIL FROM form; a pending one polls itself", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    await c.put(`${path(name)}/mail-from`, { domain: `mail.${name}` });
    const reply = await c.get("/settings/aws/identities", page);
    expect(reply.status).toBe(200);
    const text = reply.text;
    expect(text).toContain("<html");
    expect(text).toMatch(/aria-current="page"[^>]*>Identities</);
    const card = text.slice(text.indexOf(`data-identity="${name}"`));
    expect(card).toContain('data-testid="dkim-records"');
    expect(card).toContain(`._domainkey.${name}`);
    expect(card).toContain("feedback-smtp.us-east-1.amazonses.com");
    expect(card).toContain(`_dmarc.${name}`);
    expect(card).toContain('x-data="copyable"');
    expect(card).toContain("Check now");
    expect(card).toContain('data-testid="identity-delete"');
    expect(card).toContain(`value="mail.${name}"`);
    expect(card).toMatch(/hx-trigger="every 30s"/);

    aws.fake.identities.get(name)!.verified = true;
    aws.fake.identities.get(name)!.mailFrom!.status = "SUCCESS";
    const status = await c.get(`${path(name)}?part=status`, htmx);
    expect(status.text).toContain('data-pending="false"');
    expect(status.text).not.toContain("every 30s");
    expect(status.text).toContain(">Verified<");
  });

  test("an identity has a page of its own; Check now there swaps its card", async () => {
    const { c } = await owner();
    const address = `hello@${domain()}`;
    await c.post("/aws/identities", { identity: address });
    const own = await c.get(`/settings/aws/identities/${encodeURIComponent(address)}`, page);
    expect(own.status).toBe(200);
    expect(own.text).toContain(`data-identity="${address}"`);
    expect(own.text).toContain("SES has emailed");
    const swap = await c.get(`${path(address)}?standalone=1`, htmx);
    expect(swap.headers.get("hx-retarget")).toBe(`#identity-${Buffer.from(address).toString("hex")}`);
    expect(swap.text).not.toContain("<html");
  });

  test("the Connection page's panel stays a compact table that links to the Identities tab", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    const panel = await c.get("/aws/identities", htmx);
    expect(panel.text).toContain('data-testid="aws-identities-table"');
    expect(panel.text).toContain('href="/settings/aws/identities"');
    expect(panel.text).not.toContain('data-testid="identity-card"');
  });
});

describe("whose identities the cache holds", () => {
  test("a member's session keys of another AWS account list that account's identities, leaving the workspace's cache and sender picks as they were", async () => {
    const { c, workspaceId } = await owner();
    const ours = domain();
    const theirs = domain();
    aws.fake.identities.set(ours, { name: ours, type: "DOMAIN", verified: true, tokens: ["o1", "o2", "o3"] });
    const m = await member(workspaceId);
    const other = { accessKeyId: `AKIA${unique().toUpperCase()}OTHERS`, secretAccessKey: `secret/${crypto.randomUUID()}/others` };
    aws.fake.keys.set(other.accessKeyId, { secret: other.secretAccessKey });
    otherAccounts.set(other.accessKeyId, new Map([[theirs, { name: theirs, type: "DOMAIN", verified: true, tokens: ["t1", "t2", "t3"] }]]));
    const { db } = t.database;
    const cached = () => db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.workspaceId, workspaceId));
    try {
      expect((await c.get("/campaigns/new", page)).text).toContain(`value="@${ours}"`);
      const before = await cached();
      expect(before.some((row) => row.name === ours)).toBe(true);
      expect((await m.post("/aws/connect", { ...other, region: "us-east-1", save: false })).status).toBe(200);
      clock.advance(1_000);

      const listed = await m.get("/aws/identities");
      expect(listed.status).toBe(200);
      expect(listed.json.items.map((i: { identity: string }) => i.identity)).toEqual([theirs]);
      expect((await m.get(path(theirs))).json).toMatchObject({ identity: theirs, verified: true });
      expect((await m.get("/send", page)).text).toContain(`value="@${theirs}"`);

      expect(await cached()).toEqual(before);
      const form = (await c.get("/campaigns/new", page)).text;
      expect(form).toContain(`value="@${ours}"`);
      expect(form).not.toContain(theirs);
    } finally {
      otherAccounts.delete(other.accessKeyId);
      aws.fake.identities.delete(ours);
    }
  });

  test("a member's session keys that are the workspace's saved keys keep the cache up to date", async () => {
    const { key, workspaceId } = await owner();
    const name = domain();
    aws.fake.identities.set(name, { name, type: "DOMAIN", verified: true, tokens: ["s1", "s2", "s3"] });
    try {
      const m = await member(workspaceId);
      expect((await m.post("/aws/connect", { ...key, region: "us-east-1", save: false })).status).toBe(200);
      expect((await m.get("/aws/identities")).status).toBe(200);
      const { db } = t.database;
      const rows = await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.workspaceId, workspaceId));
      expect(rows.find((row) => row.name === name)).toMatchObject({ verificationStatus: "SUCCESS", dkimStatus: "SUCCESS" });
    } finally {
      aws.fake.identities.delete(name);
    }
  });
});

describe("listings SES does not fully answer", () => {
  test("a listing during which SES throttles GetEmailIdentity still answers: the identities show what the list said, and no further details are read", async () => {
    const { c } = await owner();
    const a = domain();
    const b = domain();
    aws.fake.identities.set(a, { name: a, type: "DOMAIN", verified: false, tokens: ["a1", "a2", "a3"] });
    aws.fake.identities.set(b, { name: b, type: "DOMAIN", verified: true, tokens: ["b1", "b2", "b3"] });
    aws.fake.fail("ses:GetEmailIdentity", "throttled");
    try {
      // What one throttled read costs in calls (the SDK retries).
      let before = calls("GetEmailIdentity");
      expect((await c.get(path(a))).status).toBe(422);
      const oneRead = calls("GetEmailIdentity") - before;

      before = calls("GetEmailIdentity");
      const list = await c.get("/aws/identities");
      expect(list.status).toBe(200);
      expect(calls("GetEmailIdentity") - before).toBe(oneRead);
      const items = list.json.items as { identity: string }[];
      expect(items.find((i) => i.identity === a)).toMatchObject({ verified: false, verificationStatus: "PENDING", pending: true });
      expect(items.find((i) => i.identity === b)).toMatchObject({ verified: true, verificationStatus: "SUCCESS" });
      expect(t.logs.some((line) => line.includes("identity details not read for a listing") && line.includes("aws_throttled"))).toBe(true);

      const identitiesPage = await c.get("/settings/aws/identities", page);
      expect(identitiesPage.status).toBe(200);
      expect(identitiesPage.text).toContain(`data-identity="${a}"`);
      const panel = await c.get("/aws/identities", htmx);
      expect(panel.status).toBe(200);
      expect(panel.text).toContain('data-testid="aws-identities-table"');
      expect(panel.text).toContain(b);
    } finally {
      aws.fake.fail("ses:GetEmailIdentity", null);
      aws.fake.identities.delete(a);
      aws.fake.identities.delete(b);
    }
  });

  test("a listing whose every page is empty but names a next one stops after a bounded number of pages", async () => {
    const { c, key } = await owner();
    endlessListings.set(key.accessKeyId, "empty");
    const pages = () => aws.fake.calls.filter((call) => call.accessKeyId === key.accessKeyId && call.action === "ListEmailIdentities").length;
    try {
      const before = pages();
      const list = await c.get("/aws/identities");
      expect(list.status).toBe(200);
      expect(list.json.items).toEqual([]);
      expect(pages() - before).toBeLessThanOrEqual(20);
    } finally {
      endlessListings.delete(key.accessKeyId);
    }
  });

  test("a listing handed the same NextToken twice stops there, each identity listed once, and forgets no cached identity on its account", async () => {
    const { c, key, workspaceId } = await owner();
    const name = domain();
    aws.fake.identities.set(name, { name, type: "DOMAIN", verified: true, tokens: ["r1", "r2", "r3"] });
    const pages = () => aws.fake.calls.filter((call) => call.accessKeyId === key.accessKeyId && call.action === "ListEmailIdentities").length;
    const { db } = t.database;
    const elsewhere = domain();
    await db.orm.insert(db.t.sesIdentities).values({
      workspaceId,
      region: "us-east-1",
      name: elsewhere,
      type: "DOMAIN",
      verificationStatus: "SUCCESS",
      dkimStatus: "SUCCESS",
      sendingEnabled: true,
      checkedAt: clock.now(),
      createdAt: clock.now(),
    });
    // The first page's own token again, for ever.
    endlessListings.set(key.accessKeyId, "repeat");
    try {
      const before = pages();
      const list = await c.get("/aws/identities");
      expect(list.status).toBe(200);
      expect(pages() - before).toBe(2);
      const names = list.json.items.map((i: { identity: string }) => i.identity);
      expect(new Set(names).size).toBe(names.length);
      const rows = await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.workspaceId, workspaceId));
      expect(rows.some((row) => row.name === elsewhere)).toBe(true);
    } finally {
      endlessListings.delete(key.accessKeyId);
      aws.fake.identities.delete(name);
    }
  });
});

describe("how often an identity is read again", () => {
  test("a card's 30-second poll and an API read leave the background checks' pace alone; only Check now starts them again at a minute", async () => {
    const { c } = await owner();
    const name = domain();
    await c.post("/aws/identities", { identity: name });
    await onlyDue(name);
    const { db } = t.database;
    const row = async () => (await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.name, name)))[0]!;
    const wait = async () => {
      const r = await row();
      expect(r.checkedAt.getTime()).toBe(clock.now().getTime());
      return (r.nextCheckAt!.getTime() - r.checkedAt.getTime()) / 60_000;
    };
    for (let i = 0; i < 3; i++) {
      clock.set((await row()).nextCheckAt!);
      await refreshIdentities(t.deps);
    }
    expect(await wait()).toBe(8);

    clock.advance(30_000);
    expect((await c.get(`${path(name)}?part=status`, htmx)).status).toBe(200);
    expect(await wait()).toBe(8);
    clock.advance(30_000);
    expect((await c.get(path(name))).status).toBe(200);
    expect(await wait()).toBe(8);
    clock.advance(30_000);
    expect((await c.get("/aws/identities")).status).toBe(200);
    expect(await wait()).toBe(8);

    clock.advance(30_000);
    const checkNow = await c.get(path(name), htmx);
    expect(checkNow.status).toBe(200);
    expect(await wait()).toBe(1);
  });

  test("a verified domain SES signs nothing for (DKIM not started) is settled, not pending, and its card says DKIM signing is off", async () => {
    const { c } = await owner();
    const name = domain();
    aws.fake.identities.set(name, { name, type: "DOMAIN", verified: true, tokens: ["n1", "n2", "n3"] });
    dkimOff.add(name);
    try {
      const checked = await c.get(path(name));
      expect(checked.json).toMatchObject({ identity: name, verified: true, dkimStatus: "NOT_STARTED", pending: false });
      const { db } = t.database;
      const [row] = await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.name, name));
      expect(row!.nextCheckAt).toBeNull();
      const status = await c.get(`${path(name)}?part=status`, htmx);
      expect(status.text).toContain('data-pending="false"');
      expect(status.text).not.toContain("every 30s");
      expect(status.text).toContain("DKIM signing is off for this domain");
    } finally {
      dkimOff.delete(name);
      aws.fake.identities.delete(name);
    }
  });

  test("a check postponed in one region leaves the same name's check in another region on its own schedule", async () => {
    const { workspaceId } = await owner();
    const name = domain();
    const { db } = t.database;
    const soon = new Date(clock.now().getTime() + 2 * 60_000);
    const base = { workspaceId, name, type: "DOMAIN" as const, verificationStatus: "PENDING", checkedAt: clock.now(), createdAt: clock.now() };
    // The keys are in us-east-1: the eu-west-1 row is due but cannot be checked, so it waits an hour.
    await db.orm.insert(db.t.sesIdentities).values({ ...base, region: "eu-west-1", nextCheckAt: clock.now() });
    await db.orm.insert(db.t.sesIdentities).values({ ...base, region: "us-east-1", nextCheckAt: soon });
    await onlyDue(name);
    await refreshIdentities(t.deps);
    const rows = await db.orm.select().from(db.t.sesIdentities).where(eq(db.t.sesIdentities.name, name));
    expect(rows.find((r) => r.region === "eu-west-1")!.nextCheckAt!.getTime()).toBe(clock.now().getTime() + 3_600_000);
    expect(rows.find((r) => r.region === "us-east-1")!.nextCheckAt).toEqual(soon);
  });
});

describe("names in paths", () => {
  for (const local of ["news%41x", "news+x", "100%25"]) {
    test(`an address like ${local}@… is read, shown and deleted by its own name: the path is decoded once`, async () => {
      const { c } = await owner();
      const address = `${local}@${domain()}`;
      const created = await c.post("/aws/identities", { identity: address });
      expect(created.status).toBe(201);
      expect(created.json.identity).toBe(address);
      const checked = await c.get(path(address));
      expect(checked.status).toBe(200);
      expect(checked.json.identity).toBe(address);
      const own = await c.get(`/settings/aws/identities/${encodeURIComponent(address)}`, page);
      expect(own.status).toBe(200);
      expect(own.text).toContain(`data-identity="${address}"`);
      expect((await c.delete(path(address))).status).toBe(204);
      expect(aws.fake.identities.has(address)).toBe(false);
    });
  }
});
