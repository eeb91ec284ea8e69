import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { mayChangeRole, mayRemove } from "../../src/features/workspaces/model";
import { createTestApp, type TestApp } from "../support/app";
import { ownerWith, person, tokenOf } from "./support";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY: "1" } });
});
afterAll(async () => {
  await t.close();
});

const roleOf = async (c: { get(path: string): Promise<{ json: any }> }, userId: string) =>
  (await c.get("/workspace/members")).json.items.find((m: { userId: string }) => m.userId === userId)?.role;

describe("who may change whose role", () => {
  test("the rules, role by role: owners change anyone and make owners; admins never touch or make an owner; members change nobody", () => {
    const roles = ["owner", "admin", "member"] as const;
    const allowed: string[] = [];
    for (const actor of roles) for (const target of roles) for (const next of roles) if (mayChangeRole(actor, target, next)) allowed.push(`${actor}:${target}->${next}`);
    expect(allowed.filter((a) => a.startsWith("owner:"))).toHaveLength(9);
    expect(allowed.filter((a) => a.startsWith("admin:")).sort()).toEqual(["admin:admin->admin", "admin:admin->member", "admin:member->admin", "admin:member->member"]);
    expect(allowed.filter((a) => a.startsWith("member:"))).toEqual([]);
    expect(roles.map((target) => [mayRemove("owner", target), mayRemove("admin", target), mayRemove("member", target)])).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, false],
    ]);
  });

  test("over HTTP: an owner promotes and demotes; an admin manages members but gets 403 on owners; a member gets 403 on everything", async () => {
    const { owner, other: admin, workspaceId } = await ownerWith(t, "admin");
    const member = await person(t, "member");
    const token = tokenOf((await owner.c.post("/workspace/invites", { role: "member" })).json.url);
    await member.c.post(`/invite/${token}/accept`);

    expect((await admin.c.patch(`/workspace/members/${member.userId}`, { role: "admin" })).json).toMatchObject({ userId: member.userId, email: member.email, role: "admin" });
    expect((await admin.c.patch(`/workspace/members/${member.userId}`, { role: "member" })).status).toBe(200);
    expect((await admin.c.patch(`/workspace/members/${member.userId}`, { role: "owner" })).status).toBe(403);
    expect((await admin.c.patch(`/workspace/members/${owner.userId}`, { role: "member" })).status).toBe(403);
    expect((await admin.c.patch(`/workspace/members/${owner.userId}`, { role: "owner" })).status).toBe(403);
    expect((await admin.c.delete(`/workspace/members/${owner.userId}`)).status).toBe(403);
    expect(await roleOf(owner.c, owner.userId)).toBe("owner");

    expect((await member.c.patch(`/workspace/members/${admin.userId}`, { role: "member" })).status).toBe(403);
    expect((await member.c.patch(`/workspace/members/${member.userId}`, { role: "admin" })).status).toBe(403);
    expect((await member.c.delete(`/workspace/members/${admin.userId}`)).status).toBe(403);
    // Any member may read who belongs.
    expect((await member.c.get("/workspace/members")).json.items).toHaveLength(3);

    expect((await owner.c.patch(`/workspace/members/${admin.userId}`, { role: "owner" })).json.role).toBe("owner");
    expect((await owner.c.patch(`/workspace/members/${admin.userId}`, { role: "member" })).json.role).toBe("member");
    expect((await owner.c.patch(`/workspace/members/${admin.userId}`, { role: "boss" })).json).toMatchObject({ code: "invalid_role" });
    expect((await owner.c.patch("/workspace/members/usr_nobody", { role: "admin" })).status).toBe(404);
    // Someone from another workspace is "not a member" here, whatever their role elsewhere.
    const outsider = await person(t, "outsider");
    expect((await owner.c.patch(`/workspace/members/${outsider.userId}`, { role: "member" })).status).toBe(404);
    // A demotion takes effect on the very next request.
    expect((await admin.c.post("/workspace/invites", { role: "member" })).status).toBe(403);
    expect(workspaceId).toBe(owner.home.id);
  });

  test("the last owner can neither be demoted, leave nor be removed (409); with a second owner, either may go", async () => {
    const { owner, other } = await ownerWith(t, "admin");
    const demote = await owner.c.patch(`/workspace/members/${owner.userId}`, { role: "admin" });
    expect(demote.status).toBe(409);
    expect(demote.json).toMatchObject({ code: "last_owner" });
    expect(demote.json.error).toContain("last owner");
    const leave = await owner.c.delete(`/workspace/members/${owner.userId}`);
    expect(leave.status).toBe(409);
    expect(leave.json.error).toContain("make someone else an owner");

    await owner.c.patch(`/workspace/members/${other.userId}`, { role: "owner" });
    // Two owners demoting each other at once: they take turns, and whoever goes second is no longer an owner by then.
    const both = await Promise.all([owner.c.patch(`/workspace/members/${other.userId}`, { role: "admin" }), other.c.patch(`/workspace/members/${owner.userId}`, { role: "admin" })]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 403]);
    const { db } = t.database;
    const owners = await db.orm.select().from(db.t.memberships).where(and(eq(db.t.memberships.workspaceId, owner.home.id), eq(db.t.memberships.role, "owner")));
    expect(owners).toHaveLength(1);
  });
});

describe("leaving and removal", () => {
  test("a removed member loses access at once: their session moves to their own workspace and the old one's data is gone to them", async () => {
    const { owner, other: member } = await ownerWith(t, "member");
    const list = (await owner.c.post("/lists", { name: "Team list" })).json;
    expect((await member.c.get(`/lists/${list.id}`)).status).toBe(200);

    expect((await owner.c.delete(`/workspace/members/${member.userId}`)).status).toBe(204);
    expect((await member.c.get("/auth/me")).json.workspace.id).toBe(member.home.id);
    expect((await member.c.get(`/lists/${list.id}`)).status).toBe(404);
    expect((await member.c.get("/workspaces")).json.items.map((w: { id: string }) => w.id)).toEqual([member.home.id]);
    expect((await member.c.post("/workspace/switch", { workspaceId: owner.home.id })).status).toBe(404);
    expect((await owner.c.get("/workspace/members")).json.items).toHaveLength(1);
  });

  test("someone removed from their only workspace is logged out at once", async () => {
    const { owner, other: member } = await ownerWith(t, "member");
    const { db } = t.database;
    await db.orm.delete(db.t.memberships).where(and(eq(db.t.memberships.userId, member.userId), eq(db.t.memberships.workspaceId, member.home.id)));
    expect((await member.c.get("/auth/me")).status).toBe(200);
    expect((await owner.c.delete(`/workspace/members/${member.userId}`)).status).toBe(204);
    expect((await member.c.get("/auth/me")).status).toBe(401);
    // Logging in again works: the account gets a fresh, empty workspace of its own, not the old one.
    const again = await member.c.post("/auth/login", { email: member.email, password: "team password 123" }, { "x-forwarded-for": "10.99.0.1" });
    expect(again.status).toBe(200);
    expect(again.json.workspace.id).not.toBe(owner.home.id);
    expect((await member.c.get("/workspace/members")).json.items.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([[member.userId, "owner"]]);
  });

  test("anyone may leave a workspace themselves; in a browser they are sent to the dashboard of another of theirs", async () => {
    const { owner, other: admin } = await ownerWith(t, "admin");
    const left = await admin.c.request("DELETE", `/workspace/members/${admin.userId}`, { headers: { "hx-request": "true" } });
    expect(left.status).toBe(200);
    expect(left.headers.get("hx-redirect")).toBe("/dashboard");
    expect((await admin.c.get("/auth/me")).json.workspace.id).toBe(admin.home.id);
    expect(await roleOf(owner.c, admin.userId)).toBeUndefined();
  });

  test("the members page: owners get role picks, remove buttons (confirmed) and the invite form; members a read-only table with Leave", async () => {
    const { owner, other: member } = await ownerWith(t, "member");
    const ownerPage = await owner.c.get("/settings/members", { accept: "text/html" });
    expect(ownerPage.status).toBe(200);
    expect(ownerPage.text).toContain(`hx-patch="/workspace/members/${member.userId}"`);
    expect(ownerPage.text).toContain("hx-confirm=");
    expect(ownerPage.text).toContain('data-testid="invite-form"');
    expect(ownerPage.text).toContain('aria-current="page"');
    // The only owner is offered neither a role pick nor Leave for themselves.
    expect(ownerPage.text).not.toContain(`hx-patch="/workspace/members/${owner.userId}"`);
    expect(ownerPage.text).toContain("Last owner");

    const memberPage = await member.c.get("/settings/members", { accept: "text/html" });
    expect(memberPage.status).toBe(200);
    expect(memberPage.text).not.toContain("hx-patch=");
    expect(memberPage.text).not.toContain('data-testid="invite-form"');
    expect(memberPage.text).toContain(">Leave<");
    expect(memberPage.text).toContain(owner.email);

    const changed = await owner.c.request("PATCH", `/workspace/members/${member.userId}`, { json: { role: "admin" }, headers: { "hx-request": "true" } });
    expect(changed.headers.get("hx-retarget")).toBe("#members-panel");
    expect(changed.text).toContain("is now an admin");
  });
});
