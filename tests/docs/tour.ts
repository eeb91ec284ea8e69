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

  // Accounts: the first is the instance admin, the second a plain user.
  await json("POST", "/auth/signup", "/auth/signup", { email: "owner@example.com", password: "correct horse battery", name: "Olive" });
  await new Client(t.app).signup("second@example.com");
  await json("POST", "/auth/logout", "/auth/logout");
  await json("POST", "/auth/login", "/auth/login", { email: "owner@example.com", password: "correct horse battery" });
  await json("GET", "/auth/me", "/auth/me");
  await json("PUT", "/me/time-zone", "/me/time-zone", { timeZone: "Europe/Paris" });
  await json("GET", "/workspace", "/workspace");
  await json("PATCH", "/workspace", "/workspace", { name: "Olive's shop" });

  // The team and API keys.
  await json("POST", "/workspace/invites", "/workspace/invites", { role: "member" });
  await json("GET", "/workspace/members", "/workspace/members");
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
  const draft = (await c.post("/campaigns", { name: "Draft", from: "news@example.com", subject: "Hi", html: "<p>Hi</p>", listIds: [list.id] })).json;
  await json("DELETE", "/campaigns/:id", `/campaigns/${draft.id}`);

  // Events and analytics.
  await json("GET", "/events", "/events?type=send");
  await json("GET", "/events/timeline", "/events/timeline?email=ana%40example.com");
  await json("GET", "/analytics", "/analytics");
  await call("GET", "/analytics", "/analytics?format=csv");
  await call("GET", "/analytics/recipients", "/analytics/recipients?format=csv");
  await call("POST", "/sns/notifications", "/sns/notifications", { body: "not an SNS message", headers: { "content-type": "text/plain" } });

  // The instance's administration.
  const users = (await json("GET", "/admin/users", "/admin/users")).json;
  const second = users?.items?.find((u: { email: string }) => u.email === "second@example.com");
  await json("PATCH", "/admin/users/:id", `/admin/users/${second?.id}`, { disabled: true });

  // AWS clean-up last: the keys are needed above.
  await c.post("/aws/identities", { identity: "spare.example.org" });
  await json("DELETE", "/aws/identities/:identity", "/aws/identities/spare.example.org");
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
