import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Auth } from "../../src/features/auth/model";
import { userTimeZone } from "../../src/features/auth/service";
import { createTestApp, fakeClock, type TestApp } from "../support/app";
import { Client } from "../support/client";

// Every test signs up or logs in, an argon2 hash or check each: slow on a busy machine.
setDefaultTimeout(60_000);

const PASSWORD = "correct horse battery";
const clock = fakeClock(new Date("2026-12-02T08:30:00Z"));
let t: TestApp;
beforeAll(async () => {
  // Behind one trusted proxy, so each sign-up comes from an address of its own (sign-ups per address are limited).
  t = await createTestApp({ clock, env: { TRUST_PROXY: "1" } });
});
afterAll(async () => {
  await t.close();
});

let addresses = 0;
function freshAddress(): string {
  addresses++;
  return `10.20.${addresses >> 8}.${addresses & 255}`;
}

let accounts = 0;
async function signUp(body: Record<string, unknown> = {}) {
  const client = new Client(t.app);
  const email = `zone-${++accounts}@example.com`;
  const reply = await client.post("/auth/signup", { email, password: PASSWORD, ...body }, { "x-forwarded-for": freshAddress() });
  expect(reply.status).toBe(201);
  return { client, email };
}

async function storedZone(email: string): Promise<string | null> {
  const rows = await t.database.db.orm.select().from(t.database.db.t.users);
  return rows.find((row) => row.email === email)!.timeZone;
}

async function zoneOf(client: Client): Promise<string | null> {
  const me = await client.get("/auth/me");
  expect(me.status).toBe(200);
  return me.json.user.timeZone;
}

function formPut(client: Client, path: string, fields: Record<string, string>) {
  return client.request("PUT", path, {
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
  });
}

describe("the zone given at sign-up", () => {
  test("sign-up keeps the browser's zone, and /auth/me shows it", async () => {
    const { client, email } = await signUp({ timeZone: "Europe/Paris" });
    expect(await storedZone(email)).toBe("Europe/Paris");
    expect(await zoneOf(client)).toBe("Europe/Paris");
  });

  test("the sign-up form's hidden field is read too, and an older name is kept as today's IANA name", async () => {
    const client = new Client(t.app);
    const reply = await client.request("POST", "/auth/signup", {
      body: new URLSearchParams({ name: "Indira", email: "form-zone@example.com", password: PASSWORD, timeZone: "Asia/Calcutta" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", "x-forwarded-for": freshAddress() },
    });
    expect(reply.status).toBe(303);
    expect(await zoneOf(client)).toBe("Asia/Kolkata");
  });

  test("without a zone, or with one that is not a zone, sign-up still succeeds and the account has none", async () => {
    for (const timeZone of [undefined, "", "Mars/Olympus_Mons", "+05:30", 42, null, { zone: "Europe/Paris" }, "x".repeat(5000)]) {
      const { client, email } = await signUp(timeZone === undefined ? {} : { timeZone });
      expect(await storedZone(email)).toBeNull();
      expect(await zoneOf(client)).toBeNull();
    }
  });
});

describe("the zone given at login", () => {
  test("login keeps the browser's zone when the account has none, and never replaces one it has", async () => {
    const { email } = await signUp();
    const first = new Client(t.app);
    expect((await first.post("/auth/login", { email, password: PASSWORD, timeZone: "America/New_York" })).status).toBe(200);
    expect(await storedZone(email)).toBe("America/New_York");
    expect(await zoneOf(first)).toBe("America/New_York");

    const elsewhere = new Client(t.app);
    expect((await elsewhere.post("/auth/login", { email, password: PASSWORD, timeZone: "Asia/Tokyo" })).status).toBe(200);
    expect(await storedZone(email)).toBe("America/New_York");
    expect(await zoneOf(elsewhere)).toBe("America/New_York");
  });

  test("a zone that is not one is ignored at login, never an error", async () => {
    const { email } = await signUp();
    for (const timeZone of ["Nowhere/Special", "", 7, "<script>"]) {
      const c = new Client(t.app);
      expect((await c.post("/auth/login", { email, password: PASSWORD, timeZone })).status).toBe(200);
      expect(await zoneOf(c)).toBeNull();
    }
    const htmx = new Client(t.app);
    const reply = await htmx.request("POST", "/auth/login", {
      body: new URLSearchParams({ email, password: PASSWORD, timeZone: "Europe/Nowhere" }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("hx-redirect")).toBe("/dashboard");
    expect(await storedZone(email)).toBeNull();
  });

  test("a wrong password stores nothing, whatever zone it brings", async () => {
    const { email } = await signUp();
    const reply = await new Client(t.app).post("/auth/login", { email, password: "not the password", timeZone: "Europe/Paris" }, { "x-forwarded-for": freshAddress() });
    expect(reply.status).toBe(401);
    expect(await storedZone(email)).toBeNull();
  });
});

describe("PUT /me/time-zone", () => {
  test("a person changes their zone, over JSON or the settings form, and the form says so", async () => {
    const { client } = await signUp({ timeZone: "Europe/Paris" });
    const json = await client.put("/me/time-zone", { timeZone: "Pacific/Chatham" });
    expect(json.status).toBe(204);
    expect(json.text).toBe("");
    expect(await zoneOf(client)).toBe("Pacific/Chatham");

    const form = await formPut(client, "/me/time-zone", { timeZone: "Asia/Kolkata" });
    expect(form.status).toBe(200);
    expect(form.text).toContain("Saved. Schedules are now entered and shown in Asia/Kolkata (UTC+05:30).");
    expect(await zoneOf(client)).toBe("Asia/Kolkata");
  });

  test("a name that is not a zone is refused with 400 and a sentence, and the zone stays", async () => {
    const { client } = await signUp({ timeZone: "Europe/Paris" });
    for (const timeZone of ["Mars/Olympus_Mons", "", "+02:00", "Europe/Paris/Louvre"]) {
      const reply = await client.put("/me/time-zone", { timeZone });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ error: "Choose a time zone from the list, such as Europe/Paris.", code: "invalid_time_zone" });
    }
    const form = await formPut(client, "/me/time-zone", { timeZone: "Nowhere" });
    expect(form.status).toBe(400);
    expect(form.text).toContain("Choose a time zone from the list");
    expect(await zoneOf(client)).toBe("Europe/Paris");
  });

  test("a page's report of the browser's zone fills an empty one only, and is ignored when it is not a zone", async () => {
    const { client } = await signUp();
    expect((await client.put("/me/time-zone", { timeZone: "Not/AZone", ifNone: true })).status).toBe(204);
    expect(await zoneOf(client)).toBeNull();
    expect((await client.put("/me/time-zone", { timeZone: "Europe/Kiev", ifNone: true })).status).toBe(204);
    expect(await zoneOf(client)).toBe("Europe/Kyiv");
    expect((await client.put("/me/time-zone", { timeZone: "America/New_York", ifNone: true })).status).toBe(204);
    expect(await zoneOf(client)).toBe("Europe/Kyiv");
  });

  test("only a signed-in person on Sesame's own pages can change it", async () => {
    expect((await new Client(t.app).put("/me/time-zone", { timeZone: "Europe/Paris" })).status).toBe(401);
    const { client } = await signUp({ timeZone: "Europe/Paris" });
    client.origin = "https://evil.example";
    const reply = await client.put("/me/time-zone", { timeZone: "Asia/Tokyo" });
    expect(reply.status).toBe(403);
    expect(reply.json.code).toBe("cross_origin");
    client.origin = "http://localhost";
    expect((await client.put("/me/time-zone", { timeZone: "Asia/Tokyo" })).status).toBe(204);
    expect(await zoneOf(client)).toBe("Asia/Tokyo");
  });
});

describe("pages", () => {
  test("the log-in and sign-up forms carry a field for the browser's zone", async () => {
    for (const path of ["/login", "/signup"]) {
      const page = await new Client(t.app).get(path);
      expect(page.text).toContain('<input type="hidden" name="timeZone" value="" data-browser-time-zone');
    }
  });

  test("pages ask the browser for its zone only while the account has none", async () => {
    const { client } = await signUp();
    expect((await client.get("/dashboard")).text).toContain("data-needs-time-zone");
    await client.put("/me/time-zone", { timeZone: "Europe/Paris", ifNone: true });
    expect((await client.get("/dashboard")).text).not.toContain("data-needs-time-zone");
  });

  test("the settings page offers every zone with the person's own chosen, and the time there now", async () => {
    const { client } = await signUp({ timeZone: "Asia/Kolkata" });
    const page = await client.get("/settings");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Your time zone");
    expect(page.text).toContain('hx-put="/me/time-zone"');
    expect(page.text).toMatch(/<option value="Asia\/Kolkata" selected>Asia\/Kolkata<\/option>/);
    expect(page.text).toContain('<option value="Europe/Paris">Europe/Paris</option>');
    expect(page.text).toContain("It is now Wed 2 Dec 2026, 14:00 there (UTC+05:30).");

    const { client: fresh } = await signUp();
    const unset = await fresh.get("/settings");
    expect(unset.text).toContain('<option value="" selected>Choose your time zone</option>');
    expect(unset.text).toContain("Not set yet");
  });
});

test("userTimeZone gives the person's zone, or UTC while they have none", () => {
  const auth = (timeZone: string | null): Auth => ({
    user: { id: "usr_1", email: "a@example.com", name: "", role: "user", timeZone },
    workspace: { id: "wsp_1", name: "W" },
    workspaceRole: "owner",
    session: { id: "s", awsCredentials: null },
  });
  expect(userTimeZone(auth("Europe/Paris"))).toBe("Europe/Paris");
  expect(userTimeZone(auth(null))).toBe("UTC");
});
