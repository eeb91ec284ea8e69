import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sha256 } from "../../src/lib/ids";
import { startAws, type EmulatorEmail } from "../support/aws";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { waitFor } from "../support/wait";

// Sign-ups, logins and resets each hash or check an argon2 password: slow on a busy machine.
setDefaultTimeout(60_000);

/** Forgotten passwords, reset links (mailed through the system mail connection, or made by an admin) and the connection itself. */

const KEY = { accessKeyId: "AKIARESETLINKS000001", secretAccessKey: "reset-links-secret-access-key-000000000" };
const REGION = "eu-west-1";
const PASSWORD = "correct horse battery";
const page = { accept: "text/html" };
const htmx = { "hx-request": "true" };

const clock = fakeClock(new Date("2026-03-10T09:00:00Z"));
let aws: Awaited<ReturnType<typeof startAws>>;
let t: TestApp;
let admin: Client;
let adminWorkspace: string;
let user: Client;
let userId: string;

beforeAll(async () => {
  aws = await startAws({ [KEY.accessKeyId]: { secret: KEY.secretAccessKey } });
  // Behind one trusted proxy, so the per-address limit can be met from an address of its own.
  t = await createTestApp({ clock, env: { ...aws.env, TRUST_PROXY: "1" } });
  admin = new Client(t.app);
  adminWorkspace = (await admin.signup("root@example.com", PASSWORD)).workspace.id;
  user = new Client(t.app);
  userId = (await user.signup("forgetful@example.com", PASSWORD)).user.id;
});
afterAll(async () => {
  await t.close();
  await aws.stop();
});

async function resetRows() {
  return t.database.db.orm.select().from(t.database.db.t.passwordResets);
}

async function mailsTo(address: string): Promise<EmulatorEmail[]> {
  return (await aws.emulator.store()).emails.filter((mail) => mail.destination.to.includes(address));
}

const tokenIn = (text: string) => /http:\/\/localhost\/reset\/([\w-]+)/.exec(text)?.[1] ?? null;

describe("without a system mail connection", () => {
  test("the answer is the same for every address, nothing is made, and the page says to ask an administrator", async () => {
    const known = await new Client(t.app).post("/auth/forgot", { email: "forgetful@example.com" });
    const unknown = await new Client(t.app).post("/auth/forgot", { email: "nobody-here@example.com" });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.json).toEqual(unknown.json);
    expect(known.json.delivery).toBe("admin");
    const forgot = await new Client(t.app).get("/forgot", page);
    expect(forgot.text).toContain("ask your administrator for a reset link");
    expect(forgot.text).not.toContain('data-testid="forgot-form"');
    expect(await resetRows()).toEqual([]);
  });
});

describe("the system mail connection", () => {
  test("needs a workspace with saved keys and a sender SES verified there; then it mails", async () => {
    const none = await admin.put("/admin/system-mail", { workspaceId: adminWorkspace, from: "no-reply@example.com" });
    expect(none.status).toBe(422);
    expect(none.json.code).toBe("system_mail_no_keys");

    expect((await admin.post("/aws/connect", { ...KEY, region: REGION, save: true })).status).toBe(200);
    const unverified = await admin.put("/admin/system-mail", { workspaceId: adminWorkspace, from: "no-reply@example.com" });
    expect(unverified.status).toBe(422);
    expect(unverified.json.code).toBe("system_mail_unverified");

    aws.fake.identities.set("example.com", { name: "example.com", type: "DOMAIN", verified: true, tokens: ["t1", "t2", "t3"] });
    expect((await admin.get("/aws/identities")).status).toBe(200);
    const settingsPage = await admin.get("/admin/settings", page);
    expect(settingsPage.text).toContain(`value="${adminWorkspace}|no-reply@example.com"`);

    expect((await user.put("/admin/system-mail", { workspaceId: adminWorkspace, from: "no-reply@example.com" })).status).toBe(403);
    const saved = await admin.request("PUT", "/admin/system-mail", {
      body: new URLSearchParams({ sender: `${adminWorkspace}|Sesame <no-reply@example.com>` }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", ...htmx },
    });
    expect(saved.status).toBe(200);
    expect(saved.text).toContain("Reset links are mailed from Sesame &lt;no-reply@example.com&gt;");
    expect((await admin.get("/admin/settings")).json).toEqual({
      signup: "open",
      systemMail: { workspaceId: adminWorkspace, from: "Sesame <no-reply@example.com>", workspaceName: "root's workspace" },
    });

    const sent = await admin.post("/admin/system-mail/test");
    expect(sent.json).toEqual({ outcome: "sent" });
    const [mail] = await mailsTo("root@example.com");
    expect(mail?.subject).toBe("Sesame system mail works");
    expect(mail?.from).toContain("no-reply@example.com");
  });
});

describe("a forgotten password", () => {
  test("the same answer for any address; only the real account gets a link, which works once and ends every session", async () => {
    const unknown = await new Client(t.app).post("/auth/forgot", { email: "nobody-here@example.com" });
    const known = await new Client(t.app).post("/auth/forgot", { email: "Forgetful@Example.com" });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.json).toEqual(unknown.json);
    expect(known.json.delivery).toBe("mail");

    const mails = await waitFor(() => mailsTo("forgetful@example.com"), (m) => m.length > 0);
    expect(mails).toHaveLength(1);
    expect(await mailsTo("nobody-here@example.com")).toEqual([]);
    expect(mails[0]!.subject).toBe("Reset your Sesame password");
    const token = tokenIn(mails[0]!.body.text ?? "")!;
    expect(token).toBeTruthy();
    expect(mails[0]!.body.html).toContain(`http://localhost/reset/${token}`);

    // Only the token's SHA-256 is kept, and the log never sees it.
    const rows = await resetRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ userId, tokenHash: sha256(token), createdBy: null, usedAt: null });
    expect(rows[0]!.expiresAt.getTime() - rows[0]!.createdAt.getTime()).toBe(3600_000);
    expect(JSON.stringify(rows)).not.toContain(token);

    const form = await new Client(t.app).get(`/reset/${token}`, page);
    expect(form.status).toBe(200);
    expect(form.headers.get("cache-control")).toBe("no-store");
    expect(form.text).toContain('data-testid="reset-form"');
    expect(form.text).toContain("For forgetful@example.com.");

    const short = await new Client(t.app).post("/auth/reset", { token, password: "short" });
    expect(short.status).toBe(422);
    expect(short.json.code).toBe("password_too_short");
    expect((await user.get("/auth/me")).status).toBe(200);

    const done = await new Client(t.app).post("/auth/reset", { token, password: "my new long passphrase" });
    expect(done.status).toBe(204);
    expect((await user.get("/auth/me")).status).toBe(401);
    expect((await new Client(t.app).post("/auth/login", { email: "forgetful@example.com", password: PASSWORD })).status).toBe(401);
    expect((await user.post("/auth/login", { email: "forgetful@example.com", password: "my new long passphrase" })).status).toBe(200);

    const again = await new Client(t.app).post("/auth/reset", { token, password: "someone else's passphrase" });
    expect(again.status).toBe(422);
    expect(again.json.code).toBe("reset_link_used");
    const spent = await new Client(t.app).get(`/reset/${token}`, page);
    expect(spent.status).toBe(410);
    expect(spent.text).toContain("used already");
    expect(t.logs.join("\n")).not.toContain(token);
  });

  test("at most three links an hour are mailed to one account; the answer stays the same", async () => {
    const before = (await mailsTo("forgetful@example.com")).length;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await new Client(t.app).post("/auth/forgot", { email: "forgetful@example.com" }, { "x-forwarded-for": "10.40.0.1" })).json);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // The first request of the hour was the previous test's: two more are mailed, then none.
    const mails = await waitFor(() => mailsTo("forgetful@example.com"), (m) => m.length >= before + 2);
    await Bun.sleep(300);
    expect((await mailsTo("forgetful@example.com")).length).toBe(before + 2);
    expect(mails.length).toBe(before + 2);
  });

  test("one address asking more than twenty times an hour is told to wait", async () => {
    const from = { "x-forwarded-for": "10.40.0.2" };
    for (let i = 0; i < 20; i++) expect((await new Client(t.app).post("/auth/forgot", { email: `someone${i}@example.org` }, from)).status).toBe(202);
    const refused = await new Client(t.app).post("/auth/forgot", { email: "someone@example.org" }, from);
    expect(refused.status).toBe(429);
    expect(refused.json.code).toBe("too_many_resets");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("a reset link made by an admin", () => {
  test("is shown once to the admin, lasts an hour, and unknown links are refused", async () => {
    expect((await user.post(`/admin/users/${userId}/reset-link`)).status).toBe(403);
    expect((await admin.post("/admin/users/usr_nope/reset-link")).status).toBe(404);
    const made = await admin.post(`/admin/users/${userId}/reset-link`);
    expect(made.status).toBe(201);
    expect(made.headers.get("cache-control")).toBe("no-store");
    expect(made.json).toEqual({ url: expect.stringMatching(/^http:\/\/localhost\/reset\/[\w-]{43}$/), expiresAt: new Date(clock.now().getTime() + 3600_000).toISOString() });
    const token = tokenIn(made.json.url)!;
    const [row] = (await resetRows()).filter((r) => r.tokenHash === sha256(token));
    expect(row?.createdBy).toBeTruthy();

    const shown = await admin.post(`/admin/users/${userId}/reset-link`, {}, htmx);
    expect(shown.text).toContain('data-testid="reset-link-url"');
    expect(shown.text).toMatch(/value="http:\/\/localhost\/reset\/[\w-]{43}"/);

    expect((await new Client(t.app).get(`/reset/${token}`, page)).status).toBe(200);
    clock.advance(3600_000 + 1);
    const expired = await new Client(t.app).get(`/reset/${token}`, page);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain("expired");
    const late = await new Client(t.app).post("/auth/reset", { token, password: "too late for this one" });
    expect(late.status).toBe(422);
    expect(late.json.code).toBe("reset_link_expired");

    expect((await new Client(t.app).get("/reset/not-a-token", page)).status).toBe(404);
    const unknown = await new Client(t.app).post("/auth/reset", { token: "not-a-token", password: "whatever it may be" });
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe("reset_link_unknown");
  });
});
