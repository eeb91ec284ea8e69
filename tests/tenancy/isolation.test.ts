import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { importInto } from "../support/imports";

/**
 * Two workspaces, and every route that exists: neither can read or change the other's rows.
 * Each route must be classified below; a new route that is not fails the first test, so whoever adds
 * it decides (and proves) how it is scoped.
 */

/** Open to anyone, or about the caller only: no workspace data to leak. */
const PUBLIC = [
  "GET /assets/*",
  "GET /healthz",
  "GET /login",
  "GET /signup",
  "POST /auth/signup",
  "POST /auth/login",
  "POST /auth/logout",
  "GET /",
  // Authenticated by SNS signature and a registered topic (tests/events/sns.test.ts).
  "POST /sns/notifications",
  // Authenticated by the link's signature (tests/unsubscribe/unsubscribe.test.ts).
  "GET /u/:token",
  "POST /u/:token",
];

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
  "GET /settings": { path: "/settings" },
  "GET /events": { path: "/events" },
  "GET /settings/aws": { path: "/settings/aws" },
  "GET /aws/status": { path: "/aws/status" },
  "GET /aws/identities": { path: "/aws/identities" },
  "GET /aws/events": { path: "/aws/events" },
  "POST /aws/connect": { path: "/aws/connect", body: { accessKeyId: "AKIABOBSKEY000000000", secretAccessKey: "bobs-secret-access-key-0000000000000000", region: "us-east-1", save: true } },
  "DELETE /aws/connect": { path: "/aws/connect" },
  "POST /aws/identities": { path: "/aws/identities", body: { identity: "bob.example.com" } },
  "POST /aws/events/setup": { path: "/aws/events/setup" },
  "PUT /aws/events": { path: "/aws/events", body: { topicArn: "arn:aws:sns:us-east-1:123456789012:bobs-topic" } },
  "GET /lists": { path: "/lists" },
  "POST /lists": { path: "/lists", body: { name: "Bob's list" } },
  "GET /lists/:id": { path: "/lists/:alice-list" },
  "GET /lists/:id/contacts": { path: "/lists/:alice-list/contacts" },
  "GET /lists/:id/export.csv": { path: "/lists/:alice-list/export.csv" },
  "GET /lists/:id/import": { path: "/lists/:alice-list/import" },
  "POST /lists/:id/import": { path: "/lists/:alice-list/import", body: { file: "email\nbob-was-here@example.com\n" } },
  "DELETE /lists/:id": { path: "/lists/:alice-list" },
  "DELETE /contacts/:id": { path: "/contacts/:alice-contact" },
  "PATCH /lists/:id": { path: "/lists/:alice-list", body: { name: "Hijacked" } },
  "POST /lists/:id/contacts": { path: "/lists/:alice-list/contacts", body: { email: "bob-added@example.com" } },
  "GET /contacts/:id": { path: "/contacts/:alice-contact" },
  "PATCH /contacts/:id": { path: "/contacts/:alice-contact", body: { attributes: { company: "Hijacked" } } },
  "GET /imports/:id/banner": { path: "/imports/:alice-import/banner" },
  "POST /imports/:id/cancel": { path: "/imports/:alice-import/cancel" },
  "GET /settings/workspace": { path: "/settings/workspace" },
  "GET /workspace": { path: "/workspace" },
  "PATCH /workspace": { path: "/workspace", body: { name: "Bob's renamed workspace" } },
  "GET /imports/:id": { path: "/imports/:alice-import" },
  "POST /imports/:id/start": { path: "/imports/:alice-import/start", body: { email: "email" } },
  "GET /imports/:id/errors.csv": { path: "/imports/:alice-import/errors.csv" },
  "GET /suppressions": { path: "/suppressions" },
  "POST /suppressions": { path: "/suppressions", body: { email: "bob-suppressed@example.com" } },
  "POST /suppressions/import": { path: "/suppressions/import", body: { file: "email\nbob-import@example.com\n" } },
  "GET /suppressions/export.csv": { path: "/suppressions/export.csv" },
  "DELETE /suppressions/:id": { path: "/suppressions/:alice-suppression" },
  "GET /lists/:id/variables": { path: "/lists/:alice-list/variables" },
  "GET /templates": { path: "/templates" },
  "GET /templates/new": { path: "/templates/new" },
  "GET /templates/:id": { path: "/templates/:alice-template" },
  "GET /email/template": { path: "/email/template" },
  "POST /email/template": { path: "/email/template", body: { name: "Bob's", subject: "Bob", html: "<p>Bob</p>" } },
  "GET /email/template/:id": { path: "/email/template/:alice-template" },
  "PUT /email/template/:id": { path: "/email/template/:alice-template", body: { name: "Hijacked", subject: "Hijacked", html: "<p>Hijacked</p>" } },
  "DELETE /email/template/:id": { path: "/email/template/:alice-template" },
  "POST /email/template/:id/duplicate": { path: "/email/template/:alice-template/duplicate" },
  "POST /email/template/:id/preview": { path: "/email/template/:alice-template/preview", body: {} },
  "GET /email/template/:id/preview.html": { path: "/email/template/:alice-template/preview.html" },
  "POST /email/template/:id/test": { path: "/email/template/:alice-template/test", body: { to: "bob@example.com", from: "bob@example.com" } },
};

const MARKER = "alicemarker";
const ALICE_KEY = { accessKeyId: "AKIAALICEKEY00000001", secretAccessKey: "alice-secret-access-key-000000000000000" };

let emulator: Emulator;
let fake: AwsFake;
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
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [ALICE_KEY.accessKeyId]: { secret: ALICE_KEY.secretAccessKey } } });
  t = await createTestApp({ startJobs: true, env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url, PUBLIC_URL: "https://sesame.example.com" } });
  alice = new Client(t.app);
  const a = await alice.post("/auth/signup", { email: `${MARKER}@example.com`, password: "alice's password", name: MARKER });
  ids["alice-user"] = a.json.user.id;
  ids["alice-workspace"] = a.json.workspace.id;
  // Alice's workspace holds a row of every kind Bob might reach for.
  expect((await alice.post("/aws/connect", { ...ALICE_KEY, region: "us-east-1", save: true })).status).toBe(200);
  expect((await alice.post("/aws/events/setup")).status).toBe(200);
  const imported = await importInto(alice, `email,company\n${MARKER}-contact@example.com,${MARKER} Corp\nbad-row\n`, {}, `${MARKER} list`);
  ids["alice-list"] = imported.listId;
  ids["alice-import"] = imported.report.id;
  ids["alice-contact"] = String((await alice.get(`/lists/${imported.listId}/contacts`)).json.items[0].id);
  await alice.post("/suppressions", { email: `${MARKER}-suppressed@example.com` });
  ids["alice-template"] = (await alice.post("/email/template", { name: `${MARKER} template`, subject: `${MARKER} news`, html: `<p>${MARKER}</p>` })).json.id;
  ids["alice-suppression"] = String((await alice.get("/suppressions")).json.items[0].id);
  // Bob is an ordinary user: the owner of his own workspace, not an instance admin.
  bob = new Client(t.app);
  await bob.signup("bob@example.com");
});
afterAll(async () => {
  await t.close();
  await fake.stop();
  await emulator.stop();
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
      const file = (probe.body as { file?: string } | undefined)?.file;
      const reply = file
        ? await bob.request(method, fill(probe.path), { body: file, headers: { "content-type": "text/csv" } })
        : await bob.request(method, fill(probe.path), { json: probe.body });
      const leaked = [MARKER, ids["alice-workspace"]!, "AKIA…0001", ALICE_KEY.secretAccessKey].filter((m) => reply.text.includes(m));
      expect({ route, leaked }).toEqual({ route, leaked: [] });
      expect({ route, status: reply.status < 500 }).toEqual({ route, status: true });
      if (route.includes(":")) expect({ route, status: reply.status }).toEqual({ route, status: 404 });
    }
    expect(await snapshot(alice)).toEqual(before);
  });

  test("Alice does see her own workspace, so the probes above are meaningful", async () => {
    const me = await alice.get("/auth/me");
    expect(me.text).toContain(MARKER);
    expect((await alice.get("/dashboard")).text).toContain(MARKER);
    expect((await alice.get("/aws/status")).text).toContain("AKIA…0001");
    expect((await alice.get("/aws/events")).text).toContain(ids["alice-workspace"]!);
    expect((await alice.get(fill("/lists/:alice-list/export.csv"))).text).toContain(MARKER);
    expect((await alice.get(fill("/imports/:alice-import"))).json.status).toBe("done");
    expect((await alice.get(fill("/imports/:alice-import/errors.csv"))).text).toContain("bad-row");
    expect((await alice.get("/suppressions")).text).toContain(MARKER);
    expect((await alice.get(fill("/email/template/:alice-template"))).text).toContain(MARKER);
    expect((await alice.get(fill("/lists/:alice-list/variables"))).json.variables).toContain("company");
  });
});
