import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { transaction } from "../../src/db/client";
import { sha256 } from "../../src/lib/ids";
import { peekInvite, redeemInvite } from "../../src/features/workspaces/invites";
import { INVITE_TTL_MS } from "../../src/features/workspaces/model";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { startAws } from "../support/aws";
import { Client } from "../support/client";
import { person, tokenOf } from "./support";

const clock = fakeClock();
let t: TestApp;
let aws: Awaited<ReturnType<typeof startAws>>;
beforeAll(async () => {
  aws = await startAws({});
  t = await createTestApp({ clock, env: { ...aws.env, TRUST_PROXY: "1" } });
});
afterAll(async () => {
  await t?.close();
  await aws?.stop();
});

const page = { accept: "text/html" };
const htmx = { "hx-request": "true" };

describe("invite links", () => {
  test("an owner makes a single-use link; the colleague who opens it joins as its role and lands in the workspace; a second use is refused", async () => {
    const owner = await person(t, "owner");
    const created = await owner.c.post("/workspace/invites", { role: "member" });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ role: "member", emailed: false });
    expect(created.json.url).toMatch(/^http:\/\/localhost\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(new Date(created.json.expiresAt).getTime()).toBe(clock.now().getTime() + INVITE_TTL_MS);
    const token = tokenOf(created.json.url);

    // Only the token's hash is kept, and the list of pending invites never carries the token.
    const { db } = t.database;
    const [row] = await db.orm.select().from(db.t.invites).where(eq(db.t.invites.id, created.json.id));
    expect(row!.tokenHash).toBe(sha256(token));
    const pending = await owner.c.get("/workspace/invites");
    expect(pending.json.items).toEqual([
      { id: created.json.id, role: "member", email: null, createdAt: clock.now().toISOString(), expiresAt: created.json.expiresAt, createdBy: { id: owner.userId, email: owner.email, name: "" } },
    ]);
    expect(pending.text).not.toContain(token);

    expect(await peekInvite(db, token, clock.now())).toEqual({ workspaceId: owner.home.id, workspaceName: owner.home.name, role: "member", email: null });

    // Logged out, the page says what the link is for and offers sign-up or log-in with the way back.
    const stranger = await new Client(t.app).get(`/invite/${token}`, page);
    expect(stranger.status).toBe(200);
    expect(stranger.text).toMatch(/<h1[^>]*>Join owner-[^<]*workspace<\/h1>/);
    expect(stranger.text).toContain("as a member.");
    expect(stranger.text).toContain(`href="/signup?invite=${token}"`);
    expect(stranger.text).toContain(`href="/login?next=%2Finvite%2F${token}"`);

    const colleague = await person(t, "colleague");
    expect((await colleague.c.get(`/invite/${token}`, page)).text).toContain(`action="/invite/${token}/accept"`);
    const joined = await colleague.c.post(`/invite/${token}/accept`);
    expect(joined.status).toBe(200);
    expect(joined.json).toEqual({ workspace: { id: owner.home.id, name: owner.home.name }, role: "member", joined: true });
    expect((await colleague.c.get("/auth/me")).json.workspace.id).toBe(owner.home.id);
    const members = (await owner.c.get("/workspace/members")).json.items;
    expect(members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [owner.email, "owner"],
      [colleague.email, "member"],
    ]);
    expect((await owner.c.get("/workspace/invites")).json.items).toEqual([]);

    const third = await person(t, "third");
    const again = await third.c.post(`/invite/${token}/accept`);
    expect(again.status).toBe(422);
    expect(again.json.code).toBe("invite_used");
    const usedPage = await third.c.get(`/invite/${token}`, page);
    expect(usedPage.status).toBe(410);
    expect(usedPage.text).toContain("already been used");
    const usedForm = await third.c.request("POST", `/invite/${token}/accept`, { headers: page });
    expect(usedForm.status).toBe(410);
    expect(await peekInvite(db, token, clock.now())).toBeNull();
    // The colleague who used it just goes back into the workspace.
    expect((await colleague.c.get(`/invite/${token}`, page)).text).toContain("You already belong to");
  });

  test("a browser that accepts is sent to the dashboard of the workspace it joined", async () => {
    const owner = await person(t, "owner");
    const colleague = await person(t, "colleague");
    const token = tokenOf((await owner.c.post("/workspace/invites", { role: "admin" })).json.url);
    const form = await colleague.c.request("POST", `/invite/${token}/accept`, { headers: page });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe("/dashboard");
    const me = await colleague.c.get("/workspace/members");
    expect(me.json.items.find((m: { userId: string }) => m.userId === colleague.userId).role).toBe("admin");
  });

  test("a link stops working after 7 days, and when an admin revokes it; an unknown link is a 404 page", async () => {
    const owner = await person(t, "owner");
    const expiring = tokenOf((await owner.c.post("/workspace/invites", { role: "member" })).json.url);
    const revoked = await owner.c.post("/workspace/invites", { role: "admin" });
    const colleague = await person(t, "colleague");

    clock.advance(INVITE_TTL_MS - 1000);
    expect(await peekInvite(t.database.db, expiring, clock.now())).not.toBeNull();
    clock.advance(1000);
    expect(await peekInvite(t.database.db, expiring, clock.now())).toBeNull();
    const expired = await colleague.c.post(`/invite/${expiring}/accept`);
    expect(expired.status).toBe(422);
    expect(expired.json.code).toBe("invite_expired");
    const expiredPage = await colleague.c.get(`/invite/${expiring}`, page);
    expect(expiredPage.status).toBe(410);
    expect(expiredPage.text).toContain("expired");
    clock.advance(-INVITE_TTL_MS);

    expect((await owner.c.delete(`/workspace/invites/${revoked.json.id}`)).status).toBe(204);
    expect((await owner.c.delete(`/workspace/invites/${revoked.json.id}`)).status).toBe(404);
    const token = tokenOf(revoked.json.url);
    const revokedPage = await new Client(t.app).get(`/invite/${token}`, page);
    expect(revokedPage.status).toBe(410);
    expect(revokedPage.text).toContain("withdrawn");
    expect((await colleague.c.post(`/invite/${token}/accept`)).json.code).toBe("invite_revoked");
    expect((await colleague.c.get("/auth/me")).json.workspace.id).toBe(colleague.home.id);

    for (const bad of ["A".repeat(43), "not-a-token", "x".repeat(200)]) {
      const unknown = await new Client(t.app).get(`/invite/${bad}`, page);
      expect(unknown.status).toBe(404);
      expect(unknown.text).toContain("not valid");
    }
  });

  test("members may not invite, list or revoke; an admin of another workspace cannot revoke this one's invites", async () => {
    const owner = await person(t, "owner");
    const token = tokenOf((await owner.c.post("/workspace/invites", { role: "member" })).json.url);
    const invite = (await owner.c.get("/workspace/invites")).json.items[0];
    const member = await person(t, "member");
    await member.c.post(`/invite/${token}/accept`);
    expect((await member.c.post("/workspace/invites", { role: "member" })).status).toBe(403);
    expect((await member.c.get("/workspace/invites")).status).toBe(403);
    expect((await member.c.delete(`/workspace/invites/${invite.id}`)).status).toBe(403);

    const outsider = await person(t, "outsider");
    const pending = (await owner.c.post("/workspace/invites", { role: "admin" })).json;
    expect((await outsider.c.delete(`/workspace/invites/${pending.id}`)).status).toBe(404);
    expect(await peekInvite(t.database.db, tokenOf(pending.url), clock.now())).not.toBeNull();

    expect((await owner.c.post("/workspace/invites", { role: "owner" })).json.code).toBe("invalid_role");
    expect((await owner.c.post("/workspace/invites", { role: "member", email: "not an address" })).json).toMatchObject({ code: "invalid_email", field: "email" });
    expect((await new Client(t.app).post("/workspace/invites", { role: "member" })).status).toBe(401);
  });

  test("redeemInvite joins inside the caller's transaction and is all-or-nothing; two accepts of one link at once let one through", async () => {
    const owner = await person(t, "owner");
    const { db } = t.database;
    const token = tokenOf((await owner.c.post("/workspace/invites", { role: "admin" })).json.url);
    const newcomer = await person(t, "newcomer");

    // A sign-up that fails after redeeming rolls the redemption back with it.
    await expect(
      transaction(db, async (tx) => {
        await redeemInvite(tx, token, newcomer.userId, clock.now());
        throw new Error("sign-up failed later");
      }),
    ).rejects.toThrow("sign-up failed later");
    expect(await peekInvite(db, token, clock.now())).not.toBeNull();

    expect(await transaction(db, (tx) => redeemInvite(tx, token, newcomer.userId, clock.now()))).toEqual({ workspaceId: owner.home.id, role: "admin" });
    await expect(transaction(db, (tx) => redeemInvite(tx, token, newcomer.userId, clock.now()))).rejects.toMatchObject({ status: 422, code: "invite_used" });
    await expect(transaction(db, (tx) => redeemInvite(tx, "x".repeat(43), newcomer.userId, clock.now()))).rejects.toMatchObject({ status: 422, code: "invite_unknown" });

    const race = tokenOf((await owner.c.post("/workspace/invites", { role: "member" })).json.url);
    const [a, b] = [await person(t, "racer"), await person(t, "racer")];
    const replies = await Promise.all([a.c.post(`/invite/${race}/accept`), b.c.post(`/invite/${race}/accept`)]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 422]);
    const members = (await owner.c.get("/workspace/members")).json.items.map((m: { userId: string }) => m.userId);
    expect(members.filter((id: string) => id === a.userId || id === b.userId)).toHaveLength(1);
  });

  test("the members page shows the link once with a copy button and lists the open invites with revoke", async () => {
    const owner = await person(t, "owner");
    const made = await owner.c.post("/workspace/invites", { role: "member", email: "friend@example.com" }, htmx);
    expect(made.status).toBe(201);
    expect(made.text).toContain('data-testid="invite-url"');
    expect(made.text).toContain("Copy link");
    // No AWS keys here: the link is still shown, with why it was not mailed.
    expect(made.text).toContain("no AWS keys connected");
    expect(made.text).toMatch(/<section id="pending-invites"[^>]*hx-swap-oob="true"/);
    const settings = await owner.c.get("/settings/members", page);
    expect(settings.status).toBe(200);
    expect(settings.text).toContain("friend@example.com");
    expect(settings.text).toContain('hx-post="/workspace/invites"');
    expect(settings.text).not.toContain(tokenOf(/value="(http[^"]+)"/.exec(made.text)![1]!));
  });
});

describe("invites by mail", () => {
  test("with AWS keys connected, the link goes out through SES from the verified sender chosen; an unverified sender is refused in words and the link still shown", async () => {
    const owner = await person(t, "mailer");
    const key = { accessKeyId: `AKIA${crypto.randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase()}`, secretAccessKey: `secret/${crypto.randomUUID()}` };
    aws.fake.keys.set(key.accessKeyId, { secret: key.secretAccessKey });
    expect((await owner.c.post("/aws/connect", { ...key, region: "us-east-1", save: true })).status).toBe(200);
    const sender = `team-${crypto.randomUUID().slice(0, 8)}@example.org`;
    aws.fake.identities.set(sender, { name: sender, type: "EMAIL_ADDRESS", verified: true, tokens: [] });

    const settings = await owner.c.get("/settings/members", page);
    expect(settings.text).toContain(`<option value="${sender}"`);

    const to = `friend-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const sent = await owner.c.post("/workspace/invites", { role: "member", email: to, from: sender });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({ emailed: true });
    const mail = (await aws.emulator.store()).emails.find((e) => e.destination.to.includes(to));
    expect(mail?.from).toBe(sender);
    expect(mail?.body.text).toContain(sent.json.url);
    expect(mail?.body.html).toContain(`href="${sent.json.url}"`);
    expect((await owner.c.get("/workspace/invites")).json.items[0]).toMatchObject({ email: to });

    const refused = await owner.c.post("/workspace/invites", { role: "admin", email: to, from: "someone@unverified.example" });
    expect(refused.status).toBe(201);
    expect(refused.json.emailed).toBe(false);
    expect(refused.json.emailError).toBe("someone@unverified.example is not a verified sender of this workspace's AWS account. The link was not emailed: copy it and send it yourself.");
    expect(await peekInvite(t.database.db, tokenOf(refused.json.url), clock.now())).toMatchObject({ role: "admin", email: to });
    // Nothing secret reached the log.
    expect(t.logs.join("\n")).not.toContain(tokenOf(sent.json.url));
  });
});
