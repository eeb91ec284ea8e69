import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import postgres from "postgres";
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

describe("administrators under concurrency", () => {
  /**
   * On PostgreSQL, holds every insert or update of `users` at a trigger until `waiting` transactions
   * are stuck (at the trigger, or queued behind the one there), so they truly overlap; then lets
   * them go. SQLite runs write transactions one at a time by itself, so there it only runs `work`.
   */
  async function overlapping<T>(app: TestApp, waiting: number, work: () => Promise<T>): Promise<T> {
    const { db, url } = app.database;
    if (db.dialect !== "postgres") return work();
    await db.rows(
      sql.raw(`create or replace function hold_users() returns trigger language plpgsql as $$ begin perform pg_advisory_lock(777); perform pg_advisory_unlock(777); return new; end $$;
               create trigger hold_users before insert or update on users for each row execute function hold_users()`),
    );
    const other = postgres(url, { max: 1, onnotice: () => {} });
    const holder = await other.reserve();
    try {
      await holder`select pg_advisory_lock(777)`;
      const running = work();
      let stuck = 0;
      for (let i = 0; i < 400 && stuck < waiting; i++) {
        await Bun.sleep(10);
        [{ stuck }] = await holder<{ stuck: number }[]>`select count(*)::int as stuck from pg_locks where not granted and database = (select oid from pg_database where datname = current_database())`;
      }
      expect(stuck).toBe(waiting);
      await holder`select pg_advisory_unlock(777)`;
      return await running;
    } finally {
      holder.release();
      await other.end();
      await db.rows(sql.raw("drop trigger hold_users on users"));
    }
  }

  test("several first sign-ups at once on a new instance make exactly one administrator", async () => {
    const fresh = await createTestApp();
    try {
      const replies = await overlapping(fresh, 6, () =>
        Promise.all(Array.from({ length: 6 }, (_, i) => new Client(fresh.app).post("/auth/signup", { email: `first${i}@example.com`, password: "first password 1" }))),
      );
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
      expect(replies.filter((r) => r.json.user.role === "admin")).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  test("two administrators demoting each other at once leave one administrator", async () => {
    const fresh = await createTestApp();
    try {
      const a = new Client(fresh.app);
      const aId = (await a.signup("a@example.com")).user.id;
      const b = new Client(fresh.app);
      const bId = (await b.signup("b@example.com")).user.id;
      expect((await a.patch(`/admin/users/${bId}`, { role: "admin" })).status).toBe(200);
      const replies = await overlapping(fresh, 2, () => Promise.all([a.patch(`/admin/users/${bId}`, { role: "user" }), b.patch(`/admin/users/${aId}`, { role: "user" })]));
      expect(replies.map((r) => r.status).sort()).toEqual([200, 403]);
      const users = (await (replies[0]!.status === 200 ? a : b).get("/admin/users")).json.items as { role: string }[];
      expect(users.filter((u) => u.role === "admin")).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });
});
