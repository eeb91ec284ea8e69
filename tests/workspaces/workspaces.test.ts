import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { unsubscribeUrl } from "../../src/features/unsubscribe/service";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
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
