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
  // Open pixel and click redirect: authenticated by the link's signature, scoped by the workspace it names (tests/tracking/routes.test.ts).
  "GET /t/o/:token",
  "HEAD /t/o/:token",
  "GET /t/c/:token",
  "HEAD /t/c/:token",
  // The API reference: it describes the API and holds no data (tests/docs/openapi.test.ts).
  "GET /docs",
  "GET /docs/json",
  // Forgotten passwords: the same answer for every address; the reset link is its own credential (tests/auth/reset.test.ts).
  "GET /forgot",
  "POST /auth/forgot",
  "GET /reset/:token",
  "POST /auth/reset",
  // An invite link shows only the workspace it invites to, to whoever holds it (tests/workspaces/invites.test.ts).
  "GET /invite/:token",
];

/** Instance administration: a workspace owner who is not an instance admin gets 403. */
const INSTANCE_ADMIN: Record<string, { path: string; body?: unknown }> = {
  "GET /admin": { path: "/admin" },
  "GET /admin/users": { path: "/admin/users" },
  "PATCH /admin/users/:id": { path: "/admin/users/:alice-user", body: { disabled: true } },
  "POST /admin/users/:id/reset-link": { path: "/admin/users/:alice-user/reset-link" },
  "GET /admin/workspaces": { path: "/admin/workspaces" },
  "GET /admin/settings": { path: "/admin/settings" },
  "PUT /admin/signup": { path: "/admin/signup", body: { mode: "closed" } },
  "PUT /admin/system-mail": { path: "/admin/system-mail", body: { workspaceId: ":alice-workspace", from: "alicemarker@example.com" } },
  "DELETE /admin/system-mail": { path: "/admin/system-mail" },
  "POST /admin/system-mail/test": { path: "/admin/system-mail/test" },
  "GET /admin/limits": { path: "/admin/limits" },
  "PUT /admin/limits": { path: "/admin/limits", body: { roles: { owner: { requestsPerMinute: 1, mailsPerDay: 1 }, admin: { requestsPerMinute: 1, mailsPerDay: 1 }, member: { requestsPerMinute: 1, mailsPerDay: 1 } } } },
  "PATCH /admin/api-keys/:id": { path: "/admin/api-keys/:alice-key", body: { requestsPerMinute: 1, mailsPerDay: 1 } },
  "GET /admin/audit": { path: "/admin/audit" },
};

/** Workspace routes: `path` is filled with Alice's ids; Bob calls them and must learn or change nothing. */
const WORKSPACE: Record<string, { path: string; body?: unknown }> = {
  "GET /auth/me": { path: "/auth/me" },
  // Bob's own zone: it must change nothing of Alice's.
  "PUT /me/time-zone": { path: "/me/time-zone", body: { timeZone: "Asia/Tokyo" } },
  "GET /dashboard": { path: "/dashboard" },
  "GET /campaigns": { path: "/campaigns" },
  "GET /settings": { path: "/settings" },
  // Filtering by Alice's campaign, or following an address within it, is refused (422) and shows nothing of hers.
  "GET /events": { path: "/events?campaignId=:alice-campaign" },
  "GET /events/timeline": { path: "/events/timeline?email=bob-probe@example.com&campaignId=:alice-campaign" },
  "GET /settings/aws": { path: "/settings/aws" },
  "GET /aws/status": { path: "/aws/status" },
  "GET /aws/identities": { path: "/aws/identities" },
  "GET /aws/events": { path: "/aws/events" },
  "POST /aws/connect": { path: "/aws/connect", body: { accessKeyId: "AKIABOBSKEY000000000", secretAccessKey: "bobs-secret-access-key-0000000000000000", region: "us-east-1", save: true } },
  "DELETE /aws/connect": { path: "/aws/connect" },
  "POST /aws/identities": { path: "/aws/identities", body: { identity: "bob.example.com" } },
  "POST /aws/events/setup": { path: "/aws/events/setup" },
  "PUT /aws/events": { path: "/aws/events", body: { topicArn: "arn:aws:sns:us-east-1:123456789012:bobs-topic" } },
  // The rest of SES (issue 12): each acts with the caller's own keys (Bob has none connected) on the
  // caller's own workspace rows (identity cache, account history, sync settings, template links).
  "GET /settings/aws/identities": { path: "/settings/aws/identities" },
  "GET /settings/aws/identities/:identity": { path: "/settings/aws/identities/alicemarker.example.com" },
  "GET /aws/identities/:identity": { path: "/aws/identities/alicemarker.example.com?part=status" },
  "PUT /aws/identities/:identity/mail-from": { path: "/aws/identities/alicemarker.example.com/mail-from", body: { domain: "mail.alicemarker.example.com" } },
  "DELETE /aws/identities/:identity": { path: "/aws/identities/alicemarker.example.com" },
  "GET /settings/aws/suppressions": { path: "/settings/aws/suppressions" },
  "GET /aws/suppressions": { path: "/aws/suppressions?q=alicemarker" },
  "PUT /aws/suppressions": { path: "/aws/suppressions", body: { email: "bob-ses@example.com", reason: "BOUNCE" } },
  "DELETE /aws/suppressions/:email": { path: "/aws/suppressions/alicemarker-ses@example.com" },
  "GET /aws/suppressions/sync": { path: "/aws/suppressions/sync" },
  "POST /aws/suppressions/sync": { path: "/aws/suppressions/sync", body: { direction: "push" } },
  "GET /aws/suppressions/settings": { path: "/aws/suppressions/settings" },
  "PUT /aws/suppressions/settings": { path: "/aws/suppressions/settings", body: { sync: "both" } },
  "GET /aws/suppressions/attributes": { path: "/aws/suppressions/attributes" },
  "PUT /aws/suppressions/attributes": { path: "/aws/suppressions/attributes", body: { reasons: [] } },
  "GET /settings/aws/templates": { path: "/settings/aws/templates" },
  "GET /settings/aws/templates/new": { path: "/settings/aws/templates/new" },
  "GET /settings/aws/templates/:name": { path: "/settings/aws/templates/alicemarker" },
  "GET /aws/templates": { path: "/aws/templates" },
  // Publishing Alice's template is refused, and nothing of hers shows.
  "POST /aws/templates": { path: "/aws/templates", body: { templateId: ":alice-template" } },
  "GET /aws/templates/:name": { path: "/aws/templates/alicemarker" },
  "PUT /aws/templates/:name": { path: "/aws/templates/alicemarker", body: { subject: "Hijacked", html: "<p>Hijacked</p>" } },
  "DELETE /aws/templates/:name": { path: "/aws/templates/alicemarker" },
  "POST /aws/templates/:name/import": { path: "/aws/templates/alicemarker/import" },
  "POST /aws/templates/:name/render": { path: "/aws/templates/alicemarker/render", body: { data: "{}" } },
  "GET /templates/:id/ses": { path: "/templates/:alice-template/ses" },
  "GET /settings/aws/account": { path: "/settings/aws/account" },
  "GET /aws/account": { path: "/aws/account" },
  "POST /aws/production-access": {
    path: "/aws/production-access",
    body: { websiteUrl: "https://bob.example.com", useCaseDescription: "Bob's newsletter to the people who signed up for it on his website.", mailType: "MARKETING", contactLanguage: "EN" },
  },
  "PUT /aws/account/sending": { path: "/aws/account/sending", body: { enabled: false } },
  "PUT /aws/configuration-set/sending": { path: "/aws/configuration-set/sending", body: { enabled: false } },
  "GET /aws/regions": { path: "/aws/regions" },
  "PUT /aws/region": { path: "/aws/region", body: { region: "eu-west-2" } },
  "GET /settings/aws/reputation": { path: "/settings/aws/reputation?days=14" },
  "GET /aws/reputation": { path: "/aws/reputation" },
  "PUT /aws/configuration-set/reputation": { path: "/aws/configuration-set/reputation", body: { enabled: true } },
  "GET /aws/vdm": { path: "/aws/vdm?days=7" },
  "PUT /aws/vdm": { path: "/aws/vdm", body: { enabled: true } },
  // Filtering by Alice's campaign is not found; Bob's own figures are his workspace's only.
  "GET /analytics": { path: "/analytics?campaignId=:alice-campaign" },
  // The same for the export of who was mailed, opened or clicked.
  "GET /analytics/recipients": { path: "/analytics/recipients?campaignId=:alice-campaign" },
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
  "GET /campaigns/new": { path: "/campaigns/new" },
  "GET /send": { path: "/send" },
  // Alice's list and template are not Bob's to send: refused as invalid, and nothing of hers shows.
  "POST /email/send": { path: "/email/send", body: { from: "bob@example.com", to: "bob-to@example.com", templateId: ":alice-template" } },
  "POST /send": { path: "/send", body: { from: "bob@example.com", to: "bob-to@example.com", templateId: ":alice-template" } },
  "POST /campaigns": { path: "/campaigns", body: { name: "Bob's", from: "bob@example.com", subject: "Hi", html: "<p>Hi</p>", listIds: [":alice-list"] } },
  "POST /campaigns/new": { path: "/campaigns/new", body: { name: "Bob's", from: "bob@example.com", templateId: ":alice-template", listIds: [":alice-list"] } },
  "GET /campaigns/:id": { path: "/campaigns/:alice-campaign" },
  "PATCH /campaigns/:id": { path: "/campaigns/:alice-campaign", body: { name: "Hijacked" } },
  "DELETE /campaigns/:id": { path: "/campaigns/:alice-campaign" },
  "GET /campaigns/:id/edit": { path: "/campaigns/:alice-campaign/edit" },
  "POST /campaigns/:id/edit": { path: "/campaigns/:alice-campaign/edit", body: { name: "Hijacked" } },
  "GET /campaigns/:id/review": { path: "/campaigns/:alice-campaign/review" },
  "GET /campaigns/:id/recipients": { path: "/campaigns/:alice-campaign/recipients" },
  "POST /campaigns/:id/launch": { path: "/campaigns/:alice-campaign/launch" },
  "POST /campaigns/:id/pause": { path: "/campaigns/:alice-campaign/pause" },
  "POST /campaigns/:id/resume": { path: "/campaigns/:alice-campaign/resume" },
  "POST /campaigns/:id/cancel": { path: "/campaigns/:alice-campaign/cancel" },
  "POST /campaigns/:id/resend-unknown": { path: "/campaigns/:alice-campaign/resend-unknown" },
  // Bob's own account and workspaces.
  "GET /settings/profile": { path: "/settings/profile" },
  "PATCH /auth/me": { path: "/auth/me", body: { name: "Bob" } },
  "POST /auth/password": { path: "/auth/password", body: { currentPassword: "not bob's password", newPassword: "a new password 123" } },
  "GET /workspaces": { path: "/workspaces" },
  "POST /workspaces": { path: "/workspaces", body: { name: "Bob's second" } },
  // Switching into Alice's workspace: refused as if it did not exist.
  "POST /workspace/switch": { path: "/workspace/switch", body: { workspaceId: ":alice-workspace" } },
  "POST /invite/:token/accept": { path: "/invite/not-a-token/accept" },
  // Members and invites: Bob's workspace's, never Alice's.
  "GET /settings/members": { path: "/settings/members" },
  "GET /workspace/members": { path: "/workspace/members" },
  "PATCH /workspace/members/:userId": { path: "/workspace/members/:alice-user", body: { role: "member" } },
  "DELETE /workspace/members/:userId": { path: "/workspace/members/:alice-user" },
  "GET /workspace/invites": { path: "/workspace/invites" },
  "POST /workspace/invites": { path: "/workspace/invites", body: { role: "member" } },
  "DELETE /workspace/invites/:id": { path: "/workspace/invites/:alice-invite" },
  // API keys and the audit log.
  "GET /settings/api-keys": { path: "/settings/api-keys" },
  "GET /api-keys": { path: "/api-keys" },
  "GET /api-keys/table": { path: "/api-keys/table" },
  "POST /api-keys": { path: "/api-keys", body: { name: "Bob's key", scope: "send" } },
  "DELETE /api-keys/:id": { path: "/api-keys/:alice-key" },
  "GET /audit": { path: "/audit" },
  // Attachments: Bob's bucket setting (he has none), never Alice's campaign's files.
  "GET /aws/s3": { path: "/aws/s3" },
  "PUT /aws/s3": { path: "/aws/s3", body: { bucket: "bobs-bucket" } },
  "DELETE /aws/s3": { path: "/aws/s3" },
  "GET /aws/s3/objects": { path: "/aws/s3/objects" },
  "POST /attachments": { path: "/attachments", body: { key: "sesame/attachments/x/file.pdf" } },
  "GET /campaigns/:id/attachments": { path: "/campaigns/:alice-campaign/attachments" },
  "POST /campaigns/:id/attachments": { path: "/campaigns/:alice-campaign/attachments", body: { key: "sesame/attachments/x/file.pdf" } },
  "DELETE /campaigns/:id/attachments/:index": { path: "/campaigns/:alice-campaign/attachments/0" },
};

/** Routes whose parameter is a name in the caller's AWS account, not a Sesame row. */
const AWS_NAMED = new Set(Object.keys(WORKSPACE).filter((route) => /^\w+ \/(settings\/)?aws\/.*:(identity|name|email)/.test(route)));

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
    // When SES was last asked (an identity's "checked at") moves with every read; the rest must not.
    if (route.startsWith("GET ")) out[route] = (await client.get(fill(probe.path))).text.replace(/<time[^>]*>[^<]*<\/time>|\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>");
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
  expect((await alice.post("/aws/identities", { identity: `${MARKER}.example.com` })).status).toBe(201);
  const imported = await importInto(alice, `email,company\n${MARKER}-contact@example.com,${MARKER} Corp\nbad-row\n`, {}, `${MARKER} list`);
  ids["alice-list"] = imported.listId;
  ids["alice-import"] = imported.report.id;
  ids["alice-contact"] = String((await alice.get(`/lists/${imported.listId}/contacts`)).json.items[0].id);
  await alice.post("/suppressions", { email: `${MARKER}-suppressed@example.com` });
  ids["alice-template"] = (await alice.post("/email/template", { name: `${MARKER} template`, subject: `${MARKER} news`, html: `<p>${MARKER}</p>` })).json.id;
  ids["alice-suppression"] = String((await alice.get("/suppressions")).json.items[0].id);
  ids["alice-campaign"] = (await alice.post("/campaigns", { name: `${MARKER} campaign`, from: `${MARKER}@example.com`, templateId: ids["alice-template"], listIds: [ids["alice-list"]] })).json.id;
  ids["alice-key"] = (await alice.post("/api-keys", { name: `${MARKER} key`, scope: "full" })).json.id;
  ids["alice-invite"] = (await alice.post("/workspace/invites", { role: "member" })).json.id;
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
        : await bob.request(method, fill(probe.path), { json: probe.body === undefined ? undefined : JSON.parse(fill(JSON.stringify(probe.body))) });
      const leaked = [MARKER, ids["alice-workspace"]!, "AKIA…0001", ALICE_KEY.secretAccessKey].filter((m) => reply.text.includes(m));
      expect({ route, leaked }).toEqual({ route, leaked: [] });
      expect({ route, status: reply.status < 500 }).toEqual({ route, status: true });
      // A route naming something in AWS (an identity, an SES template, an address) acts with the caller's
      // keys, and Bob has connected none: he is told to connect them. A route naming a row is not found.
      if (AWS_NAMED.has(route)) expect({ route, code: reply.json?.code }).toEqual({ route, code: "aws_not_connected" });
      // An invite token that is no invite is refused as such (422); nothing of anyone's is named.
      else if (route === "POST /invite/:token/accept") expect({ route, status: reply.status }).toEqual({ route, status: 422 });
      else if (route.includes(":")) expect({ route, status: reply.status }).toEqual({ route, status: 404 });
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
    expect((await alice.get(fill("/campaigns/:alice-campaign"))).json.name).toContain(MARKER);
    expect((await alice.get(fill("/campaigns/:alice-campaign/review"))).json.toSend).toBe(1);
    expect((await alice.get("/settings/aws/identities")).text).toContain(`${MARKER}.example.com`);
    expect((await alice.get(`/aws/identities/${MARKER}.example.com`)).json.identity).toBe(`${MARKER}.example.com`);
  });
});
