import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

let t: TestApp;
let admin: Client;
let user: Client;
let userId: string;
let adminId: string;
beforeAll(async () => {
  t = await createTestApp();
  admin = new Client(t.app);
  adminId = (await admin.signup("root@example.com")).user.id;
  user = new Client(t.app);
  userId = (await user.signup("member@example.com", "member password")).user.id;
});
afterAll(async () => {
  await t.close();
});

describe("admin", () => {
  test("an admin lists every user of the instance", async () => {
    const reply = await admin.get("/admin/users");
    expect(reply.status).toBe(200);
    expect(reply.json.items.map((u: { email: string }) => u.email)).toEqual(["root@example.com", "member@example.com"]);
    expect(reply.json.items[0]).toEqual({ id: adminId, email: "root@example.com", name: "", role: "admin", disabled: false, createdAt: expect.any(String) });
    expect(JSON.stringify(reply.json)).not.toContain("argon2");
  });

  test("others get 403", async () => {
    expect((await user.get("/admin/users")).status).toBe(403);
    expect((await user.patch(`/admin/users/${adminId}`, { role: "user" })).status).toBe(403);
  });

  test("disabling a user logs them out everywhere and blocks their login", async () => {
    expect((await user.get("/auth/me")).status).toBe(200);
    const reply = await admin.patch(`/admin/users/${userId}`, { disabled: true });
    expect(reply.status).toBe(200);
    expect(reply.json.disabled).toBe(true);
    expect((await user.get("/auth/me")).status).toBe(401);
    const login = await new Client(t.app).post("/auth/login", { email: "member@example.com", password: "member password" });
    expect(login.status).toBe(401);
    await admin.patch(`/admin/users/${userId}`, { disabled: false });
    expect((await new Client(t.app).post("/auth/login", { email: "member@example.com", password: "member password" })).status).toBe(200);
  });

  test("promoting works, and the last active admin cannot be demoted or disabled", async () => {
    expect((await admin.patch(`/admin/users/${adminId}`, { role: "user" })).status).toBe(409);
    expect((await admin.patch(`/admin/users/${adminId}`, { disabled: true })).json.code).toBe("last_admin");
    const promoted = await admin.patch(`/admin/users/${userId}`, { role: "admin" });
    expect(promoted.json.role).toBe("admin");
    expect((await admin.patch(`/admin/users/${adminId}`, { role: "user" })).status).toBe(200);
  });

  test("an unknown user id is a 404, a bad role a 400", async () => {
    expect((await new Client(t.app).post("/auth/login", { email: "member@example.com", password: "member password" })).status).toBe(200);
    const now = new Client(t.app);
    await now.post("/auth/login", { email: "member@example.com", password: "member password" });
    expect((await now.patch("/admin/users/usr_nope", { role: "admin" })).status).toBe(404);
    expect((await now.patch(`/admin/users/${adminId}`, { role: "emperor" })).status).toBe(400);
  });
});
