import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { unsubscribeUrl } from "../../src/features/unsubscribe/service";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { ownerWith, person } from "./support";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { TRUST_PROXY: "1" } });
});
afterAll(async () => {
  await t.close();
});

describe("the workspace's name", () => {
  test("an owner renames it, and recipients see the new name on the unsubscribe page", async () => {
    const c = new Client(t.app);
    const { workspace } = await c.signup("namer@example.com");
    expect((await c.get("/workspace")).json.name).toBe("namer's workspace");
    expect((await c.patch("/workspace", { name: "  Acme   Newsletter " })).json).toEqual({ id: workspace.id, name: "Acme Newsletter" });
    expect((await c.get("/auth/me")).json.workspace.name).toBe("Acme Newsletter");
    const link = new URL(unsubscribeUrl(t.deps.config, { workspaceId: workspace.id, email: "reader@example.com" }));
    const page = await new Client(t.app).get(link.pathname, { accept: "text/html" });
    expect(page.text).toContain("Acme Newsletter");
    expect(page.text).not.toContain("namer's workspace");
    expect((await c.patch("/workspace", { name: "   " })).json).toMatchObject({ code: "invalid_name", field: "name" });
    expect((await c.patch("/workspace", { name: "x".repeat(101) })).status).toBe(422);
  });

  test("a member who is not an admin of the workspace may not rename it", async () => {
    const c = new Client(t.app);
    const { user, workspace } = await c.signup("member-namer@example.com");
    const { db } = t.database;
    await db.orm.update(db.t.memberships).set({ role: "member" }).where(eq(db.t.memberships.userId, user.id));
    expect((await c.patch("/workspace", { name: "Hijacked" })).status).toBe(403);
    expect((await c.get("/workspace")).json.name).not.toBe("Hijacked");
    expect((await c.get("/settings/workspace", { accept: "text/html" })).text).toContain("only a workspace admin or owner can rename it");
    expect(workspace.id).toBeTruthy();
  });
});

describe("several workspaces per person", () => {
  test("a person creates a second workspace, switches into it and back; each shows only its own lists", async () => {
    const me = await person(t, "switcher");
    const home = me.home;
    expect((await me.c.get("/workspaces")).json).toEqual({ items: [{ id: home.id, name: home.name, role: "owner", current: true }] });
    const list = (await me.c.post("/lists", { name: "Home list" })).json;

    const created = await me.c.post("/workspaces", { name: "  Side   project " });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Side project", role: "owner" });
    // Creating one does not move the session.
    expect((await me.c.get("/auth/me")).json.workspace.id).toBe(home.id);
    expect((await me.c.post("/workspaces", { name: " " })).json).toMatchObject({ code: "invalid_name", field: "name" });

    const switched = await me.c.post("/workspace/switch", { workspaceId: created.json.id });
    expect(switched.status).toBe(200);
    expect(switched.json).toEqual({ workspace: { id: created.json.id, name: "Side project", role: "owner" } });
    expect((await me.c.get("/auth/me")).json.workspace).toEqual({ id: created.json.id, name: "Side project" });
    expect((await me.c.get("/lists")).json.items).toEqual([]);
    expect((await me.c.get(`/lists/${list.id}`)).status).toBe(404);
    expect((await me.c.get("/workspaces")).json.items.map((w: { name: string; current: boolean }) => [w.name, w.current])).toEqual([
      [home.name, false],
      ["Side project", true],
    ]);

    // A browser form post is answered with the dashboard; htmx follows a redirect header.
    const back = await me.c.request("POST", "/workspace/switch", { json: { workspaceId: home.id }, headers: { accept: "text/html" } });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe("/dashboard");
    expect((await me.c.get("/lists")).json.items.map((l: { id: string }) => l.id)).toEqual([list.id]);
    const viaHtmx = await me.c.request("POST", "/workspace/switch", { json: { workspaceId: created.json.id }, headers: { "hx-request": "true" } });
    expect(viaHtmx.headers.get("hx-redirect")).toBe("/dashboard");
  });

  test("nobody switches into a workspace they do not belong to, existing or not", async () => {
    const { owner, other } = await ownerWith(t, "member");
    const stranger = await person(t, "stranger");
    for (const workspaceId of [owner.home.id, other.home.id, "wsp_does_not_exist"]) {
      const refused = await stranger.c.post("/workspace/switch", { workspaceId });
      expect(refused.status).toBe(404);
      expect(refused.json.code).toBe("workspace_not_found");
    }
    expect((await stranger.c.get("/auth/me")).json.workspace.id).toBe(stranger.home.id);
    // The member switches between the two they belong to.
    expect((await other.c.post("/workspace/switch", { workspaceId: other.home.id })).status).toBe(200);
    expect((await other.c.post("/workspace/switch", { workspaceId: owner.home.id })).json.workspace.role).toBe("member");
    expect((await new Client(t.app).post("/workspace/switch", { workspaceId: owner.home.id })).status).toBe(401);
  });

  test("the sidebar's switcher loads the person's workspaces only when opened, the current one marked", async () => {
    const { other } = await ownerWith(t, "member");
    const dashboard = await other.c.get("/settings/workspace", { accept: "text/html" });
    expect(dashboard.text).toContain('hx-get="/workspaces" hx-trigger="toggle once"');
    expect(dashboard.text).toContain('href="/settings/members"');
    const menu = await other.c.get("/workspaces", { "hx-request": "true" });
    expect(menu.text).toContain('data-testid="workspace-menu"');
    expect(menu.text).toContain('aria-current="true"');
    expect(menu.text).toContain(`name="workspaceId" value="${other.home.id}"`);
    const pageView = await other.c.get("/workspaces", { accept: "text/html" });
    expect(pageView.text).toContain("Your workspaces");
    expect(pageView.text).toContain('data-testid="new-workspace-form"');
  });
});
