import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { createTestApp, type TestApp } from "../support/app";
import { Client, type Reply } from "../support/client";

/**
 * Every route of the app × every kind of caller. Each route names the least a caller must be:
 * "public" (anyone), "signed-in" (any account, whatever its workspace role), "member", "admin" of the
 * workspace, or "instance" (an administrator of the Sesame instance). Callers below that are refused:
 * 401 without a session, 403 with one. A route missing from the table fails the test, so a new route
 * must be placed in it.
 */
type Needs = "public" | "signed-in" | "member" | "admin" | "instance";

const NEEDS: Record<string, Needs> = {
  "GET /": "public",
  "GET /assets/*": "public",
  "GET /healthz": "public",
  "GET /docs": "public",
  "GET /docs/json": "public",
  "GET /login": "public",
  "GET /signup": "public",
  "GET /forgot": "public",
  "GET /reset/:token": "public",
  "GET /invite/:token": "public",
  "POST /auth/login": "public",
  "POST /auth/signup": "public",
  "POST /auth/forgot": "public",
  "POST /auth/reset": "public",
  "POST /sns/notifications": "public",
  "GET /t/c/:token": "public",
  "HEAD /t/c/:token": "public",
  "GET /t/o/:token": "public",
  "HEAD /t/o/:token": "public",
  "GET /u/:token": "public",
  "POST /u/:token": "public",

  // Ending no session is no harm: it answers 204 either way.
  "POST /auth/logout": "public",
  "GET /auth/me": "signed-in",
  "PATCH /auth/me": "signed-in",
  "POST /auth/password": "signed-in",
  "PUT /me/time-zone": "signed-in",
  "GET /settings/profile": "signed-in",
  "POST /invite/:token/accept": "signed-in",
  "GET /workspaces": "signed-in",
  "POST /workspaces": "signed-in",
  "POST /workspace/switch": "signed-in",

  // Lists, templates, campaigns and what follows from them: every member.
  "GET /dashboard": "member",
  "GET /analytics": "member",
  "GET /analytics/recipients": "member",
  "GET /events": "member",
  "GET /events/timeline": "member",
  "GET /campaigns": "member",
  "POST /campaigns": "member",
  "GET /campaigns/new": "member",
  "POST /campaigns/new": "member",
  "GET /campaigns/:id": "member",
  "PATCH /campaigns/:id": "member",
  "DELETE /campaigns/:id": "member",
  "GET /campaigns/:id/edit": "member",
  "POST /campaigns/:id/edit": "member",
  "GET /campaigns/:id/review": "member",
  "POST /campaigns/:id/launch": "member",
  "POST /campaigns/:id/pause": "member",
  "POST /campaigns/:id/resume": "member",
  "POST /campaigns/:id/cancel": "member",
  "POST /campaigns/:id/resend-unknown": "member",
  "GET /campaigns/:id/recipients": "member",
  "GET /campaigns/:id/attachments": "member",
  "POST /campaigns/:id/attachments": "member",
  "DELETE /campaigns/:id/attachments/:index": "member",
  "POST /attachments": "member",
  "GET /aws/s3/objects": "member",
  "GET /send": "member",
  "POST /send": "member",
  "POST /email/send": "member",
  "GET /email/template": "member",
  "POST /email/template": "member",
  "GET /email/template/:id": "member",
  "PUT /email/template/:id": "member",
  "DELETE /email/template/:id": "member",
  "POST /email/template/:id/duplicate": "member",
  "POST /email/template/:id/preview": "member",
  "GET /email/template/:id/preview.html": "member",
  "POST /email/template/:id/test": "member",
  "GET /templates": "member",
  "GET /templates/new": "member",
  "GET /templates/:id": "member",
  "GET /templates/:id/ses": "member",
  "GET /lists": "member",
  "POST /lists": "member",
  "GET /lists/:id": "member",
  "PATCH /lists/:id": "member",
  "DELETE /lists/:id": "member",
  "GET /lists/:id/contacts": "member",
  "POST /lists/:id/contacts": "member",
  "GET /lists/:id/export.csv": "member",
  "GET /lists/:id/import": "member",
  "POST /lists/:id/import": "member",
  "GET /lists/:id/variables": "member",
  "GET /contacts/:id": "member",
  "PATCH /contacts/:id": "member",
  "DELETE /contacts/:id": "member",
  "GET /imports/:id": "member",
  "GET /imports/:id/banner": "member",
  "POST /imports/:id/start": "member",
  "POST /imports/:id/cancel": "member",
  "GET /imports/:id/errors.csv": "member",
  "GET /suppressions": "member",
  "POST /suppressions": "member",
  // Taking an address off the suppression list can mail someone who asked not to be: admins only.
  "DELETE /suppressions/:id": "admin",
  "GET /suppressions/export.csv": "member",
  "POST /suppressions/import": "member",
  "GET /settings": "member",
  "GET /settings/workspace": "member",
  "GET /settings/members": "member",
  "GET /settings/api-keys": "member",
  "GET /workspace": "member",
  "GET /workspace/members": "member",
  "GET /api-keys": "member",
  "GET /api-keys/table": "member",
  "POST /api-keys": "member",
  "DELETE /api-keys/:id": "member",

  // AWS, read: members see the account's state and pick senders, never a secret (keys are masked for
  // everyone). Their own session-only keys (connect, forget, move region) are theirs to manage; saving or
  // removing the workspace's keys is refused to them inside (tests/credentials).
  "GET /settings/aws": "member",
  "GET /settings/aws/account": "member",
  "GET /settings/aws/identities": "member",
  "GET /settings/aws/identities/:identity": "member",
  "GET /settings/aws/reputation": "member",
  "GET /settings/aws/suppressions": "member",
  "GET /settings/aws/templates": "member",
  "GET /settings/aws/templates/:name": "member",
  "GET /aws/status": "member",
  "POST /aws/connect": "member",
  "DELETE /aws/connect": "member",
  "PUT /aws/region": "member",
  "GET /aws/regions": "member",
  "GET /aws/account": "member",
  "GET /aws/reputation": "member",
  "GET /aws/vdm": "member",
  "GET /aws/events": "member",
  "GET /aws/identities": "member",
  "GET /aws/identities/:identity": "member",
  "GET /aws/suppressions": "member",
  "GET /aws/suppressions/attributes": "member",
  "GET /aws/suppressions/settings": "member",
  "GET /aws/suppressions/sync": "member",
  "GET /aws/templates": "member",
  "GET /aws/templates/:name": "member",
  "POST /aws/templates/:name/import": "member",
  "POST /aws/templates/:name/render": "member",
  "GET /aws/s3": "member",

  // Credentials, members and settings: the workspace's admins and owners.
  "PATCH /workspace": "admin",
  "GET /workspace/invites": "admin",
  "POST /workspace/invites": "admin",
  "DELETE /workspace/invites/:id": "admin",
  "PATCH /workspace/members/:userId": "admin",
  "DELETE /workspace/members/:userId": "admin",
  "GET /audit": "admin",
  "GET /settings/aws/templates/new": "admin",
  "PUT /aws/account/sending": "admin",
  "PUT /aws/configuration-set/reputation": "admin",
  "PUT /aws/configuration-set/sending": "admin",
  "PUT /aws/vdm": "admin",
  "POST /aws/production-access": "admin",
  "PUT /aws/events": "admin",
  "POST /aws/events/setup": "admin",
  "POST /aws/identities": "admin",
  "DELETE /aws/identities/:identity": "admin",
  "PUT /aws/identities/:identity/mail-from": "admin",
  "PUT /aws/suppressions": "admin",
  "DELETE /aws/suppressions/:email": "admin",
  "PUT /aws/suppressions/attributes": "admin",
  "PUT /aws/suppressions/settings": "admin",
  "POST /aws/suppressions/sync": "admin",
  "POST /aws/templates": "admin",
  "PUT /aws/templates/:name": "admin",
  "DELETE /aws/templates/:name": "admin",
  "PUT /aws/s3": "admin",
  "DELETE /aws/s3": "admin",

  // The instance's own administration.
  "GET /admin": "instance",
  "GET /admin/users": "instance",
  "PATCH /admin/users/:id": "instance",
  "POST /admin/users/:id/reset-link": "instance",
  "GET /admin/workspaces": "instance",
  "GET /admin/settings": "instance",
  "PUT /admin/signup": "instance",
  "PUT /admin/system-mail": "instance",
  "DELETE /admin/system-mail": "instance",
  "POST /admin/system-mail/test": "instance",
  "GET /admin/limits": "instance",
  "PUT /admin/limits": "instance",
  "PATCH /admin/api-keys/:id": "instance",
  "GET /admin/audit": "instance",
};

type Caller = "anonymous" | "member" | "admin" | "owner";
/** What each caller is: the owner is an ordinary account (not an instance administrator). */
const RANK: Record<Caller, number> = { anonymous: 0, member: 2, admin: 3, owner: 4 };
const NEEDED_RANK: Record<Needs, number> = { public: 0, "signed-in": 1, member: 2, admin: 3, instance: 5 };

interface Route {
  method: string;
  path: string;
  hooks?: { body?: TSchema };
}

let t: TestApp;
let routes: Route[];
const callers = {} as Record<Exclude<Caller, "anonymous">, Client> & { root: Client };
const ids = {} as Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  routes = (t.app as unknown as { routes: Route[] }).routes;
  // The first account runs the instance; the workspace under test belongs to an ordinary account.
  callers.root = new Client(t.app);
  await callers.root.signup("root@example.com");
  callers.owner = new Client(t.app);
  const owner = await callers.owner.signup("owner@example.com");
  ids.owner = owner.user.id;
  for (const role of ["admin", "member"] as const) {
    const invite = await callers.owner.post("/workspace/invites", { role });
    expect(invite.status).toBe(201);
    const token = new URL(invite.json.url).pathname.split("/").pop()!;
    const c = new Client(t.app);
    ids[role] = (await c.signup(`${role}@example.com`, "correct horse battery")).user.id;
    expect((await c.post(`/invite/${token}/accept`)).status).toBeLessThan(400);
    expect((await c.get("/auth/me")).json.workspace.id).toBe(owner.workspace.id);
    callers[role] = c;
  }
  // Real things of the workspace, so a refusal cannot be a "not found" in disguise.
  ids.list = (await callers.owner.post("/lists", { name: "Matrix" })).json.id;
  ids.template = (await callers.owner.post("/email/template", { name: "Matrix", subject: "Hi", html: "<p>Hi</p>" })).json.id;
  ids.campaign = (await callers.owner.post("/campaigns", { name: "Matrix", from: "a@example.com", subject: "Hi", html: "<p>Hi</p>", listIds: [ids.list] })).json.id;
  ids.contact = (await callers.owner.post(`/lists/${ids.list}/contacts`, { email: "c@example.com" })).json?.id ?? "ct_missing";
  ids.key = (await callers.owner.post("/api-keys", { name: "Matrix", scope: "full" })).json.id;
  ids.invite = (await callers.owner.post("/workspace/invites", { role: "member" })).json.id;
});
afterAll(async () => {
  await t.close();
});

/** The path with its parameters filled with the workspace's real things (or harmless stand-ins). */
function fill(route: Route): string {
  return route.path
    .replace("*", "app.js")
    .replace(/^\/campaigns\/:id/, `/campaigns/${ids.campaign}`)
    .replace(/^\/lists\/:id/, `/lists/${ids.list}`)
    .replace(/^\/email\/template\/:id/, `/email/template/${ids.template}`)
    .replace(/^\/templates\/:id/, `/templates/${ids.template}`)
    .replace(/^\/contacts\/:id/, `/contacts/${ids.contact}`)
    .replace(/^\/suppressions\/:id/, "/suppressions/1")
    .replace(/^\/api-keys\/:id/, `/api-keys/${ids.key}`)
    .replace(/^\/admin\/api-keys\/:id/, `/admin/api-keys/${ids.key}`)
    .replace(/^\/workspace\/invites\/:id/, `/workspace/invites/${ids.invite}`)
    .replace(":userId", ids.admin!)
    .replace(/^\/admin\/users\/:id/, `/admin/users/${ids.member}`)
    .replace(":identity", "example.com")
    .replace(":email", "someone%40example.com")
    .replace(":name", "matrix")
    .replace(":index", "0")
    .replace(":token", "not-a-token")
    .replace(":id", "x_missing");
}

/** A body the route's schema accepts, so a refusal is about the caller and not the input. */
const BODIES: Record<string, unknown> = {
  "PATCH /workspace/members/:userId": { role: "member" },
};

function bodyFor(route: Route): unknown {
  const given = BODIES[`${route.method} ${route.path}`];
  if (given) return given;
  const schema = route.hooks?.body;
  if (!schema || typeof schema !== "object" || !("type" in schema)) return {};
  try {
    return Value.Create(schema);
  } catch {
    return {};
  }
}

async function call(c: Client | null, route: Route, standIns = false): Promise<Reply> {
  const client = c ?? new Client(t.app);
  const path = standIns ? route.path.replace("*", "app.js").replace(/^\/suppressions\/:id/, "/suppressions/999999").replace(/:\w+/g, "x_missing") : fill(route);
  if (route.method === "GET" || route.method === "HEAD") return client.request(route.method, path);
  return client.request(route.method, path, { json: bodyFor(route) });
}

describe("role × route", () => {
  test("every route of the app is placed in the table (and the table names no route that is gone)", () => {
    const actual = routes.map((r) => `${r.method} ${r.path}`).sort();
    expect(actual.filter((r) => !(r in NEEDS))).toEqual([]);
    expect(Object.keys(NEEDS).filter((r) => !actual.includes(r))).toEqual([]);
  });

  test("every caller below what a route needs is refused: 401 without a session, 403 with one", async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const needs = NEEDS[`${route.method} ${route.path}`];
      if (!needs || needs === "public") continue;
      for (const caller of ["anonymous", "member", "admin", "owner"] as Caller[]) {
        if (RANK[caller] >= NEEDED_RANK[needs]) continue;
        const r = await call(caller === "anonymous" ? null : callers[caller], route);
        const expected = caller === "anonymous" ? 401 : 403;
        if (r.status !== expected) wrong.push(`${caller} ${route.method} ${route.path} → ${r.status} ${r.text.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test("the callers a route is for get past the role check", async () => {
    const wrong: string[] = [];
    // Calls that would end the session or change who the caller is are left out.
    const skip = new Set(["POST /auth/logout", "POST /workspace/switch", "POST /invite/:token/accept", "DELETE /aws/connect"]);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const needs = NEEDS[key];
      if (!needs || needs === "public" || needs === "instance" || skip.has(key)) continue;
      const caller = needs === "admin" ? "admin" : "member";
      // Stand-in ids: nothing real is changed, and a 404 or 422 still shows the role check passed.
      const r = await call(callers[caller], route, true);
      if (r.status === 401 || r.status === 403) wrong.push(`${caller} ${key} → ${r.status} ${r.text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
  });

  test("an instance administrator reaches the admin routes", async () => {
    for (const route of routes.filter((r) => NEEDS[`${r.method} ${r.path}`] === "instance" && r.method === "GET")) {
      const r = await call(callers.root, route);
      expect({ route: route.path, status: r.status }).toEqual({ route: route.path, status: 200 });
    }
  });
});
