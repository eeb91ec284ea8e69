import { afterAll, beforeAll, describe, expect, setDefaultTimeout, spyOn, test } from "bun:test";
import { LOGIN_DELAY_MAX_MS, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, loginDelayMs, waitInWords } from "../../src/features/auth/model";
import { clientIp } from "../../src/web/context";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";

// Throttling shows only through dozens of argon2 checks, each a good part of a second on a busy
// machine; a plain `bun test tests/auth` would give each test only 5 s.
setDefaultTimeout(60_000);

const clock = fakeClock();
let t: TestApp;
beforeAll(async () => {
  // Behind one trusted proxy, so each test can speak from addresses of its own (X-Forwarded-For).
  t = await createTestApp({ clock, env: { TRUST_PROXY: "1" } });
});
afterAll(async () => {
  await t.close();
});

let addresses = 0;
/** A client address no other test uses, so one test's throttling never reaches another. */
function freshAddress(): string {
  addresses++;
  return `10.${addresses >> 8}.${addresses & 255}.1`;
}

function login(email: string, password: string, ip: string) {
  return new Client(t.app).post("/auth/login", { email, password }, { "x-forwarded-for": ip });
}

/** Signs `client` up from an address of its own (sign-ups per address are limited too). */
async function signUp(email: string, { password = "correct horse battery", client = new Client(t.app) } = {}) {
  const reply = await client.post("/auth/signup", { email, password }, { "x-forwarded-for": freshAddress() });
  expect(reply.status).toBe(201);
  return client;
}

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
    await signUp("twice@example.com");
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
    await signUp("hash@example.com", { password: "my very own password" });
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
    await signUp("logout@example.com", { client: c });
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
    await signUp("rotate@example.com", { client: c });
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
    await signUp("idle@example.com", { client: c });
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await c.get("/auth/me")).status).toBe(200);
    clock.advance(SESSION_IDLE_MS - 60_000);
    expect((await c.get("/auth/me")).status).toBe(200);
    clock.advance(SESSION_IDLE_MS + 1);
    expect((await c.get("/auth/me")).status).toBe(401);
  });

  test("a session ends 30 days after login even when used every day", async () => {
    const c = new Client(t.app);
    await signUp("absolute@example.com", { client: c });
    for (let day = 1; day < 30; day++) {
      clock.advance(24 * 3600_000);
      expect((await c.get("/auth/me")).status).toBe(200);
    }
    clock.advance(SESSION_ABSOLUTE_MS - 29 * 24 * 3600_000 + 1);
    expect((await c.get("/auth/me")).status).toBe(401);
  });

  test("a forged or foreign-signed cookie is not a session", async () => {
    const c = new Client(t.app);
    await signUp("forged@example.com", { client: c });
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
    await signUp("known@example.com", { password: "the right password" });
    const unknown = await new Client(t.app).post("/auth/login", { email: "nobody@example.com", password: "the right password" });
    const wrong = await new Client(t.app).post("/auth/login", { email: "known@example.com", password: "the wrong password" });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.json).toEqual(wrong.json);
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  test("a browser form post without htmx is redirected to the page it came for", async () => {
    await signUp("form@example.com", { password: "the right password" });
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
    await signUp("next@example.com", { password: "the right password" });
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
    await signUp("shell-user@example.com", { client: user });
    const page = await user.get("/dashboard", { accept: "text/html" });
    expect(page.status).toBe(200);
    for (const label of ["Dashboard", "Campaigns", "Lists", "Templates", "Events", "Settings"]) expect(page.text).toContain(`>${label}</a>`);
    expect(page.text).not.toContain(">Admin</a>");
    const admin = new Client(t.app);
    await admin.post("/auth/login", { email: "owner@example.com", password: "correct horse battery" });
    expect((await admin.get("/dashboard")).text).toContain(">Admin</a>");
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
});

describe("login throttling", () => {
  const WRONG = "not the password";

  test("delays double from one second after five free failures, are capped, and read as words", () => {
    expect([4, 5, 6, 7, 10].map((n) => loginDelayMs(n, 5))).toEqual([0, 1000, 2000, 4000, 32_000]);
    expect(loginDelayMs(500, 5)).toBe(LOGIN_DELAY_MAX_MS);
    expect([0.2, 1, 30, 59.5, 61, 240, 3600].map(waitInWords)).toEqual(["1 second", "1 second", "30 seconds", "60 seconds", "2 minutes", "4 minutes", "1 hour"]);
  });

  test("twelve wrong passwords from one address do not stop the owner logging in from another", async () => {
    await signUp("besieged@example.com", { password: "the right password" });
    const attacker = freshAddress();
    for (let i = 0; i < 12; i++) {
      clock.advance(70_000);
      expect((await login("besieged@example.com", `guess ${i}`, attacker)).status).toBe(401);
    }
    expect((await login("besieged@example.com", "the right password", freshAddress())).status).toBe(200);
  });

  test("past five failures a client waits, told in words and in Retry-After, and only it waits", async () => {
    await signUp("slowed@example.com", { password: "the right password" });
    const guesser = freshAddress();
    for (let i = 0; i < 5; i++) expect((await login("slowed@example.com", WRONG, guesser)).status).toBe(401);
    const refused = await login("slowed@example.com", "the right password", guesser);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: "Too many failed attempts. Try again in 1 second.", code: "too_many_attempts" });
    expect(refused.headers.get("retry-after")).toBe("1");
    // The owner elsewhere is not slowed by it.
    expect((await login("slowed@example.com", "the right password", freshAddress())).status).toBe(200);
  });

  test("a refused attempt is not counted and checks no password", async () => {
    await signUp("refused@example.com", { password: "the right password" });
    const guesser = freshAddress();
    for (let i = 0; i < 5; i++) expect((await login("refused@example.com", WRONG, guesser)).status).toBe(401);
    const verify = spyOn(Bun.password, "verify");
    try {
      for (let i = 0; i < 20; i++) expect((await login("refused@example.com", WRONG, guesser)).status).toBe(429);
      expect(verify).not.toHaveBeenCalled();
    } finally {
      verify.mockRestore();
    }
    // Still the sixth failure's delay (1 s), not the 25th's.
    clock.advance(1000);
    expect((await login("refused@example.com", WRONG, guesser)).status).toBe(401);
    const next = await login("refused@example.com", WRONG, guesser);
    expect(next.headers.get("retry-after")).toBe("2");
    clock.advance(30_000);
    expect((await login("refused@example.com", "the right password", guesser)).status).toBe(200);
  });

  test("one guess every 80 seconds never locks the account", async () => {
    await signUp("patient@example.com", { password: "the right password" });
    const guesser = freshAddress();
    for (let i = 0; i < 20; i++) {
      clock.advance(80_000);
      expect((await login("patient@example.com", `guess ${i}`, guesser)).status).toBe(401);
    }
    expect((await login("patient@example.com", "the right password", freshAddress())).status).toBe(200);
    clock.advance(80_000);
    expect((await login("patient@example.com", "the right password", guesser)).status).toBe(200);
  });

  test("fifty correct logins at once from one address all succeed", async () => {
    await signUp("busy@example.com", { password: "the right password" });
    const office = freshAddress();
    const replies = await Promise.all(Array.from({ length: 50 }, () => login("busy@example.com", "the right password", office)));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect((await login("busy@example.com", "the right password", office)).status).toBe(200);
  });

  test("guesses sent at once each see the failures before them: five are tried, the rest wait", async () => {
    await signUp("parallel@example.com", { password: "the right password" });
    const guesser = freshAddress();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => login("parallel@example.com", `guess ${i}`, guesser)));
    expect(replies.filter((r) => r.status === 401)).toHaveLength(5);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(15);
  });

  test("another account behind the same address is not refused", async () => {
    await signUp("neighbour@example.com", { password: "the right password" });
    const proxy = freshAddress();
    for (let i = 0; i < 12; i++) {
      clock.advance(70_000);
      expect((await login("besieged-too@example.com", `guess ${i}`, proxy)).status).toBe(401);
    }
    expect((await login("neighbour@example.com", "the right password", proxy)).status).toBe(200);
  });

  test("a success forgets the account's failures, from every address", async () => {
    await signUp("forgiven@example.com", { password: "the right password" });
    const [home, elsewhere] = [freshAddress(), freshAddress()];
    for (let i = 0; i < 4; i++) expect((await login("forgiven@example.com", WRONG, home)).status).toBe(401);
    for (let i = 0; i < 4; i++) expect((await login("forgiven@example.com", WRONG, elsewhere)).status).toBe(401);
    expect((await login("forgiven@example.com", "the right password", home)).status).toBe(200);
    for (const ip of [home, elsewhere]) {
      for (let i = 0; i < 5; i++) expect((await login("forgiven@example.com", WRONG, ip)).status).toBe(401);
    }
  });

  test("an unknown email is throttled exactly like a known one", async () => {
    await signUp("real@example.com", { password: "the right password" });
    const guesser = freshAddress();
    const tries = async (email: string) => {
      const replies = [];
      for (let i = 0; i < 7; i++) replies.push(await login(email, WRONG, guesser));
      return replies.map((r) => [r.status, r.json]);
    };
    expect(await tries("nobody-here@example.com")).toEqual(await tries("real@example.com"));
  });

  test("fifty failures from one address across many accounts slow that address, not another behind the proxy", async () => {
    const sprayer = freshAddress();
    for (let i = 0; i < 50; i++) expect((await login(`spray${i}@example.com`, WRONG, sprayer)).status).toBe(401);
    expect((await login("spray-next@example.com", WRONG, sprayer)).status).toBe(429);
    // The same client prepending a made-up address: the proxy still appends the real one.
    expect((await login("spray-next@example.com", WRONG, `192.0.2.55, ${sprayer}`)).status).toBe(429);
    expect((await login("spray-next@example.com", WRONG, freshAddress())).status).toBe(401);
  });

  test("fifty failures at one account from as many addresses slow that account everywhere, never for long", async () => {
    await signUp("spread@example.com", { password: "the right password" });
    for (let i = 0; i < 50; i++) expect((await login("spread@example.com", WRONG, freshAddress())).status).toBe(401);
    const waiting = await login("spread@example.com", "the right password", freshAddress());
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get("retry-after")).toBe("1");
    clock.advance(1000);
    expect((await login("spread@example.com", "the right password", freshAddress())).status).toBe(200);
  });

  test("the login page and the htmx form say when to try again", async () => {
    await signUp("told@example.com", { password: "the right password" });
    const guesser = freshAddress();
    for (let i = 0; i < 10; i++) {
      clock.advance(60_000);
      await login("told@example.com", WRONG, guesser);
    }
    const form = { email: "told@example.com", password: WRONG };
    const page = await new Client(t.app, "http://localhost").request("POST", "/auth/login", {
      body: new URLSearchParams(form),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "x-forwarded-for": guesser },
    });
    expect(page.status).toBe(429);
    expect(page.text).toContain("<html");
    expect(page.text).toContain("Too many failed attempts. Try again in 32 seconds.");
    clock.advance(30_000);
    const fragment = await new Client(t.app, "http://localhost").request("POST", "/auth/login", {
      body: new URLSearchParams(form),
      headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true", "x-forwarded-for": guesser },
    });
    expect(fragment.status).toBe(429);
    expect(fragment.text).not.toContain("<html");
    expect(fragment.text).toContain("Try again in 2 seconds.");
  });
});

describe("sign-up throttling", () => {
  const signUpFrom = (ip: string, email: string) =>
    new Client(t.app).post("/auth/signup", { email, password: "correct horse battery" }, { "x-forwarded-for": ip });

  test("ten accounts an hour from one address; the eleventh is told when to come back", async () => {
    const factory = freshAddress();
    for (let i = 0; i < 5; i++) expect((await signUpFrom(factory, `made${i}@example.com`)).status).toBe(201);
    // A failed sign-up is not counted.
    expect((await signUpFrom(factory, "made0@example.com")).status).toBe(409);
    for (let i = 5; i < 10; i++) expect((await signUpFrom(factory, `made${i}@example.com`)).status).toBe(201);
    clock.advance(20 * 60_000);
    const refused = await signUpFrom(factory, "made10@example.com");
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ error: "Too many accounts were created from your address. Try again in 40 minutes.", code: "too_many_signups" });
    expect(refused.headers.get("retry-after")).toBe(String(40 * 60));
    expect((await signUpFrom(freshAddress(), "made10@example.com")).status).toBe(201);
    clock.advance(40 * 60_000);
    expect((await signUpFrom(factory, "made11@example.com")).status).toBe(201);
  });

  test("sign-ups sent at once from one address do not slip past the limit", async () => {
    const factory = freshAddress();
    const replies = await Promise.all(Array.from({ length: 14 }, (_, i) => signUpFrom(factory, `burst${i}@example.com`)));
    expect(replies.filter((r) => r.status === 201)).toHaveLength(10);
    expect(replies.filter((r) => r.status === 429)).toHaveLength(4);
  });

  test("the sign-up page says when to try again", async () => {
    const factory = freshAddress();
    for (let i = 0; i < 10; i++) expect((await signUpFrom(factory, `paged${i}@example.com`)).status).toBe(201);
    const page = await new Client(t.app, "http://localhost").request("POST", "/auth/signup", {
      body: new URLSearchParams({ email: "paged10@example.com", password: "correct horse battery" }),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "x-forwarded-for": factory },
    });
    expect(page.status).toBe(429);
    expect(page.text).toContain("<html");
    expect(page.text).toContain("Try again in 1 hour.");
  });
});
