import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

let t: TestApp;
let https: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  https = await createTestApp({ env: { PUBLIC_URL: "https://mail.example.com" } });
});
afterAll(async () => {
  await t.close();
  await https.close();
});

describe("security headers", () => {
  test("every response carries a self-only CSP, nosniff, frame-ancestors none and a Referrer-Policy", async () => {
    for (const path of ["/login", "/healthz", "/nope", "/assets/build/app.css"]) {
      const reply = await new Client(t.app).get(path);
      const csp = reply.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-eval");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(reply.headers.get("x-content-type-options")).toBe("nosniff");
      expect(reply.headers.get("referrer-policy")).toBe("same-origin");
    }
  });

  test("pages load scripts and styles only from this server's /assets/", async () => {
    const page = (await new Client(t.app).get("/login")).text;
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) expect(source.startsWith("/")).toBe(true);
    for (const asset of sources.filter((s) => s.startsWith("/assets/"))) {
      expect({ asset, status: (await new Client(t.app).get(asset)).status }).toEqual({ asset, status: 200 });
    }
  });

  test("asset paths cannot climb out of public/", async () => {
    for (const path of ["/assets/../package.json", "/assets/%2e%2e/package.json", "/assets/..%2fsrc/config.ts"]) {
      expect((await new Client(t.app).get(path)).status).toBe(404);
    }
  });

  test("over HTTPS the cookie is Secure with the __Host- prefix, and HSTS is sent", async () => {
    const reply = await new Client(https.app).post("/auth/signup", { email: "tls@example.com", password: "correct horse battery" });
    const cookie = reply.headers.getSetCookie()[0]!;
    expect(cookie.startsWith("__Host-sesame_session=")).toBe(true);
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Domain=");
    expect(reply.headers.get("strict-transport-security")).toContain("max-age=");
  });
});

describe("cross-origin writes", () => {
  test("a state-changing request from another origin is refused with 403", async () => {
    const victim = new Client(t.app);
    await victim.signup("victim@example.com");
    const attacker = new Client(t.app, "https://evil.example");
    attacker.cookies = victim.cookies;
    const reply = await attacker.post("/auth/logout");
    expect(reply.status).toBe(403);
    expect(reply.json.code).toBe("cross_origin");
    expect((await victim.get("/auth/me")).status).toBe(200);
  });

  test("Sec-Fetch-Site cross-site or same-site without Origin is refused too", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const reply = await new Client(t.app).post("/auth/login", { email: "x@example.com", password: "whatever pass" }, { "sec-fetch-site": site });
      expect(reply.status).toBe(403);
    }
  });

  test("same-origin browsers and non-browser clients (no Origin, no Sec-Fetch-Site) are judged by credentials alone", async () => {
    const browser = new Client(t.app, "http://localhost");
    expect((await browser.post("/auth/signup", { email: "same@example.com", password: "correct horse battery" }, { "sec-fetch-site": "same-origin" })).status).toBe(201);
    const script = new Client(t.app);
    expect((await script.post("/auth/signup", { email: "script@example.com", password: "correct horse battery" })).status).toBe(201);
    const publicOrigin = new Client(https.app, "https://mail.example.com");
    expect((await publicOrigin.post("/auth/signup", { email: "public@example.com", password: "correct horse battery" })).status).toBe(201);
  });

  test("a page served under another host name (DNS rebinding) cannot write, even though Origin matches that Host", async () => {
    const rebound = await t.app.handle(
      new Request("http://rebound.attacker.example:3000/auth/signup", {
        method: "POST",
        headers: { origin: "http://rebound.attacker.example:3000", "content-type": "application/json", "sec-fetch-site": "same-origin" },
        body: JSON.stringify({ email: "rebound@example.com", password: "correct horse battery" }),
      }),
    );
    expect(rebound.status).toBe(403);
    // The refusal names the address to use instead, for someone who simply opened another address.
    expect((await rebound.json()).error).toContain("http://localhost");
    expect((await new Client(t.app).post("/auth/login", { email: "rebound@example.com", password: "correct horse battery" })).status).toBe(401);
  });

  test("Sesame opened on this machine's own loopback address may write, though PUBLIC_URL names another", async () => {
    for (const base of ["http://127.0.0.1:3000", "http://localhost:3000", "http://[::1]:3000"]) {
      const reply = await https.app.handle(
        new Request(`${base}/auth/login`, {
          method: "POST",
          headers: { origin: base, "content-type": "application/json", "sec-fetch-site": "same-origin" },
          body: JSON.stringify({ email: "nobody@example.com", password: "not the password" }),
        }),
      );
      expect({ base, status: reply.status }).toEqual({ base, status: 401 });
    }
    // Another machine's name is refused, with the address to use.
    const lan = await https.app.handle(
      new Request("http://192.168.1.20:3000/auth/login", {
        method: "POST",
        headers: { origin: "http://192.168.1.20:3000", "content-type": "application/json" },
        body: JSON.stringify({ email: "nobody@example.com", password: "not the password" }),
      }),
    );
    expect(lan.status).toBe(403);
    expect((await lan.json()).error).toContain("https://mail.example.com");
  });

  test("a GET from anywhere changes nothing and is allowed", async () => {
    expect((await new Client(t.app, "https://evil.example").get("/healthz")).status).toBe(200);
  });
});

describe("logs", () => {
  test("request logs are structured and hold no password, cookie or token", async () => {
    const c = new Client(t.app);
    await c.post("/auth/signup", { email: "logged@example.com", password: "a password to hide" });
    await c.get("/auth/me");
    await c.post("/auth/login", { email: "logged@example.com", password: "a wrong one to hide" });
    const lines = t.logs.map((l) => JSON.parse(l));
    expect(lines.some((l) => l.msg === "request" && l.route === "/auth/signup" && l.status === 201)).toBe(true);
    const all = t.logs.join("\n");
    expect(all).not.toContain("a password to hide");
    expect(all).not.toContain("a wrong one to hide");
    const token = c.cookies.get("sesame_session")!;
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split(".")[1]!);
  });
});
