import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";

/**
 * Two workspaces, and every route that exists: neither can read or change the other's rows.
 * Each route must be classified below; a new route that is not fails the first test, so whoever adds
 * it decides (and proves) how it is scoped.
 */

/** Open to anyone, or about the caller only: no workspace data to leak. */
const PUBLIC = ["GET /assets/*", "GET /healthz", "GET /login", "GET /signup", "POST /auth/signup", "POST /auth/login", "POST /auth/logout", "GET /"];

/** Instance administration: a workspace owner who is not an instance admin gets 403. */
const INSTANCE_ADMIN: Record<string, { path: string; body?: unknown }> = {
  "GET /admin": { path: "/admin" },
  "GET /admin/users": { path: "/admin/users" },
  "PATCH /admin/users/:id": { path: "/admin/users/:alice-user", body: { disabled: true } },
};

/** Workspace routes: `path` is filled with Alice's ids; Bob calls them and must learn or change nothing. */
const WORKSPACE: Record<string, { path: string; body?: unknown }> = {
  "GET /auth/me": { path: "/auth/me" },
  "GET /dashboard": { path: "/dashboard" },
  "GET /campaigns": { path: "/campaigns" },
  "GET /lists": { path: "/lists" },
  "GET /templates": { path: "/templates" },
  "GET /settings": { path: "/settings" },
  "GET /events": { path: "/events" },
};

const MARKER = "alicemarker";

let t: TestApp;
let alice: Client;
let bob: Client;
const ids: Record<string, string> = {};

function fill(path: string): string {
  return path.replace(/:([a-z-]+)/g, (_, name: string) => ids[name] ?? `:${name}`);
}

async function snapshot(client: Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [route, probe] of Object.entries(WORKSPACE)) {
    if (route.startsWith("GET ")) out[route] = (await client.get(fill(probe.path))).text;
  }
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  alice = new Client(t.app);
  const a = await alice.post("/auth/signup", { email: `${MARKER}@example.com`, password: "alice's password", name: MARKER });
  ids["alice-user"] = a.json.user.id;
  ids["alice-workspace"] = a.json.workspace.id;
  // Bob is an ordinary user: the owner of his own workspace, not an instance admin.
  bob = new Client(t.app);
  await bob.signup("bob@example.com");
});
afterAll(async () => {
  await t.close();
});

describe("tenancy", () => {
  test("every route is classified as public, instance-admin or workspace-scoped", () => {
    const known = new Set([...PUBLIC, ...Object.keys(INSTANCE_ADMIN), ...Object.keys(WORKSPACE)]);
    const unclassified = t.app.routes.map((r) => `${r.method} ${r.path}`).filter((r) => !known.has(r));
    expect(unclassified).toEqual([]);
  });

  test("a non-admin gets 403 from every instance-admin route, and nothing changes", async () => {
    for (const [route, probe] of Object.entries(INSTANCE_ADMIN)) {
      const method = route.split(" ")[0]!;
      const reply = await bob.request(method, fill(probe.path), { json: probe.body });
      expect({ route, status: reply.status }).toEqual({ route, status: 403 });
      expect(reply.text).not.toContain(MARKER);
    }
    expect((await alice.get("/auth/me")).status).toBe(200);
  });

  test("Bob's view of every workspace route shows nothing of Alice's workspace", async () => {
    const before = await snapshot(alice);
    for (const [route, probe] of Object.entries(WORKSPACE)) {
      const method = route.split(" ")[0]!;
      const reply = await bob.request(method, fill(probe.path), { json: probe.body });
      expect({ route, leaked: reply.text.includes(MARKER) || reply.text.includes(ids["alice-workspace"]!) }).toEqual({ route, leaked: false });
      if (route.includes(":")) expect({ route, status: reply.status }).toEqual({ route, status: 404 });
    }
    expect(await snapshot(alice)).toEqual(before);
  });

  test("Alice does see her own workspace, so the probes above are meaningful", async () => {
    const me = await alice.get("/auth/me");
    expect(me.text).toContain(MARKER);
    expect((await alice.get("/dashboard")).text).toContain(MARKER);
  });
});
