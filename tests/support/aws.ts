import { createHash, createHmac, randomUUID } from "node:crypto";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { accountRoutes } from "./fake/account";
import { identityRoutes } from "./fake/identities";
import { suppressionRoutes } from "./fake/suppressions";
import { templateRoutes } from "./fake/templates";
import { freePort } from "./net";

/**
 * The AWS side of the tests. SES calls go to the `aws-ses-v2-local` emulator (sending, GetAccount,
 * its /store of sent mail) through a small fake of our own in front of it, which adds what the
 * emulator lacks: SigV4 verification against known key pairs (so a wrong secret really is a
 * signature mismatch), identities, configuration sets, SNS (query protocol), and faults: any call
 * can be made to fail as AWS fails (denied, throttled, …) or as what stands between Sesame and AWS
 * fails (a proxy's HTML error page, a captive portal, bytes that are not an answer).
 */

export const ACCOUNT = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: "EN",
    MailType: "MARKETING",
    ReviewDetails: { CaseId: "case-1", Status: "GRANTED" },
    UseCaseDescription: "Newsletters",
    WebsiteURL: "https://example.com",
  },
  EnforcementStatus: "HEALTHY",
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 12500 },
  SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
};

export interface Emulator {
  url: string;
  /** Every mail the emulator received, as its GET /store lists them. */
  store(): Promise<{ emails: EmulatorEmail[] }>;
  stop(): Promise<void>;
}

export interface EmulatorEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function startEmulator(account: object = ACCOUNT): Promise<Emulator> {
  const port = freePort();
  const cli = join(import.meta.dir, "..", "..", "node_modules", "aws-ses-v2-local", "dist", "cli.js");
  const proc = Bun.spawn([process.execPath, cli, "--port", String(port), "--host", "127.0.0.1"], {
    env: { ...process.env, AWS_SES_ACCOUNT: JSON.stringify(account) },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/health-check`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i === 99) throw new Error("aws-ses-v2-local did not start");
    await Bun.sleep(50);
  }
  return {
    url,
    store: async () => (await fetch(`${url}/store`)).json() as Promise<{ emails: EmulatorEmail[] }>,
    stop: async () => {
      proc.kill();
      await proc.exited;
    },
  };
}

class Sha256 {
  private hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = typeof secret === "string" || secret === undefined ? secret : (secret instanceof ArrayBuffer ? Buffer.from(secret) : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength));
    this.hash = key ? createHmac("sha256", key) : createHash("sha256");
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

export interface FakeKey {
  secret: string;
  /** Actions ("ses:GetAccount", "sns:CreateTopic", …) this key is denied. */
  deny?: string[];
  /** GetAccount answer for this key instead of the emulator's. */
  account?: object;
  /** Per-region GetAccount answers; "disabled" for an opt-in region the account has not enabled (SES answers UnrecognizedClientException there). */
  regions?: Record<string, object | "disabled">;
}

/** A GetAccount answer, loosely typed: tests set whatever SES fields they need. */
export type FakeAccount = Record<string, any>;

/**
 * How a call fails. The AWS answers are in each service's own format (JSON with x-amzn-errortype for
 * SES v2, XML ErrorResponse for SNS); the others are what a proxy or portal in between sends.
 */
export type Fault =
  | "denied"
  | "unrecognized"
  | "signature"
  | "throttled"
  | "internal"
  | "unknown"
  /** A reverse proxy's 502 page. */
  | "html"
  /** A captive portal's login page, with status 200. */
  | "html200"
  /** Bytes that are neither JSON nor XML, with status 200. */
  | "garbage"
  /** AWS's NotFoundException (or SNS's NotFound) for whatever the call names. */
  | "notFound"
  /** AWS's LimitExceededException: an account limit reached. */
  | "limit";

export const FAULTS: Fault[] = ["denied", "unrecognized", "signature", "throttled", "internal", "unknown", "html", "html200", "garbage"];

/** The error text each fault carries, so tests can find it in the log and not in what users see. */
export const FAULT_TEXT: Record<Fault, string> = {
  denied: "is not authorized to perform",
  unrecognized: "The security token included in the request is invalid",
  signature: "The request signature we calculated does not match",
  throttled: "Rate exceeded",
  internal: "We encountered an internal error",
  unknown: "SomethingNewException",
  html: "HTTP 502",
  html200: "HTTP 200",
  garbage: "HTTP 200",
  notFound: "does not exist",
  limit: "Maximum number of",
};

const PROXY_PAGE =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
const PORTAL_PAGE = "<!DOCTYPE html><html><head><title>Sign in to the guest network</title></head><body><form><input name=room></form></body></html>";

function faultResponse(service: string, action: string, fault: Fault): Response {
  const sns = service === "sns";
  switch (fault) {
    case "denied":
      return failure(service, 403, sns ? "AuthorizationError" : "AccessDeniedException", `User: arn:aws:iam::${ACCOUNT_ID}:user/sesame is not authorized to perform: ${action}`);
    case "unrecognized":
      return failure(service, 403, sns ? "InvalidClientTokenId" : "UnrecognizedClientException", FAULT_TEXT.unrecognized + ".");
    case "signature":
      return failure(service, 403, sns ? "SignatureDoesNotMatch" : "InvalidSignatureException", FAULT_TEXT.signature + " you provided.");
    case "throttled":
      return failure(service, sns ? 400 : 429, sns ? "Throttling" : "TooManyRequestsException", FAULT_TEXT.throttled);
    case "internal":
      return failure(service, 500, sns ? "InternalError" : "InternalFailure", FAULT_TEXT.internal);
    case "unknown":
      return failure(service, 400, "SomethingNewException", "A reason no client knows yet");
    case "html":
      return new Response(PROXY_PAGE, { status: 502, headers: { "content-type": "text/html" } });
    case "html200":
      return new Response(PORTAL_PAGE, { status: 200, headers: { "content-type": "text/html" } });
    case "garbage":
      return new Response(new Uint8Array([0, 159, 146, 150, 123, 123, 10]), { status: 200, headers: { "content-type": "application/octet-stream" } });
    case "notFound":
      return failure(service, 404, sns ? "NotFound" : "NotFoundException", `The resource ${action} names ${FAULT_TEXT.notFound}.`);
    case "limit":
      return failure(service, sns ? 403 : 400, sns ? "TopicLimitExceeded" : "LimitExceededException", `${FAULT_TEXT.limit} items reached for this account.`);
  }
}

export interface FakeIdentity {
  name: string;
  type: "EMAIL_ADDRESS" | "DOMAIN";
  verified: boolean;
  tokens: string[];
  /** Set by PutEmailIdentityMailFromAttributes; its status is what GetEmailIdentity reports. */
  mailFrom?: { domain: string; behaviorOnMxFailure: string; status: "PENDING" | "SUCCESS" | "FAILED" | "TEMPORARY_FAILURE" };
}

/** One address on SES's account-level suppression list. */
export interface FakeSuppressed {
  reason: "BOUNCE" | "COMPLAINT";
  lastUpdate: Date;
  messageId?: string;
  feedbackId?: string;
}

/** What SES keeps of a configuration set beyond its event destinations. */
export interface FakeConfigurationSet {
  sendingEnabled: boolean;
  reputationMetricsEnabled: boolean;
  lastFreshStart?: Date;
}

interface FakeSubscription {
  arn: string;
  topicArn: string;
  endpoint: string;
  protocol: string;
  confirmed: boolean;
  token: string;
}

export interface AwsFake {
  url: string;
  keys: Map<string, FakeKey>;
  /** Calls seen, in order: service, action, region and access key id. */
  calls: { service: string; action: string; region: string; accessKeyId: string }[];
  identities: Map<string, FakeIdentity>;
  /** SES's account-level suppression list, by address (one list for every key and region, as one account). */
  suppressed: Map<string, FakeSuppressed>;
  configurationSets: Map<string, Map<string, { topicArn: string; types: string[]; enabled: boolean }>>;
  /** Sending and reputation options of each configuration set, created with the set. */
  configurationSetOptions: Map<string, FakeConfigurationSet>;
  /**
   * The GetAccount answer for a key in a region, as SES keeps it: created on first use from the key's
   * `regions[region]` or `account` (else ACCOUNT), then changed by the Put* account calls and by tests.
   * Null for a region the key's account has not enabled.
   */
  account(accessKeyId: string, region: string): FakeAccount | null;
  topics: Set<string>;
  subscriptions: FakeSubscription[];
  /** Faults in force, by action ("ses:GetAccount", "sns:CreateTopic", …); each lasts until cleared. */
  faults: Map<string, Fault>;
  /** Makes every call of `action` fail with `fault` (retries included), or heals it with null. */
  fail(action: string, fault: Fault | null): void;
  /** Marks a subscription confirmed as SNS would after the endpoint visited its SubscribeURL. */
  confirm(topicArn: string, endpoint: string): void;
  stop(): Promise<void>;
}

const ACCOUNT_ID = "123456789012";

function xml(action: string, result: string): Response {
  return new Response(
    `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
    { headers: { "content-type": "text/xml" } },
  );
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function failure(service: string, status: number, code: string, message: string): Response {
  if (service === "sns") {
    return new Response(
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      { status, headers: { "content-type": "text/xml" } },
    );
  }
  return Response.json({ message }, { status, headers: { "x-amzn-errortype": code } });
}

/** One SES v2 request as a fake route sees it. */
export interface SesCall {
  fake: AwsFake;
  request: Request;
  /** The decoded path, e.g. /v2/email/identities/example.com. */
  path: string;
  /** The route's path pattern matched against `path`. */
  match: RegExpExecArray;
  query: URLSearchParams;
  /** The JSON body ({} when empty). */
  body(): any;
  who: { accessKeyId: string; service: string; region: string };
  /** Hands the request to the aws-ses-v2-local emulator as it is. */
  proxy(): Promise<Response>;
}

/**
 * An SES v2 operation the fake answers: its method and path as the SDK's own model serialises them
 * (node_modules/@aws-sdk/client-sesv2/dist-cjs/index.js, e.g. `["POST", "/v2/email/list-identities", 200]`),
 * and the IAM action name that faults and denials are keyed by.
 */
export interface SesRoute {
  action: string;
  method: string;
  path: RegExp;
  handle(call: SesCall): Response | Promise<Response>;
}

/** An SES v2 error answer: JSON `{message}` with the error's name in x-amzn-errortype, as AWS sends it. */
export function sesError(status: number, code: string, message: string): Response {
  return failure("ses", status, code, message);
}

/** The calls of the event pipeline and sending; the rest of SES lives in ./fake/*. */
const CORE_ROUTES: SesRoute[] = [
  {
    action: "CreateConfigurationSet",
    method: "POST",
    path: /^\/v2\/email\/configuration-sets$/,
    handle({ fake, body }) {
      const name = String(body().ConfigurationSetName);
      if (fake.configurationSets.has(name)) return sesError(400, "AlreadyExistsException", `Configuration set <${name}> already exists.`);
      fake.configurationSets.set(name, new Map());
      fake.configurationSetOptions.set(name, { sendingEnabled: true, reputationMetricsEnabled: false });
      return Response.json({});
    },
  },
  ...(["GET", "POST", "PUT"] as const).map(
    (method): SesRoute => ({
      action: { GET: "GetConfigurationSetEventDestinations", POST: "CreateConfigurationSetEventDestination", PUT: "UpdateConfigurationSetEventDestination" }[method],
      method,
      path: method === "PUT" ? /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations\/([^/]+)$/ : /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations$/,
      handle({ fake, match, body }) {
        const set = fake.configurationSets.get(match[1]!);
        if (!set) return sesError(404, "NotFoundException", `Configuration set <${match[1]}> does not exist.`);
        if (method === "GET") {
          return Response.json({
            EventDestinations: [...set].map(([name, d]) => ({ Name: name, Enabled: d.enabled, MatchingEventTypes: d.types, SnsDestination: { TopicArn: d.topicArn } })),
          });
        }
        const input = body();
        const name = match[2] ?? String(input.EventDestinationName);
        const destination = { topicArn: input.EventDestination.SnsDestination.TopicArn, types: input.EventDestination.MatchingEventTypes, enabled: input.EventDestination.Enabled };
        if (method === "POST") {
          if (set.has(name)) return sesError(400, "AlreadyExistsException", `Event destination ${name} already exists.`);
        } else if (!set.has(name)) {
          return sesError(404, "NotFoundException", `Event destination ${name} does not exist.`);
        }
        set.set(name, destination);
        return Response.json({});
      },
    }),
  ),
  { action: "SendEmail", method: "POST", path: /^\/v2\/email\/outbound-emails$/, handle: ({ proxy }) => proxy() },
  { action: "SendBulkEmail", method: "POST", path: /^\/v2\/email\/outbound-bulk-emails$/, handle: ({ proxy }) => proxy() },
];

export async function startAwsFake(options: { emulatorUrl: string; keys?: Record<string, FakeKey> }): Promise<AwsFake> {
  const accounts = new Map<string, FakeAccount | null>();
  const fake: AwsFake = {
    url: "",
    keys: new Map(Object.entries(options.keys ?? {})),
    calls: [],
    identities: new Map(),
    suppressed: new Map(),
    configurationSets: new Map(),
    configurationSetOptions: new Map(),
    account(accessKeyId, region) {
      const id = `${accessKeyId}:${region}`;
      if (!accounts.has(id)) {
        const key = fake.keys.get(accessKeyId);
        const chosen = key?.regions?.[region] ?? key?.account ?? ACCOUNT;
        accounts.set(id, chosen === "disabled" ? null : structuredClone(chosen));
      }
      return accounts.get(id) ?? null;
    },
    topics: new Set(),
    subscriptions: [],
    faults: new Map(),
    fail(action, fault) {
      if (fault) fake.faults.set(action, fault);
      else fake.faults.delete(action);
    },
    confirm(topicArn, endpoint) {
      const sub = fake.subscriptions.find((s) => s.topicArn === topicArn && s.endpoint === endpoint);
      if (sub) sub.confirmed = true;
    },
    stop: async () => {
      server.stop(true);
    },
  };

  async function verify(request: Request, body: Uint8Array): Promise<{ service: string; region: string; accessKeyId: string } | Response> {
    const auth = request.headers.get("authorization") ?? "";
    const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth);
    if (!match) return failure("ses", 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
    const [, accessKeyId, , region, service, signedHeaders, signature] = match as unknown as string[];
    const key = fake.keys.get(accessKeyId!);
    if (!key) return failure(service!, 403, service === "sns" ? "InvalidClientTokenId" : "UnrecognizedClientException", "The security token included in the request is invalid.");
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    for (const name of signedHeaders!.split(";")) headers[name] = request.headers.get(name) ?? "";
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const amzDate = request.headers.get("x-amz-date")!;
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const signer = new SignatureV4({ service: service!, region: region!, credentials: { accessKeyId: accessKeyId!, secretAccessKey: key.secret }, sha256: Sha256 });
    const signed = await signer.sign(
      { method: request.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, body },
      { signingDate },
    );
    const expected = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1];
    if (expected !== signature) {
      return failure(
        service!,
        403,
        service === "sns" ? "SignatureDoesNotMatch" : "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      );
    }
    return { service: service!, region: region!, accessKeyId: accessKeyId! };
  }

  function denied(who: { accessKeyId: string; service: string }, action: string): Response | null {
    if (!fake.keys.get(who.accessKeyId)?.deny?.includes(action)) return null;
    return failure(
      who.service,
      403,
      who.service === "sns" ? "AuthorizationError" : "AccessDeniedException",
      `User: arn:aws:iam::${ACCOUNT_ID}:user/sesame is not authorized to perform: ${action}`,
    );
  }

  const routes: SesRoute[] = [...CORE_ROUTES, ...identityRoutes, ...suppressionRoutes, ...templateRoutes, ...accountRoutes];

  async function ses(request: Request, body: Uint8Array, who: { accessKeyId: string; service: string; region: string }): Promise<Response> {
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    let route: SesRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of routes) {
      if (r.method === request.method && (match = r.path.exec(path))) {
        route = r;
        break;
      }
    }
    const action = route?.action ?? `${request.method} ${path}`;
    fake.calls.push({ service: "ses", action, region: who.region, accessKeyId: who.accessKeyId });
    const fault = fake.faults.get(`ses:${action}`);
    if (fault) return faultResponse("ses", `ses:${action}`, fault);
    const refused = denied(who, `ses:${action}`);
    if (refused) return refused;
    // An opt-in region the account has not enabled knows neither the keys nor anything else.
    if (!fake.account(who.accessKeyId, who.region)) return failure("ses", 403, "UnrecognizedClientException", "The security token included in the request is invalid.");
    if (!route) return proxy(request, body);
    return route.handle({
      fake,
      request,
      path,
      match: match!,
      query: url.searchParams,
      body: () => JSON.parse(new TextDecoder().decode(body) || "{}"),
      who,
      proxy: () => proxy(request, body),
    });
  }

  async function proxy(request: Request, body: Uint8Array): Promise<Response> {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    const response = await fetch(`${options.emulatorUrl}${url.pathname}${url.search}`, {
      method: request.method,
      headers,
      body: request.method === "GET" || request.method === "HEAD" ? undefined : Buffer.from(body),
    });
    return new Response(await response.arrayBuffer(), { status: response.status, headers: response.headers });
  }

  function sns(params: URLSearchParams, who: { accessKeyId: string; service: string; region: string }): Response {
    const action = params.get("Action") ?? "";
    fake.calls.push({ service: "sns", action, region: who.region, accessKeyId: who.accessKeyId });
    const fault = fake.faults.get(`sns:${action}`);
    if (fault) return faultResponse("sns", `sns:${action}`, fault);
    const refused = denied(who, `sns:${action}`);
    if (refused) return refused;
    switch (action) {
      case "CreateTopic": {
        const arn = `arn:aws:sns:${who.region}:${ACCOUNT_ID}:${params.get("Name")}`;
        fake.topics.add(arn);
        return xml(action, `<TopicArn>${arn}</TopicArn>`);
      }
      case "Subscribe": {
        const topicArn = params.get("TopicArn")!;
        if (!fake.topics.has(topicArn)) return failure("sns", 404, "NotFound", "Topic does not exist");
        const endpoint = params.get("Endpoint")!;
        let sub = fake.subscriptions.find((s) => s.topicArn === topicArn && s.endpoint === endpoint);
        if (!sub) {
          sub = { arn: `${topicArn}:${randomUUID()}`, topicArn, endpoint, protocol: params.get("Protocol")!, confirmed: false, token: randomUUID().replace(/-/g, "") };
          fake.subscriptions.push(sub);
        }
        return xml(action, `<SubscriptionArn>${sub.confirmed || params.get("ReturnSubscriptionArn") === "true" ? sub.arn : "pending confirmation"}</SubscriptionArn>`);
      }
      case "ListSubscriptionsByTopic": {
        const topicArn = params.get("TopicArn")!;
        const members = fake.subscriptions
          .filter((s) => s.topicArn === topicArn)
          .map(
            (s) =>
              `<member><TopicArn>${s.topicArn}</TopicArn><Protocol>${s.protocol}</Protocol><SubscriptionArn>${s.confirmed ? s.arn : "PendingConfirmation"}</SubscriptionArn><Owner>${ACCOUNT_ID}</Owner><Endpoint>${escapeXml(s.endpoint)}</Endpoint></member>`,
          )
          .join("");
        return xml(action, `<Subscriptions>${members}</Subscriptions>`);
      }
      case "GetTopicAttributes": {
        const topicArn = params.get("TopicArn")!;
        if (!fake.topics.has(topicArn)) return failure("sns", 404, "NotFound", "Topic does not exist");
        return xml(action, `<Attributes><entry><key>TopicArn</key><value>${topicArn}</value></entry><entry><key>Owner</key><value>${ACCOUNT_ID}</value></entry></Attributes>`);
      }
      case "ConfirmSubscription": {
        const sub = fake.subscriptions.find((s) => s.topicArn === params.get("TopicArn") && s.token === params.get("Token"));
        if (!sub) return failure("sns", 400, "InvalidParameter", "Invalid token");
        sub.confirmed = true;
        return xml(action, `<SubscriptionArn>${sub.arn}</SubscriptionArn>`);
      }
    }
    return failure("sns", 400, "InvalidAction", `The action ${action} is not valid for this web service.`);
  }

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      // A SubscribeURL visit is an unsigned GET, as from SNS's real confirmation links.
      if (request.method === "GET" && url.searchParams.get("Action") === "ConfirmSubscription") {
        return sns(url.searchParams, { accessKeyId: "", service: "sns", region: "" });
      }
      const body = new Uint8Array(await request.arrayBuffer());
      const who = await verify(request, body);
      if (who instanceof Response) return who;
      if (who.service === "sns") return sns(new URLSearchParams(new TextDecoder().decode(body)), who);
      return ses(request, body, who);
    },
  });
  fake.url = `http://127.0.0.1:${server.port}`;
  return fake;
}

/** The emulator and the fake in front of it, with the environment that points the app at them. */
export async function startAws(keys: Record<string, FakeKey>) {
  const emulator = await startEmulator();
  const fake = await startAwsFake({ emulatorUrl: emulator.url, keys });
  return {
    emulator,
    fake,
    env: { SES_ENDPOINT: fake.url, SNS_ENDPOINT: fake.url },
    async stop() {
      await fake.stop();
      await emulator.stop();
    },
  };
}
