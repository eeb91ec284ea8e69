import { storageProblem } from "../db/health";
import type { Deps } from "../deps";
import type { Auth } from "../features/auth/model";
import { authenticateKey } from "../features/api-keys/service";
import type { Limit } from "../features/limits/model";
import { countRequest } from "../features/limits/service";
import { Forbidden, TooManyRequests, Unauthorized } from "../lib/errors";
import { isHtmx, wantsPage } from "./respond";

type Scope = "send" | "full";

/**
 * The JSON API: every route an API key may call (and the scope it needs), and the routes whose JSON
 * answers carry RateLimit headers for sessions too. Anything else (pages, htmx fragments, account and
 * key management, instance administration) never accepts a key.
 */
export const API_ROUTES: Record<string, Scope> = {
  "GET /auth/me": "send",
  // Sending, and following what was sent.
  "POST /email/send": "send",
  "GET /campaigns/:id": "send",
  "GET /campaigns/:id/recipients": "send",
  "GET /email/template": "send",
  "GET /email/template/:id": "send",
  "GET /lists": "send",
  // The rest of the contract.
  "POST /email/template": "full",
  "PUT /email/template/:id": "full",
  "DELETE /email/template/:id": "full",
  "POST /email/template/:id/preview": "full",
  "POST /email/template/:id/test": "full",
  "POST /lists": "full",
  "GET /lists/:id/contacts": "full",
  "POST /lists/:id/import": "full",
  "GET /imports/:id": "full",
  "GET /campaigns": "full",
  "POST /campaigns": "full",
  "PATCH /campaigns/:id": "full",
  "DELETE /campaigns/:id": "full",
  "POST /campaigns/:id/launch": "full",
  "POST /campaigns/:id/pause": "full",
  "POST /campaigns/:id/resume": "full",
  "POST /campaigns/:id/cancel": "full",
  "POST /campaigns/:id/resend-unknown": "full",
  "POST /campaigns/:id/attachments": "full",
  "DELETE /campaigns/:id/attachments/:index": "full",
  "GET /events": "full",
  "GET /analytics": "full",
  "GET /analytics/recipients": "full",
  "GET /suppressions": "full",
  "POST /suppressions": "full",
  "DELETE /suppressions/:id": "full",
  "GET /aws/status": "full",
  "POST /aws/connect": "full",
  "DELETE /aws/connect": "full",
  "PUT /aws/events": "full",
  "POST /aws/events/setup": "full",
  "GET /aws/identities": "full",
  "POST /aws/identities": "full",
  "DELETE /aws/identities/:identity": "full",
  "PUT /aws/identities/:identity/mail-from": "full",
  "GET /aws/suppressions": "full",
  "PUT /aws/suppressions": "full",
  "DELETE /aws/suppressions/:email": "full",
  "POST /aws/suppressions/sync": "full",
  "GET /aws/templates": "full",
  "POST /aws/templates": "full",
  "POST /aws/templates/:name/import": "full",
  "DELETE /aws/templates/:name": "full",
  "GET /aws/regions": "full",
  "POST /aws/production-access": "full",
  "GET /aws/s3/objects": "full",
  "PUT /aws/s3": "full",
  "GET /workspace": "full",
  "GET /workspace/members": "full",
  "POST /workspace/invites": "full",
  "GET /workspace/invites": "full",
  "DELETE /workspace/invites/:id": "full",
  "PATCH /workspace/members/:userId": "full",
  "DELETE /workspace/members/:userId": "full",
  "GET /audit": "full",
};

/** Routes a session's JSON calls are counted on too (the same API, used by scripts with a cookie). */
export const SESSION_COUNTED = new Set([...Object.keys(API_ROUTES), "GET /api-keys", "POST /api-keys", "DELETE /api-keys/:id"]);

type Headers = Record<string, string | number>;

/**
 * Resolves `Authorization: Bearer <key>` on the JSON API (refusing it anywhere else) and counts the
 * request against the caller's per-minute limit, setting the RateLimit headers (IETF draft) on the
 * answer. Returns the caller a key stands for, or undefined when the request carries no key.
 */
export async function apiGate(
  deps: Deps,
  input: { request: Request; route: string; session: Auth | null; headers: Headers },
): Promise<Auth | null | undefined> {
  const { request, headers } = input;
  const routeKey = `${request.method} ${input.route}`;
  const authorization = request.headers.get("authorization");
  let auth: Auth | null = input.session;
  let own: Partial<Limit> | undefined;
  let byKey: Auth | undefined;
  if (authorization !== null && /^bearer\s/i.test(authorization)) {
    const needed = API_ROUTES[routeKey];
    if (!needed || isHtmx(request) || wantsPage(request)) {
      // Unmatched paths fall through to their 404.
      if (!input.route) return null;
      throw new Unauthorized("API keys work on the JSON API only (see /docs); pages need you to log in.", "api_key_not_allowed");
    }
    const found = await authenticateKey(deps, authorization.replace(/^bearer\s+/i, "").trim());
    if (!found) throw new Unauthorized("This API key is not valid: it may have been revoked. Create a new one under Settings → API keys.", "invalid_api_key");
    if (needed === "full" && found.auth.apiKey!.scope === "send") {
      throw new Forbidden("This key may only send mail and read what it sent; use a key with full access for this.", "key_scope");
    }
    auth = byKey = found.auth;
    own = found.limits;
  }
  if (!auth || !SESSION_COUNTED.has(routeKey) || (!byKey && (isHtmx(request) || wantsPage(request)))) return byKey;
  // A database that cannot take the count (a full disk, a read-only file) does not turn every API call
  // into that error: the request goes on uncounted, and whatever it writes meets the problem itself.
  const counted = await countRequest(deps, auth, own).catch((err: unknown) => {
    if (!storageProblem(err)) throw err;
    deps.log.warn("request not counted against its limit", { problem: storageProblem(err) });
    return null;
  });
  if (!counted) return byKey;
  headers["ratelimit-limit"] = counted.limit;
  headers["ratelimit-remaining"] = counted.remaining;
  headers["ratelimit-reset"] = counted.reset;
  headers["ratelimit-policy"] = `${counted.limit};w=60`;
  if (counted.refused) {
    throw new TooManyRequests(
      `This ${byKey ? "key" : "account"} made ${counted.limit} requests this minute, its limit; try again in ${counted.reset} seconds.`,
      counted.reset,
      "rate_limited",
    );
  }
  return byKey;
}

