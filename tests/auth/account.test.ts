import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import { writeSetting } from "../../src/features/admin/queries";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

// Sign-ups, logins and password changes each hash or check an argon2 password: slow on a busy machine.
setDefaultTimeout(60_000);

const PASSWORD = "correct horse battery";
const page = { accept: "text/html" };
const htmx = { "hx-request": "true" };

let t: TestApp;
let admin: Client;
let adminWorkspace: string;
beforeAll(async () => {
  // Behind one trusted proxy, so each sign-up can come from an address of its own (sign-ups per address are limited).
  t = await createTestApp({ env: { TRUST_PROXY: "1" } });
  // Closed before anyone exists: the very first account is still let in, and administers the instance.
  await writeSetting(t.deps.db, "signup", "closed", new Date());
  admin = new Client(t.app);
  const first = await admin.post("/auth/signup", { email: "root@example.com", password: PASSWORD, name: "Root" });
  expect(first.status).toBe(201);
  expect(first.json.user.role).toBe("admin");
  adminWorkspace = first.json.workspace.id;
});
afterAll(async () => {
  await t.close();
});

let addresses = 0;
const fromFreshAddress = () => ({ "x-forwarded-for": `10.30.${addresses >> 8}.${++addresses & 255}` });

function signUp(body: Record<string, unknown>, client = new Client(t.app)) {
  return client.post("/auth/signup", { password: PASSWORD, ...body }, fromFreshAddress());
}

async function setMode(mode: string) {
  const reply = await admin.put("/admin/signup", { mode });
  expect(reply.status).toBe(200);
  expect(reply.json).toEqual({ mode });
}

/** A fresh invite link to the admin's workspace, and its token. */
async function invite(role: "admin" | "member" = "member") {
  const reply = await admin.post("/workspace/invites", { role });
  expect(reply.status).toBe(201);
  return reply.json.url.split("/invite/")[1] as string;
}

async function membershipsOf(email: string) {
  const { users, memberships } = t.database.db.t;
  return t.database.db.orm
    .select({ workspaceId: memberships.workspaceId, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(users.email, email));
}

describe("sign-up modes", () => {
  test("closed: nobody signs up, not even with an invite, and both pages say so", async () => {
    const refused = await signUp({ email: "closed@example.com" });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe("signup_closed");
    const token = await invite();
    const withInvite = await signUp({ email: "closed-invited@example.com", invite: token });
    expect(withInvite.status).toBe(403);
    expect(withInvite.json.code).toBe("signup_closed");

    const signupPage = await new Client(t.app).get("/signup", page);
    expect(signupPage.status).toBe(200);
    expect(signupPage.text).toContain("Sign-up on this Sesame is closed");
    expect(signupPage.text).not.toContain('data-testid="signup-form"');
    const invitePage = await new Client(t.app).get(`/signup?invite=${token}`, page);
    expect(invitePage.text).toContain("log in and the invite will add you to its workspace");
    expect(invitePage.text).toContain(`/login?next=${encodeURIComponent(`/invite/${token}`)}`);
    const login = await new Client(t.app).get("/login", page);
    expect(login.text).not.toContain("Create an account");
    expect(await membershipsOf("closed-invited@example.com")).toEqual([]);
  });

  test("invite-only: without a valid invite it is a 403; with one the account joins that workspace and nothing else", async () => {
    await setMode("invite");
    expect((await signUp({ email: "nobody@example.com" })).json.code).toBe("signup_invite_only");
    const bogus = await signUp({ email: "nobody@example.com", invite: "not-a-real-token" });
    expect(bogus.status).toBe(403);
    expect(bogus.json.code).toBe("signup_invite_only");
    const pageWithout = await new Client(t.app).get("/signup", page);
    expect(pageWithout.text).toContain("by invitation only");
    expect(pageWithout.text).not.toContain('data-testid="signup-form"');

    const token = await invite("admin");
    const invitedPage = await new Client(t.app).get(`/signup?invite=${token}`, page);
    expect(invitedPage.text).toContain('data-testid="signup-form"');
    expect(invitedPage.text).toContain("as an admin");
    expect(invitedPage.text).toContain(`name="invite" value="${token}"`);

    const colleague = new Client(t.app);
    const joined = await signUp({ email: "colleague@example.com", invite: token }, colleague);
    expect(joined.status).toBe(201);
    expect(joined.json).toEqual({ user: { id: expect.any(String), email: "colleague@example.com", role: "user" }, workspace: { id: adminWorkspace, name: "Root's workspace" } });
    expect(await membershipsOf("colleague@example.com")).toEqual([{ workspaceId: adminWorkspace, role: "admin" }]);
    // The session starts in the invite's workspace.
    expect((await colleague.get("/auth/me")).json.workspace.id).toBe(adminWorkspace);

    const again = await signUp({ email: "second-use@example.com", invite: token });
    expect(again.status).toBe(403);
    expect(again.json.code).toBe("signup_invite_only");
    expect(await membershipsOf("second-use@example.com")).toEqual([]);
  });

  test("open: anyone signs up with a workspace of their own; an invite joins its workspace; a spent one is a 422", async () => {
    await setMode("open");
    const own = await signUp({ email: "open@example.com" });
    expect(own.status).toBe(201);
    expect(own.json.workspace.id).not.toBe(adminWorkspace);
    expect(await membershipsOf("open@example.com")).toEqual([{ workspaceId: own.json.workspace.id, role: "owner" }]);

    const token = await invite("member");
    const joined = await signUp({ email: "open-invited@example.com", invite: token });
    expect(joined.status).toBe(201);
    expect(await membershipsOf("open-invited@example.com")).toEqual([{ workspaceId: adminWorkspace, role: "member" }]);
    const spent = await signUp({ email: "open-late@example.com", invite: token });
    expect(spent.status).toBe(422);
    expect(spent.json.code).toBe("invite_invalid");
    const spentPage = await new Client(t.app).get(`/signup?invite=${token}`, page);
    expect(spentPage.text).toContain("This invite link cannot be used");
    expect(spentPage.text).toContain("Create an account of your own instead");
  });

  test("only an instance admin sets the mode, and only to a mode that exists", async () => {
    const someone = new Client(t.app);
    await signUp({ email: "not-admin@example.com" }, someone);
    expect((await someone.put("/admin/signup", { mode: "closed" })).status).toBe(403);
    const bad = await admin.put("/admin/signup", { mode: "sideways" });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe("invalid_signup_mode");
    expect((await admin.get("/admin/settings")).json.signup).toBe("open");
  });
});

describe("profile", () => {
  test("PATCH /auth/me sets the name and the time zone; the profile page shows them and the address read-only", async () => {
    const c = new Client(t.app);
    await signUp({ email: "profile@example.com" }, c);
    const reply = await c.patch("/auth/me", { name: "  Pat   Lee ", timeZone: "Asia/Kolkata" });
    expect(reply.status).toBe(200);
    expect(reply.json.user).toEqual({ id: expect.any(String), email: "profile@example.com", name: "Pat Lee", role: "user", timeZone: "Asia/Kolkata" });
    expect((await c.get("/auth/me")).json.user).toMatchObject({ name: "Pat Lee", timeZone: "Asia/Kolkata" });

    const profile = await c.get("/settings/profile", page);
    expect(profile.status).toBe(200);
    expect(profile.text).toMatch(/<input id="field-email" type="email" value="profile@example.com" readonly/);
    expect(profile.text).toContain('value="Pat Lee"');
    expect(profile.text).toContain('<option value="Asia/Kolkata" selected>');
    expect((await c.get("/settings", page)).text).toContain('href="/settings/profile"');
  });

  test("a zone that is not one, or a name too long, is a 422 on its field; nothing changes", async () => {
    const c = new Client(t.app);
    await signUp({ email: "profile-bad@example.com", name: "Kept" }, c);
    const zone = await c.patch("/auth/me", { timeZone: "Mars/Olympus" });
    expect(zone.status).toBe(422);
    expect(zone.json).toMatchObject({ code: "invalid_time_zone", field: "timeZone" });
    const name = await c.patch("/auth/me", { name: "x".repeat(101) });
    expect(name.json).toMatchObject({ code: "name_too_long", field: "name" });
    expect((await c.get("/auth/me")).json.user.name).toBe("Kept");
    expect((await new Client(t.app).patch("/auth/me", { name: "anyone" })).status).toBe(401);
  });
});

describe("changing the password", () => {
  test("the other sessions end, this one stays, and only the new password logs in", async () => {
    const here = new Client(t.app);
    await signUp({ email: "changer@example.com" }, here);
    const elsewhere = new Client(t.app);
    expect((await elsewhere.post("/auth/login", { email: "changer@example.com", password: PASSWORD })).status).toBe(200);

    const reply = await here.post("/auth/password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase" });
    expect(reply.status).toBe(204);
    expect((await here.get("/auth/me")).status).toBe(200);
    expect((await elsewhere.get("/auth/me")).status).toBe(401);
    expect((await new Client(t.app).post("/auth/login", { email: "changer@example.com", password: PASSWORD })).status).toBe(401);
    expect((await new Client(t.app).post("/auth/login", { email: "changer@example.com", password: "a brand new passphrase" })).status).toBe(200);

    const form = await here.post("/auth/password", { currentPassword: "a brand new passphrase", newPassword: "and another one again" }, htmx);
    expect(form.status).toBe(200);
    expect(form.headers.get("hx-retarget")).toBe("#password-section");
    expect(form.text).toContain("Every other session of your account has been logged out");
  });

  test("the new password meets the sign-up rules; a wrong current one is a 422 and counts as a failed login", async () => {
    const c = new Client(t.app);
    const ip = fromFreshAddress();
    await c.post("/auth/signup", { email: "guesser@example.com", password: PASSWORD }, ip);
    const short = await c.post("/auth/password", { currentPassword: PASSWORD, newPassword: "short" }, ip);
    expect(short.status).toBe(422);
    expect(short.json).toMatchObject({ code: "password_too_short", field: "newPassword" });
    for (let i = 0; i < 5; i++) {
      const wrong = await c.post("/auth/password", { currentPassword: `guess number ${i}`, newPassword: "a brand new passphrase" }, ip);
      expect(wrong.status).toBe(422);
      expect(wrong.json).toMatchObject({ code: "wrong_password", field: "currentPassword" });
    }
    // Past the free failures the next try waits, as a login would.
    const waiting = await c.post("/auth/password", { currentPassword: PASSWORD, newPassword: "a brand new passphrase" }, ip);
    expect(waiting.status).toBe(429);
    expect((await new Client(t.app).post("/auth/login", { email: "guesser@example.com", password: PASSWORD }, ip)).status).toBe(429);
  });
});

describe("with an API key", () => {
  test("a key reads its creator's account but is refused any change to their profile or password", async () => {
    const made = await admin.post("/api-keys", { name: "Script", scope: "full" });
    expect(made.status).toBe(201);
    const bearer = new Client(t.app);
    const headers = { authorization: `Bearer ${made.json.key}` };
    expect((await bearer.request("GET", "/auth/me", { headers })).status).toBe(200);
    const profile = await bearer.request("PATCH", "/auth/me", { json: { name: "Renamed by a script" }, headers });
    // Refused before the route (keys are not accepted there: 401), or by the route itself (403).
    expect([401, 403]).toContain(profile.status);
    const password = await bearer.request("POST", "/auth/password", { json: { currentPassword: PASSWORD, newPassword: "set by a script" }, headers });
    expect([401, 403]).toContain(password.status);
    expect((await admin.get("/auth/me")).json.user.name).toBe("Root");
  });
});
