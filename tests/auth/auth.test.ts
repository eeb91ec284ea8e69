import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "../../src/features/auth/model";
import { clientIp } from "../../src/web/context";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";

const clock = fakeClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

describe("sign up", () => {
  test("the first account is admin with its own workspace; later ones are users with theirs", async () => {
    const first = new Client(t.app);
    const a = await first.post("/auth/signup", { email: "Owner@Example.com", password: "correct horse battery", name: "Olive" });
    expect(a.status).toBe(201);
    expect(a.json).toEqual({
      user: { id: expect.any(String), email: "owner@example.com", role: "admin" },
      workspace: { id: expect.any(String), name: "Olive's workspace" },
    });
    const second = new Client(t.app);
    const b = await second.post("/auth/signup", { email: "second@example.com", password: "correct horse battery" });
    expect(b.status).toBe(201);
    expect(b.json.user.role).toBe("user");
    expect(b.json.workspace.id).not.toBe(a.json.workspace.id);

    const me = await second.get("/auth/me");
    expect(me.status).toBe(200);
    expect(me.json.user.email).toBe("second@example.com");
    expect(me.json.workspace.id).toBe(b.json.workspace.id);
  });

  test("an address can sign up once, whatever its case", async () => {
    await new Client(t.app).signup("twice@example.com");
    const again = await new Client(t.app).post("/auth/signup", { email: "TWICE@example.com", password: "another password" });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("email_taken");
  });

  test("passwords shorter than 8 or longer than 256 characters are refused", async () => {
    const short = await new Client(t.app).post("/auth/signup", { email: "short@example.com", password: "1234567" });
    expect(short.status).toBe(422);
    expect(short.json).toEqual({ error: expect.stringContaining("at least 8"), code: "password_too_short", field: "password" });
    const long = await new Client(t.app).post("/auth/signup", { email: "long@example.com", password: "x".repeat(257) });
    expect(long.status).toBe(422);
    expect(long.json.code).toBe("password_too_long");
    const exact = await new Client(t.app).post("/auth/signup", { email: "exact@example.com", password: "x".repeat(256) });
    expect(exact.status).toBe(201);
  });

  test("the password is stored as an argon2id hash, never as given", async () => {
    await new Client(t.app).signup("hash@example.com", "my very own password");
    const rows = await t.database.db.orm.select().from(t.database.db.t.users);
    const row = rows.find((r) => r.email === "hash@example.com")!;
    expect(row.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(JSON.stringify(rows)).not.toContain("my very own password");
  });
});

describe("sessions", () => {
  test("the session cookie is HttpOnly, SameSite=Lax, not Secure over http, and carries no readable session id", async () => {
    const c = new Client(t.app);
    const reply = await c.post("/auth/signup", { email: "cookie@example.com", password: "correct horse battery" });
    const cookie = reply.headers.getSetCookie().find((h) => h.startsWith("sesame_session="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
    const rows = await t.database.db.orm.select().from(t.database.db.t.sessions);
    // The database keeps only a hash of the token inside the cookie.
    for (const row of rows) expect(cookie).not.toContain(row.id);
  });

  test("logout revokes the session server-side: a copy of the old cookie stops working", async () => {
    const c = new Client(t.app);
    await c.signup("logout@example.com");
    const stolen = new Client(t.app);
    stolen.cookies = new Map(c.cookies);
    expect((await stolen.get("/auth/me")).status).toBe(200);
    const out = await c.post("/auth/logout");
    expect(out.status).toBe(204);
    expect((await c.get("/auth/me")).status).toBe(401);
    expect((await stolen.get("/auth/me")).status).toBe(401);
  });

  test("login rotates the session: the cookie held before login is dead afterwards", async () => {
    const c = new Client(t.app);
    await c.signup("rotate@example.com", "correct horse battery");
    const before = new Map(c.cookies);
    const login = await c.post("/auth/login", { email: "rotate@example.com", password: "correct horse battery" });
    expect(login.status).toBe(200);
    expect(login.json.user.email).toBe("rotate@example.com");
    expect(c.cookies.get("sesame_session")).not.toBe(before.get("sesame_session"));
    const old = new Client(t.app);
    old.cookies = before;
    expect((await old.get("/auth/me")).status).toBe(401);
    expect((await c.get("/auth/me")).status).toBe(200);
  });

  test("a session ends after a week idle", async () => {
    const c = new Client(t.app);
    await c.signup("idle@example.com");
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await c.get("/auth/me")).status).toBe(200);
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await c.get("/auth/me")).status).toBe(200);
    clock.advance(SESSION_IDLE_MS + 1);
    expect((await c.get("/auth/me")).status).toBe(401);
  });

  test("a session ends 30 days after login even when used every day", async () => {
    const c = new Client(t.app);
    await c.signup("absolute@example.com");
    for (let day = 1; day < 30; day++) {
      clock.advance(24 * 3600_000);
      expect((await c.get("/auth/me")).status).toBe(200);
    }
    clock.advance(SESSION_ABSOLUTE_MS - 29 * 24 * 3600_000 + 1);
    expect((await c.get("/auth/me")).status).toBe(401);
  });

  test("a forged or foreign-signed cookie is not a session", async () => {
    const c = new Client(t.app);
    await c.signup("forged@example.com");
    const [header, payload] = c.cookies.get("sesame_session")!.split(".");
    const forged = new Client(t.app);
    forged.cookies.set("sesame_session", `${header}.${payload}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
    expect((await forged.get("/auth/me")).status).toBe(401);
    forged.cookies.set("sesame_session", "garbage");
    expect((await forged.get("/auth/me")).status).toBe(401);
  });
});

describe("login", () => {
  test("an unknown email and a wrong password get the same 401", async () => {
    await new Client(t.app).signup("known@example.com", "the right password");
    const unknown = await new Client(t.app).post("/auth/login", { email: "nobody@example.com", password: "the right password" });
    const wrong = await new Client(t.app).post("/auth/login", { email: "known@example.com", password: "the wrong password" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  test("ten failures in fifteen minutes for one account give 429 for a while, even with the right password", async () => {
    await new Client(t.app).signup("target@example.com", "the right password");
    // Different clients from the app's point of view share one address (app.handle has none), so
    // clear that key's history first: this test is about the account key.
    await t.database.db.orm.delete(t.database.db.t.authFailures);
    for (let i = 0; i < 10; i++) {
      const r = await new Client(t.app).post("/auth/login", { email: "target@example.com", password: `guess ${i}` });
      expect(r.status).toBe(401);
    }
    const blocked = await new Client(t.app).post("/auth/login", { email: "target@example.com", password: "the right password" });
    expect(blocked.status).toBe(429);
    expect(blocked.json.code).toBe("too_many_attempts");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    clock.advance(15 * 60_000 + 1000);
    const later = await new Client(t.app).post("/auth/login", { email: "target@example.com", password: "the right password" });
    expect(later.status).toBe(200);
  });

  test("ten failures from one address across many accounts block that address", async () => {
    await t.database.db.orm.delete(t.database.db.t.authFailures);
    for (let i = 0; i < 10; i++) {
      await new Client(t.app).post("/auth/login", { email: `spray${i}@example.com`, password: "whatever it is" });
    }
    const next = await new Client(t.app).post("/auth/login", { email: "spray-new@example.com", password: "whatever it is" });
    expect(next.status).toBe(429);
    clock.advance(15 * 60_000 + 1000);
  });

  test("a browser form post without htmx is redirected to the page it came for", async () => {
    await new Client(t.app).signup("form@example.com", "the right password");
    const c = new Client(t.app, "http://localhost");
    const reply = await c.request("POST", "/auth/login?next=%2Fcampaigns", {
      body: new URLSearchParams({ email: "form@example.com", password: "the right password" }),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
    });
    expect(reply.status).toBe(303);
    expect(reply.headers.get("location")).toBe("/campaigns");
    expect((await c.get("/auth/me")).status).toBe(200);
  });

  test("an htmx login that fails answers with the message as a fragment, not a page", async () => {
    const c = new Client(t.app, "http://localhost");
    const reply = await c.request("POST", "/auth/login", {
      body: new URLSearchParams({ email: "form@example.com", password: "not it at all" }),
      headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
    });
    expect(reply.status).toBe(401);
    expect(reply.text).toContain("do not match");
    expect(reply.text).not.toContain("<html");
  });

  test("an open redirect through ?next= is not possible", async () => {
    await new Client(t.app).signup("next@example.com", "the right password");
    for (const next of ["https://evil.example", "//evil.example", "/\\evil.example"]) {
      const reply = await new Client(t.app).request("POST", `/auth/login?next=${encodeURIComponent(next)}`, {
        body: new URLSearchParams({ email: "next@example.com", password: "the right password" }),
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      });
      expect(reply.headers.get("location")).toBe("/dashboard");
    }
  });
});

describe("pages", () => {
  test("a logged-out visit to an app page is sent to the login page and back", async () => {
    const reply = await new Client(t.app).get("/campaigns", { accept: "text/html" });
    expect(reply.status).toBe(303);
    expect(reply.headers.get("location")).toBe("/login?next=%2Fcampaigns");
  });

  test("the app shell shows the nav, with Admin only for admins", async () => {
    const user = new Client(t.app);
    await user.signup("shell-user@example.com");
    const page = await user.get("/dashboard", { accept: "text/html" });
    expect(page.status).toBe(200);
    for (const label of ["Dashboard", "Campaigns", "Lists", "Templates", "Events", "Settings"]) expect(page.text).toContain(`>${label}</a>`);
    expect(page.text).not.toContain(">Admin</a>");
    const admin = new Client(t.app);
    await admin.post("/auth/login", { email: "owner@example.com", password: "correct horse battery" });
    expect((await admin.get("/dashboard")).text).toContain(">Admin</a>");
  });
});

describe("login throttling under concurrency", () => {
  test("twenty guesses sent at once do not get more than ten tries", async () => {
    await new Client(t.app).signup("parallel@example.com", "the right password");
    await t.database.db.orm.delete(t.database.db.t.authFailures);
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => new Client(t.app).post("/auth/login", { email: "parallel@example.com", password: `guess ${i}` })));
    const tried = replies.filter((r) => r.status === 401).length;
    expect(tried).toBeLessThanOrEqual(10);
    expect(replies.filter((r) => r.status === 429).length).toBe(20 - tried);
    clock.advance(15 * 60_000 + 1000);
  });

  test("a successful login does not count against the address it came from", async () => {
    await new Client(t.app).signup("regular@example.com", "the right password");
    await t.database.db.orm.delete(t.database.db.t.authFailures);
    for (let i = 0; i < 12; i++) expect((await new Client(t.app).post("/auth/login", { email: "regular@example.com", password: "the right password" })).status).toBe(200);
  });
});

describe("behind a reverse proxy", () => {
  test("the address in X-Forwarded-For is the one the proxy saw: read that many hops back, never further left", () => {
    expect(clientIp("203.0.113.7", "10.0.0.2", 0)).toBe("10.0.0.2");
    expect(clientIp("203.0.113.7", "10.0.0.2", 1)).toBe("203.0.113.7");
    // The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    expect(clientIp("1.2.3.4, 203.0.113.7", "10.0.0.2", 1)).toBe("203.0.113.7");
    expect(clientIp("1.2.3.4, 203.0.113.7, 10.0.0.9", "10.0.0.2", 2)).toBe("203.0.113.7");
    expect(clientIp(null, "10.0.0.2", 1)).toBe("10.0.0.2");
    expect(clientIp(" , ", "10.0.0.2", 1)).toBe("10.0.0.2");
    // Fewer entries than proxies: the nearest proxy's entry, never the client-written leftmost one.
    expect(clientIp("1.2.3.4, 203.0.113.7", "10.0.0.2", 3)).toBe("203.0.113.7");
    // Ports and brackets dropped: one client, one address.
    expect(clientIp("203.0.113.7:51234", "10.0.0.2", 1)).toBe("203.0.113.7");
    expect(clientIp("[2001:db8::1]:443", "10.0.0.2", 1)).toBe("2001:db8::1");
    expect(clientIp("2001:db8::1", "10.0.0.2", 1)).toBe("2001:db8::1");
  });

  test("with TRUST_PROXY=1 password guessing is throttled per client address, and a forged X-Forwarded-For does not escape it", async () => {
    const proxied = await createTestApp({ env: { TRUST_PROXY: "1" } });
    try {
      const login = (email: string, forwarded: string) =>
        new Client(proxied.app).request("POST", "/auth/login", { json: { email, password: "whatever it is" }, headers: { "x-forwarded-for": forwarded } });
      for (let i = 0; i < 10; i++) expect((await login(`spray${i}@example.com`, "198.51.100.1")).status).toBe(401);
      expect((await login("spray-next@example.com", "198.51.100.1")).status).toBe(429);
      // The same client prepending a made-up address: the proxy still appends the real one.
      expect((await login("spray-next@example.com", "192.0.2.55, 198.51.100.1")).status).toBe(429);
      // Another client behind the same proxy is not blocked.
      expect((await login("spray-next@example.com", "198.51.100.2")).status).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});
