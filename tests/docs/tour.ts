import type { Reply } from "../support/client";
import { Client } from "../support/client";
import { campaignsDocs } from "../../src/web/api-reference";
import type { TestApp } from "../support/app";

/** One real call of a documented route: the route's pattern (as the app declares it) and the answer. */
export interface Visit {
  method: string;
  pattern: string;
  reply: Reply;
}

export const TOUR_KEY = { accessKeyId: "AKIADOCSTOUR00000001", secretAccessKey: "docs-tour-secret-key-0000000000000000000" };
/** The S3 bucket (made by the test in its local S3) the workspace keeps attachments in. */
export const TOUR_BUCKET = "sesame-docs-tour";

/**
 * Calls every JSON route the way a script following /docs would, in an order where each finds what
 * it needs (an owner with AWS keys connected, a list, a template, a campaign, a second user), and
 * returns each answer beside its route. The checks live in the test; a call that fails here fails it.
 */
export async function tour(t: TestApp, verify: (identity: string) => void): Promise<Visit[]> {
  const visits: Visit[] = [];
  const c = new Client(t.app);
  const call = async (method: string, pattern: string, path: string, init: { json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {}) => {
    const reply = await c.request(method, path, init.body === undefined && init.json === undefined && method !== "GET" && method !== "DELETE" ? { ...init, json: {} } : init);
    visits.push({ method, pattern, reply });
    return reply;
  };
  const json = (method: string, pattern: string, path: string, body?: unknown) => call(method, pattern, path, body === undefined ? {} : { json: body });
  /** The same, as another person (their own client and cookie). */
  const as = async (who: Client, method: string, pattern: string, path: string, body?: unknown) => {
    const reply = await who.request(method, path, body === undefined ? (method === "GET" || method === "DELETE" ? {} : { json: {} }) : { json: body });
    visits.push({ method, pattern, reply });
    return reply;
  };

  // Accounts: the first is the instance admin, the others plain users.
  await json("POST", "/auth/signup", "/auth/signup", { email: "owner@example.com", password: "correct horse battery", name: "Olive" });
  const second = new Client(t.app);
  await second.signup("second@example.com");
  const third = new Client(t.app);
  await third.signup("third@example.com");
  await json("POST", "/auth/logout", "/auth/logout");
  await json("POST", "/auth/login", "/auth/login", { email: "owner@example.com", password: "correct horse battery" });
  await json("GET", "/auth/me", "/auth/me");
  await json("PATCH", "/auth/me", "/auth/me", { name: "Olive Martin", timeZone: "Europe/Paris" });
  await json("PUT", "/me/time-zone", "/me/time-zone", { timeZone: "Europe/Paris" });
  await json("POST", "/auth/password", "/auth/password", { currentPassword: "correct horse battery", newPassword: "wrong" });
  await json("POST", "/auth/password", "/auth/password", { currentPassword: "correct horse battery", newPassword: "correct horse battery staple" });
  // Before the instance has system mail: only an administrator can hand out a link.
  await as(new Client(t.app), "POST", "/auth/forgot", "/auth/forgot", { email: "owner@example.com" });
  await json("GET", "/workspace", "/workspace");
  await json("PATCH", "/workspace", "/workspace", { name: "Olive's shop" });

  // The team and API keys: the second user joins by an invite link, changes role and is removed.
  const invite = (await json("POST", "/workspace/invites", "/workspace/invites", { role: "member" })).json;
  const revoked = (await c.post("/workspace/invites", { role: "admin", email: "nobody@example.com" })).json;
  await json("GET", "/workspace/invites", "/workspace/invites");
  await json("DELETE", "/workspace/invites/:id", `/workspace/invites/${revoked?.id}`);
  const token = String(invite?.url).split("/invite/")[1];
  await as(second, "POST", "/invite/:token/accept", `/invite/${token}/accept`);
  await as(second, "POST", "/invite/:token/accept", "/invite/not-a-real-token-at-all/accept");
  const joined = (await json("GET", "/workspace/members", "/workspace/members")).json;
  const secondId = joined?.items?.find((m: { email: string }) => m.email === "second@example.com")?.userId;
  await json("PATCH", "/workspace/members/:userId", `/workspace/members/${secondId}`, { role: "admin" });
  await json("DELETE", "/workspace/members/:userId", `/workspace/members/${secondId}`);
  await json("GET", "/workspaces", "/workspaces");
  const side = (await json("POST", "/workspaces", "/workspaces", { name: "Side project" })).json;
  const home = (await c.get("/workspace")).json;
  await json("POST", "/workspace/switch", "/workspace/switch", { workspaceId: side?.id });
  await json("POST", "/workspace/switch", "/workspace/switch", { workspaceId: home?.id });
  const apiKey = (await json("POST", "/api-keys", "/api-keys", { name: "Shop server", scope: "send" })).json;
  await json("GET", "/api-keys", "/api-keys");
  // As /docs says a script calls the API: with the key, no cookie.
  const script = new Client(t.app);
  const byKey = await script.request("GET", "/lists", { headers: { authorization: `Bearer ${apiKey?.key}` } });
  if (byKey.status !== 200) throw new Error(`GET /lists with the API key answered ${byKey.status}: ${byKey.text}`);
  visits.push({ method: "GET", pattern: "/lists", reply: byKey });
  await json("DELETE", "/api-keys/:id", `/api-keys/${apiKey?.id}`);

  // AWS: keys, events, identities.
  await json("POST", "/aws/connect", "/aws/connect", { ...TOUR_KEY, region: "us-east-1", save: true });
  await json("GET", "/aws/status", "/aws/status");
  await json("GET", "/aws/events", "/aws/events");
  const setup = await json("POST", "/aws/events/setup", "/aws/events/setup");
  await json("PUT", "/aws/events", "/aws/events", { topicArn: setup.json?.topicArn });
  await json("POST", "/aws/identities", "/aws/identities", { identity: "example.com" });
  await json("POST", "/aws/identities", "/aws/identities", { identity: "news@example.com" });
  verify("example.com");
  await json("GET", "/aws/identities", "/aws/identities");
  await json("GET", "/aws/identities/:identity", "/aws/identities/example.com");
  await json("PUT", "/aws/identities/:identity/mail-from", "/aws/identities/example.com/mail-from", { domain: "mail.example.com" });

  // The workspace's S3 bucket and files to attach.
  await json("GET", "/aws/s3", "/aws/s3");
  await json("GET", "/aws/s3/objects", "/aws/s3/objects");
  await json("PUT", "/aws/s3", "/aws/s3", { bucket: TOUR_BUCKET });
  const form = new FormData();
  form.append("file", new File(["%PDF-1.4 price list"], "price-list.pdf", { type: "application/pdf" }));
  const uploaded = (await call("POST", "/attachments", "/attachments", { body: form })).json;
  await json("POST", "/attachments", "/attachments", { key: uploaded?.key });
  await json("POST", "/attachments", "/attachments", { key: "not/in/the/bucket.pdf" });
  await json("GET", "/aws/s3/objects", "/aws/s3/objects?prefix=sesame%2F");

  // SES's suppression list.
  await json("PUT", "/aws/suppressions", "/aws/suppressions", { email: "gone@example.com", reason: "BOUNCE" });
  await json("GET", "/aws/suppressions", "/aws/suppressions");
  await json("DELETE", "/aws/suppressions/:email", "/aws/suppressions/gone@example.com");
  await json("GET", "/aws/suppressions/sync", "/aws/suppressions/sync");
  await json("POST", "/aws/suppressions/sync", "/aws/suppressions/sync", { direction: "pull" });
  await json("GET", "/aws/suppressions/settings", "/aws/suppressions/settings");
  await json("PUT", "/aws/suppressions/settings", "/aws/suppressions/settings", { sync: "off" });
  await json("GET", "/aws/suppressions/attributes", "/aws/suppressions/attributes");
  await json("PUT", "/aws/suppressions/attributes", "/aws/suppressions/attributes", { reasons: ["BOUNCE", "COMPLAINT"] });

  // The account, regions and reputation.
  await json("GET", "/aws/account", "/aws/account");
  await json("POST", "/aws/production-access", "/aws/production-access", {
    websiteUrl: "https://example.com",
    useCaseDescription: "A monthly newsletter to customers who opted in at checkout; bounces and complaints suppress at once.",
    mailType: "MARKETING",
    contactLanguage: "EN",
  });
  await json("PUT", "/aws/account/sending", "/aws/account/sending", { enabled: true });
  await json("PUT", "/aws/configuration-set/sending", "/aws/configuration-set/sending", { enabled: true });
  await json("GET", "/aws/regions", "/aws/regions");
  await json("PUT", "/aws/region", "/aws/region", { region: "us-east-1" });
  await json("GET", "/aws/reputation", "/aws/reputation");
  await json("PUT", "/aws/configuration-set/reputation", "/aws/configuration-set/reputation", { enabled: true });
  await json("GET", "/aws/vdm", "/aws/vdm");
  await json("PUT", "/aws/vdm", "/aws/vdm", { enabled: false });

  // Templates, in Sesame and in SES.
  const template = (await json("POST", "/email/template", "/email/template", { name: "Welcome", subject: "Hello {{name|there}}", html: "<p>Hi {{name|there}}, from {{company}}</p>" })).json;
  await json("GET", "/email/template", "/email/template");
  await json("GET", "/email/template/:id", `/email/template/${template.id}`);
  await json("PUT", "/email/template/:id", `/email/template/${template.id}`, { name: "Welcome", subject: "Hello {{name|there}}", html: "<p>Hi {{name|there}}!</p>" });
  const copy = (await json("POST", "/email/template/:id/duplicate", `/email/template/${template.id}/duplicate`)).json;
  await json("POST", "/email/template/:id/preview", `/email/template/${template.id}/preview`, { variables: { name: "Ana" } });
  await json("POST", "/email/template/:id/test", `/email/template/${template.id}/test`, { to: "ana@example.com", from: "news@example.com", variables: { name: "Ana" } });
  await json("POST", "/aws/templates", "/aws/templates", { templateId: template.id });
  await json("POST", "/aws/templates", "/aws/templates", { name: "receipt", subject: "Your receipt", html: "<p>Thanks {{name}}</p>" });
  await json("GET", "/aws/templates", "/aws/templates");
  await json("GET", "/aws/templates/:name", "/aws/templates/receipt");
  await json("PUT", "/aws/templates/:name", "/aws/templates/receipt", { subject: "Your receipt", html: "<p>Thank you {{name}}</p>" });
  await json("POST", "/aws/templates/:name/render", "/aws/templates/receipt/render", { data: { name: "Ana" } });
  await json("POST", "/aws/templates/:name/import", "/aws/templates/receipt/import");
  await json("GET", "/templates/:id/ses", `/templates/${template.id}/ses`);
  await json("DELETE", "/aws/templates/:name", "/aws/templates/receipt");
  await json("DELETE", "/email/template/:id", `/email/template/${copy.id}`);

  // Lists, contacts and imports.
  const list = (await json("POST", "/lists", "/lists", { name: "Customers" })).json;
  await json("GET", "/lists", "/lists");
  await json("PATCH", "/lists/:id", `/lists/${list.id}`, { name: "Customers 2026" });
  const contact = (await json("POST", "/lists/:id/contacts", `/lists/${list.id}/contacts`, { email: "ana@example.com", attributes: { name: "Ana", company: "Acme" } })).json;
  await json("GET", "/lists/:id", `/lists/${list.id}`);
  await json("GET", "/lists/:id/contacts", `/lists/${list.id}/contacts?q=ana`);
  await json("GET", "/contacts/:id", `/contacts/${contact.id}`);
  await json("PATCH", "/contacts/:id", `/contacts/${contact.id}`, { attributes: { name: "Ana", company: "Acme Ltd" } });
  await json("GET", "/lists/:id/variables", `/lists/${list.id}/variables`);
  await call("GET", "/lists/:id/export.csv", `/lists/${list.id}/export.csv`);
  const upload = await call("POST", "/lists/:id/import", `/lists/${list.id}/import`, { body: "email,name\nbo@example.com,Bo\ncy@example.com,Cy\n", headers: { "content-type": "text/csv" } });
  await waitForImport(c, upload.json?.importId);
  await json("GET", "/imports/:id", `/imports/${upload.json?.importId}`);
  await call("GET", "/imports/:id/errors.csv", `/imports/${upload.json?.importId}/errors.csv`);
  const mapped = await call("POST", "/lists/:id/import", `/lists/${list.id}/import?preview=1`, { body: "address,first\ndi@example.com,Di\n", headers: { "content-type": "text/csv" } });
  await json("POST", "/imports/:id/start", `/imports/${mapped.json?.importId}/start`, { mapping: { email: 0, attributes: [{ index: 1, key: "name" }] } });
  await waitForImport(c, mapped.json?.importId);
  const spare = (await c.post("/lists", { name: "Spare" })).json;
  const cancelled = await c.request("POST", `/lists/${spare.id}/import`, { body: "address\nx@example.com\n", headers: { "content-type": "text/csv" } });
  await json("POST", "/imports/:id/cancel", `/imports/${cancelled.json?.importId}/cancel`);
  await json("DELETE", "/lists/:id", `/lists/${spare.id}`);
  const removable = (await c.post(`/lists/${list.id}/contacts`, { email: "temp@example.com" })).json;
  await json("DELETE", "/contacts/:id", `/contacts/${removable.id}`);

  // Sesame's own suppression list.
  await json("POST", "/suppressions", "/suppressions", { emails: ["old@example.com"] });
  await json("GET", "/suppressions", "/suppressions");
  await call("POST", "/suppressions/import", "/suppressions/import", { body: "email\nolder@example.com\n", headers: { "content-type": "text/csv" } });
  const suppressed = (await c.get("/suppressions?q=old%40")).json?.items?.[0];
  await json("DELETE", "/suppressions/:id", `/suppressions/${suppressed?.id}`);
  await call("GET", "/suppressions/export.csv", "/suppressions/export.csv");

  // Sending, first as /docs shows a script doing it: its example body, an API key of scope send, no cookie.
  const sender = (await c.post("/api-keys", { name: "Newsletter script", scope: "send" })).json;
  const documented = (campaignsDocs.send as Record<string, unknown>)["x-sesame-request-example"] as Record<string, unknown>;
  const byScript = await script.request("POST", "/email/send", { json: { ...documented, templateId: template.id }, headers: { authorization: `Bearer ${sender?.key}` } });
  if (byScript.status !== 202) throw new Error(`POST /email/send with the documented example and a send key answered ${byScript.status}: ${byScript.text}`);
  visits.push({ method: "POST", pattern: "/email/send", reply: byScript });
  await json("POST", "/email/send", "/email/send", { from: "news@example.com", to: [{ email: "ana@example.com", name: "Ana" }], templateId: template.id });
  const campaign = (await json("POST", "/campaigns", "/campaigns", { name: "June news", from: "news@example.com", templateId: template.id, listIds: [list.id] })).json;
  await json("PATCH", "/campaigns/:id", `/campaigns/${campaign.id}`, { name: "June newsletter" });
  await json("GET", "/campaigns/:id/review", `/campaigns/${campaign.id}/review`);
  await json("POST", "/campaigns/:id/launch", `/campaigns/${campaign.id}/launch`);
  await json("POST", "/campaigns/:id/pause", `/campaigns/${campaign.id}/pause`);
  await json("POST", "/campaigns/:id/resume", `/campaigns/${campaign.id}/resume`);
  await json("POST", "/campaigns/:id/resend-unknown", `/campaigns/${campaign.id}/resend-unknown`);
  await json("POST", "/campaigns/:id/cancel", `/campaigns/${campaign.id}/cancel`);
  await json("GET", "/campaigns", "/campaigns");
  await json("GET", "/campaigns/:id", `/campaigns/${campaign.id}`);
  await json("GET", "/campaigns/:id/recipients", `/campaigns/${campaign.id}/recipients`);
  const draft = (await c.post("/campaigns", { name: "Draft", from: "news@example.com", subject: "Hi", html: "<p>Hi</p>", listIds: [list.id], attachments: [{ key: uploaded?.key }] })).json;
  await json("GET", "/campaigns/:id", `/campaigns/${draft.id}`);
  const more = new FormData();
  more.append("file", new File(["second file"], "notes.txt", { type: "text/plain" }));
  await call("POST", "/campaigns/:id/attachments", `/campaigns/${draft.id}/attachments`, { body: more });
  await json("POST", "/campaigns/:id/attachments", `/campaigns/${draft.id}/attachments`, { key: uploaded?.key });
  await json("GET", "/campaigns/:id/attachments", `/campaigns/${draft.id}/attachments`);
  await json("DELETE", "/campaigns/:id/attachments/:index", `/campaigns/${draft.id}/attachments/1`);
  await json("DELETE", "/campaigns/:id/attachments/:index", `/campaigns/${draft.id}/attachments/5`);
  await json("POST", "/campaigns/:id/attachments", `/campaigns/${campaign.id}/attachments`, { key: uploaded?.key });
  await json("DELETE", "/campaigns/:id", `/campaigns/${draft.id}`);

  // Events and analytics.
  await json("GET", "/events", "/events?type=send");
  await json("GET", "/events/timeline", "/events/timeline?email=ana%40example.com");
  await json("GET", "/analytics", "/analytics");
  await call("GET", "/analytics", "/analytics?format=csv");
  await call("GET", "/analytics/recipients", "/analytics/recipients?format=csv");
  await call("POST", "/sns/notifications", "/sns/notifications", { body: "not an SNS message", headers: { "content-type": "text/plain" } });

  // The audit logs (the entries of the calls above).
  await json("GET", "/audit", "/audit?action=member.role_changed&action=invite.created");
  await call("GET", "/audit", "/audit?format=csv");
  await json("GET", "/audit", "/audit?from=2026-06-02&to=2026-06-01");
  // A key of scope full reads the workspace's log too (it acts with its creator's role, an owner here).
  const auditor = (await c.post("/api-keys", { name: "Auditor", scope: "full" })).json;
  const byAuditor = await script.request("GET", "/audit?pageSize=10", { headers: { authorization: `Bearer ${auditor?.key}` } });
  if (byAuditor.status !== 200) throw new Error(`GET /audit with a full API key answered ${byAuditor.status}: ${byAuditor.text}`);
  visits.push({ method: "GET", pattern: "/audit", reply: byAuditor });

  // The instance's administration.
  const users = (await json("GET", "/admin/users", "/admin/users")).json;
  const secondUser = users?.items?.find((u: { email: string }) => u.email === "second@example.com");
  const link = (await json("POST", "/admin/users/:id/reset-link", `/admin/users/${secondUser?.id}/reset-link`)).json;
  const resetToken = String(link?.url).split("/reset/")[1];
  await as(new Client(t.app), "POST", "/auth/reset", "/auth/reset", { token: resetToken, password: "a new long passphrase" });
  await as(new Client(t.app), "POST", "/auth/reset", "/auth/reset", { token: resetToken, password: "another long passphrase" });
  await json("PATCH", "/admin/users/:id", `/admin/users/${secondUser?.id}`, { disabled: true });
  await json("POST", "/admin/users/:id/reset-link", `/admin/users/${secondUser?.id}/reset-link`);
  await json("GET", "/admin/workspaces", "/admin/workspaces");
  await json("PUT", "/admin/signup", "/admin/signup", { mode: "invite" });
  await json("PUT", "/admin/signup", "/admin/signup", { mode: "sometimes" });
  await json("PUT", "/admin/system-mail", "/admin/system-mail", { workspaceId: home?.id, from: "no-reply@example.com" });
  await json("PUT", "/admin/system-mail", "/admin/system-mail", { workspaceId: home?.id, from: "someone@not-verified.example.org" });
  await json("GET", "/admin/settings", "/admin/settings");
  await json("POST", "/admin/system-mail/test", "/admin/system-mail/test");
  await json("DELETE", "/admin/system-mail", "/admin/system-mail");
  await json("POST", "/admin/system-mail/test", "/admin/system-mail/test");
  const limits = (await json("GET", "/admin/limits", "/admin/limits")).json;
  await json("PUT", "/admin/limits", "/admin/limits", limits);
  await json("PUT", "/admin/limits", "/admin/limits", { roles: { ...limits?.roles, member: { requestsPerMinute: 0, mailsPerDay: null } } });
  await json("PATCH", "/admin/api-keys/:id", `/admin/api-keys/${sender?.id}`, { requestsPerMinute: 120, mailsPerDay: 5000 });
  await json("PATCH", "/admin/api-keys/:id", "/admin/api-keys/key_doesNotExist00", { requestsPerMinute: 120, mailsPerDay: null });
  await json("GET", "/admin/audit", "/admin/audit");
  await call("GET", "/admin/audit", "/admin/audit?format=csv");
  // A person who is not an instance administrator is refused.
  await as(third, "GET", "/admin/audit", "/admin/audit");
  await c.put("/admin/signup", { mode: "open" });

  // AWS clean-up last: the keys are needed above.
  await c.post("/aws/identities", { identity: "spare.example.org" });
  await json("DELETE", "/aws/identities/:identity", "/aws/identities/spare.example.org");
  await json("DELETE", "/aws/s3", "/aws/s3");
  await json("DELETE", "/aws/connect", "/aws/connect");
  return visits;
}

async function waitForImport(c: Client, id: string | undefined) {
  for (let i = 0; i < 200 && id; i++) {
    const status = (await c.get(`/imports/${id}`)).json?.status;
    if (status !== "running" && status !== "queued" && status !== "mapping") return;
    await Bun.sleep(25);
  }
}
