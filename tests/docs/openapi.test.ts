import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { API_ROUTES, SESSION_COUNTED } from "../../src/web/api";
import { ErrorBody } from "../../src/web/openapi";
import { startAws } from "../support/aws";
import { startS3, type LocalS3 } from "../support/s3";
import { createTestApp, type TestApp } from "../support/app";
import { tour, TOUR_BUCKET, TOUR_KEY, type Visit } from "./tour";

/**
 * The API reference (/docs) against the app itself: every JSON route is in the OpenAPI document with
 * its request schema and a documented answer, every route of CONTRACT.md is there, each example
 * fits its schema, and every real answer of a walk through the API fits what the document says.
 */

/**
 * Routes that are not JSON API and stay out of the document, each with why. A new route is either
 * documented (`detail: apiDoc(…)`, src/web/api-reference.ts) or added here after review.
 */
const NOT_API: Record<string, string> = {
  "GET /assets/*": "static files",
  "GET /healthz": "the load balancer's health check, not an API call",
  "GET /docs": "the reference itself",
  "GET /docs/json": "the reference itself",
  "GET /": "redirect to the dashboard or the login page",
  "GET /login": "page",
  "GET /signup": "page",
  "GET /dashboard": "page",
  "GET /settings": "page",
  "GET /settings/aws": "page",
  "GET /settings/aws/identities": "page",
  "GET /settings/aws/identities/:identity": "page",
  "GET /settings/aws/suppressions": "page (and its table as an htmx fragment)",
  "GET /settings/aws/templates": "page",
  "GET /settings/aws/templates/new": "page",
  "GET /settings/aws/templates/:name": "page",
  "GET /settings/aws/account": "page",
  "GET /settings/aws/reputation": "page",
  "GET /settings/workspace": "page",
  "GET /admin": "page",
  "GET /templates": "page",
  "GET /templates/new": "page (the composer)",
  "GET /templates/:id": "page (the composer)",
  "GET /email/template/:id/preview.html": "HTML for the composer's preview frame; POST /email/template/{id}/preview is its API",
  "GET /lists/:id/import": "page",
  "GET /imports/:id/banner": "htmx fragment",
  "GET /campaigns/new": "page",
  "POST /campaigns/new": "the page's form post; POST /campaigns is its API",
  "GET /campaigns/:id/edit": "page",
  "POST /campaigns/:id/edit": "the page's form post; PATCH /campaigns/{id} is its API",
  "GET /send": "page",
  "POST /send": "the page's form post; POST /email/send is its API",
  "GET /u/:token": "the unsubscribe page a recipient opens from a mail",
  "POST /u/:token": "the recipient's unsubscribe button and RFC 8058 one-click; signed link, not an API",
  "GET /t/o/:token": "open pixel",
  "HEAD /t/o/:token": "open pixel",
  "GET /t/c/:token": "click redirect",
  "HEAD /t/c/:token": "click redirect",
  "GET /settings/profile": "page",
  "GET /settings/members": "page",
  "GET /settings/api-keys": "page",
  "GET /api-keys/table": "htmx fragment",
  "GET /forgot": "page",
  "GET /reset/:token": "page a reset link opens",
  "GET /invite/:token": "page an invite link opens",
};

/**
 * CONTRACT.md routes that other parts of issue 14 are adding now. Each must be served, documented
 * and then removed from here (the test below fails once one is served, to say so).
 */
const PENDING: Record<string, string> = {};

/** CONTRACT.md writes these after POST /campaigns/:id/launch as "`/pause`, `/resume`, `/cancel`". */
const CONTRACT_SHORTHAND = ["POST /campaigns/:id/pause", "POST /campaigns/:id/resume", "POST /campaigns/:id/cancel"];

/** Documented routes the walk below does not call, each with why. */
const UNTOURED: Record<string, string> = {};

type Route = TestApp["app"]["routes"][number];
type Doc = { responses?: Record<string, { content?: Record<string, { schema?: TSchema; example?: unknown }> }>; requestBody?: unknown; "x-sesame-api"?: boolean; "x-sesame-request-example"?: unknown };

const key = (method: string, path: string) => `${method} ${path}`;
const docOf = (route: Route) => (route.hooks as { detail?: Doc }).detail ?? {};
const isDocumented = (route: Route) => docOf(route)["x-sesame-api"] === true;
const openApiPath = (path: string) => path.replace(/:([^/]+)/g, "{$1}");

/** The names a handler takes from its context: `async ({ auth, body }) => …` reads a body. */
function contextNames(route: Route): string[] {
  const source = String(route.handler);
  const match = /^\s*(?:async\s*)?(?:function\s*\w*\s*)?\(\s*\{([^}]*)\}/.exec(source);
  return match ? match[1]!.split(",").map((name) => name.trim().split(":")[0]!.trim()) : [];
}

function schemaErrors(schema: TSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path || "/"}: ${e.message}`);
}

let aws: Awaited<ReturnType<typeof startAws>>;
let s3: LocalS3;
let t: TestApp;
let routes: Route[];
let document: any;

beforeAll(async () => {
  // The SES emulator, and a local S3 for the workspace's attachments bucket.
  [aws, s3] = await Promise.all([startAws({ [TOUR_KEY.accessKeyId]: { secret: TOUR_KEY.secretAccessKey } }), startS3({ [TOUR_KEY.accessKeyId]: TOUR_KEY.secretAccessKey })]);
  await s3.createBucket(TOUR_BUCKET);
  t = await createTestApp({ env: { ...aws.env, ...s3.env, PUBLIC_URL: "https://sesame.example.com" }, startJobs: true });
  routes = t.app.routes;
  document = await (await t.app.handle(new Request("http://localhost/docs/json"))).json();
});
afterAll(async () => {
  await t?.close();
  await aws?.stop();
  await s3?.stop();
});

describe("the OpenAPI document", () => {
  test("is a valid OpenAPI 3.1 document, also served at /docs to a client that asks for JSON", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toStartWith("3.1");
    const viaCurl = await t.app.handle(new Request("http://localhost/docs", { headers: { accept: "*/*" } }));
    expect(viaCurl.headers.get("content-type")).toContain("application/json");
    expect(await viaCurl.json()).toEqual(document);
  });

  test("describes both ways to authenticate, the error shape and the rate-limit answer", () => {
    expect(document.components.securitySchemes.session).toMatchObject({ type: "apiKey", in: "cookie", name: "__Host-sesame_session" });
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(document.security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(document.components.schemas.Error.required).toEqual(["error", "code"]);
    expect(Object.keys(document.components.headers)).toEqual(expect.arrayContaining(["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "Retry-After"]));
    expect(document.components.responses.TooManyRequests.headers["Retry-After"]).toBeDefined();
    // Where a key works (and with which scope) and which answers are counted is what src/web/api.ts enforces.
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, operation] of Object.entries<any>(item)) {
        const route = `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`;
        if (operation.security?.length === 0) continue;
        const scope = API_ROUTES[route];
        expect({ route, security: operation.security }).toEqual({ route, security: scope ? [{ session: [] }, { apiKey: [] }] : [{ session: [] }] });
        expect({ route, says: operation.description.split("\n")[0] }).toEqual({ route, says: scope ? expect.stringContaining(`scope \`${scope}\``) : expect.stringContaining("Session only") });
        const counted = SESSION_COUNTED.has(route);
        expect({ route, refusal: operation.responses["429"]?.$ref }).toEqual({ route, refusal: counted ? "#/components/responses/TooManyRequests" : undefined });
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          if (status.startsWith("2")) expect({ route, status, headers: Object.keys(response.headers ?? {}) }).toEqual({ route, status, headers: counted ? ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"] : [] });
        }
      }
    }
    // Every route a key may call is in the document.
    expect(Object.keys(API_ROUTES).filter((route) => !document.paths[openApiPath(route.split(" ")[1]!)]?.[route.split(" ")[0]!.toLowerCase()])).toEqual([]);
    // Sign-up, log-in and the SNS webhook need no credentials.
    expect(document.paths["/auth/login"].post.security).toEqual([]);
    expect(document.paths["/sns/notifications"].post.security).toEqual([]);
  });

  test("holds no page, fragment or tracking route", () => {
    for (const route of Object.keys(NOT_API)) {
      const [method, path] = route.split(" ");
      expect({ route, documented: document.paths[openApiPath(path!)]?.[method!.toLowerCase()] !== undefined }).toEqual({ route, documented: false });
    }
  });
});

describe("every route of the app", () => {
  test("is either documented or named here as not part of the API, never both", () => {
    const listed = (r: Route) => key(r.method, r.path) in NOT_API;
    const unclassified = routes.filter((r) => !isDocumented(r) && !listed(r)).map((r) => key(r.method, r.path));
    expect(unclassified).toEqual([]);
    const both = routes.filter((r) => isDocumented(r) && listed(r)).map((r) => key(r.method, r.path));
    expect(both).toEqual([]);
    const served = new Set(routes.map((r) => key(r.method, r.path)));
    expect(Object.keys(NOT_API).filter((route) => !served.has(route))).toEqual([]);
  });

  test("that is documented declares the body and query it reads, and answers with a documented shape and example", () => {
    const problems: string[] = [];
    for (const route of routes.filter(isDocumented)) {
      const where = key(route.method, route.path);
      const doc = docOf(route);
      const names = contextNames(route);
      const hooks = route.hooks as { body?: TSchema; query?: TSchema };
      if (names.includes("body") && !hooks.body && !doc.requestBody) problems.push(`${where} reads a body but declares no body schema (or detail requestBody)`);
      if (names.includes("query") && !hooks.query) problems.push(`${where} reads the query but declares no query schema`);
      const documentedBody = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]?.requestBody;
      if (!document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()]) problems.push(`${where} is not in the document`);
      if (hooks.body && !documentedBody?.content?.["application/json"]?.schema) problems.push(`${where}: the document shows no JSON body`);
      if (hooks.body && documentedBody?.content?.["application/json"]?.example === undefined) problems.push(`${where}: the document shows no example body`);
      const example = doc["x-sesame-request-example"];
      if (hooks.body && example === undefined) problems.push(`${where} has a body schema but no request example`);
      if (hooks.body && example !== undefined) problems.push(...schemaErrors(hooks.body, example).map((e) => `${where} request example: ${e}`));
      const successes = Object.entries(doc.responses ?? {}).filter(([status]) => status.startsWith("2"));
      if (successes.length === 0) problems.push(`${where} documents no successful answer`);
      for (const [status, response] of successes) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (!media.schema || media.example === undefined) problems.push(`${where} ${status} ${type}: a schema and an example are both needed`);
          else problems.push(...schemaErrors(media.schema, media.example).map((e) => `${where} ${status} example: ${e}`));
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("CONTRACT.md", () => {
  test("every route it names is in the document (or listed as pending while others add it)", async () => {
    const contract = await Bun.file(join(import.meta.dir, "..", "..", "..", "shared", "CONTRACT.md")).text();
    const named = new Set(CONTRACT_SHORTHAND);
    for (const match of contract.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE)(?:\|(?:GET|POST|PUT|PATCH|DELETE))*) (\/[^\s`?]*)/g)) {
      for (const method of match[1]!.split("|")) named.add(key(method, match[2]!));
    }
    // The document describes everything else; it is not an entry of itself.
    named.delete("GET /docs");
    expect(named.size).toBeGreaterThan(50);
    const served = new Set(routes.map((r) => key(r.method, r.path)));
    const missing: string[] = [];
    for (const route of named) {
      const [method, path] = route.split(" ");
      const inDocument = document.paths[openApiPath(path!)]?.[method!.toLowerCase()] !== undefined;
      if (route in PENDING) {
        if (served.has(route)) missing.push(`${route} is served now: document it (${PENDING[route]}) and remove it from PENDING`);
      } else if (!inDocument) missing.push(`${route} is not in the document`);
    }
    expect(missing).toEqual([]);
  });
});

describe("a walk through the whole API", () => {
  let visits: Visit[];
  beforeAll(async () => {
    visits = await tour(t, (name) => void (aws.fake.identities.get(name)!.verified = true));
  }, 120_000);

  test("gets, from every route, an answer the document describes for its status", () => {
    const byRoute = new Map(routes.filter(isDocumented).map((r) => [key(r.method, r.path), r]));
    const problems: string[] = [];
    for (const { method, pattern, reply } of visits) {
      const where = `${method} ${pattern} → ${reply.status}`;
      const route = byRoute.get(key(method, pattern));
      if (!route) {
        problems.push(`${where}: not a documented route`);
        continue;
      }
      const status = String(reply.status);
      if (reply.status >= 500) problems.push(`${where}: ${reply.text.slice(0, 200)}`);
      if (reply.status >= 400) {
        const operation = document.paths[openApiPath(pattern)][method.toLowerCase()];
        if (!operation.responses[status]) problems.push(`${where}: this refusal is not documented`);
        problems.push(...schemaErrors(ErrorBody, reply.json).map((e) => `${where}: ${e}`));
        continue;
      }
      if (reply.headers.has("ratelimit-limit") && !SESSION_COUNTED.has(key(method, pattern))) problems.push(`${where}: answers RateLimit headers the document does not announce`);
      const documented = docOf(route).responses?.[status];
      if (!documented) {
        problems.push(`${where}: this status is not documented`);
        continue;
      }
      const content = Object.entries(documented.content ?? {});
      if (content.length === 0) {
        if (reply.text !== "") problems.push(`${where}: documented without a body, answered ${reply.text.slice(0, 80)}`);
        continue;
      }
      const answered = reply.headers.get("content-type") ?? "";
      const match = content.find(([type]) => answered.startsWith(type));
      if (!match) problems.push(`${where}: answered ${answered}, documented ${content.map(([type]) => type).join(", ")}`);
      else if (match[0] === "application/json") problems.push(...schemaErrors(match[1].schema!, reply.json).map((e) => `${where}: ${e}`));
    }
    expect(problems).toEqual([]);
  });

  test("calls every documented route", () => {
    const visited = new Set(visits.map((v) => key(v.method, v.pattern)));
    const untoured = routes.filter(isDocumented).map((r) => key(r.method, r.path)).filter((route) => !visited.has(route) && !(route in UNTOURED));
    expect(untoured).toEqual([]);
  });
});

describe("the reference page", () => {
  test("loads nothing from another site and has a policy that allows nothing from one", async () => {
    const page = await t.app.handle(new Request("http://localhost/docs", { headers: { accept: "text/html" } }));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="swagger-ui"');
    const references = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThan(4);
    expect(references.filter((url) => !url.startsWith("/"))).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|\*|'unsafe-/);
    // Everything it loads is served here, and our own files name no other site either.
    for (const url of references.filter((u) => u.startsWith("/assets/"))) {
      const asset = await t.app.handle(new Request(`http://localhost${url}`));
      expect({ url, status: asset.status }).toEqual({ url, status: 200 });
      if (url.startsWith("/assets/docs/")) expect(await asset.text()).not.toMatch(/https?:\/\//);
    }
  });
});
