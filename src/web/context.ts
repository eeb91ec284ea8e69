import { jwt } from "@elysiajs/jwt";
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import type { Auth, ClientMeta } from "../features/auth/model";
import { authenticate } from "../features/auth/service";
import { deriveKey } from "../lib/keys";
import { apiGate } from "./api";

/** The session cookie's name; the __Host- prefix pins it to this exact origin over HTTPS. */
export function sessionCookieName(deps: Deps): string {
  return deps.config.publicUrl.protocol === "https:" ? "__Host-sesame_session" : "sesame_session";
}

/**
 * Puts `deps`, the caller's `auth` (or null) and client `meta` on every request after it. The cookie
 * holds a JWT signed with a key derived from APP_SECRET; inside is a random session token whose hash
 * names a server-side session row, so logging out revokes it for good.
 */
export function context(deps: Deps) {
  const current = deriveKey(deps.config.appSecret, "session-signing").key;
  // During a secret rotation, cookies signed with the previous secret still verify until they expire.
  const previous = deps.config.appSecretPrevious ? deriveKey(deps.config.appSecretPrevious, "session-signing").key : current;
  const cookieName = sessionCookieName(deps);

  return new Elysia({ name: "context" })
    .use(jwt({ name: "sessionJwt", secret: current }))
    .use(jwt({ name: "previousSessionJwt", secret: previous }))
    .decorate("deps", deps)
    .derive({ as: "global" }, async ({ cookie, request, server, sessionJwt, previousSessionJwt, route, set }) => {
      const meta: ClientMeta = {
        ip: clientIp(request.headers.get("x-forwarded-for"), server?.requestIP(request)?.address ?? "unknown", deps.config.trustProxy),
        userAgent: request.headers.get("user-agent"),
      };
      const raw = cookie[cookieName]?.value;
      let sessionToken: string | null = null;
      if (typeof raw === "string" && raw.length > 0 && raw.length < 2048) {
        const claims = (await sessionJwt.verify(raw)) || (await previousSessionJwt.verify(raw));
        if (claims && typeof claims.sid === "string") sessionToken = claims.sid;
      }
      // A request with an API key is the key's alone: cookies that came with it lend it nothing.
      const bearer = /^bearer\s/i.test(request.headers.get("authorization") ?? "");
      const session: Auth | null = sessionToken && !bearer ? await authenticate(deps, sessionToken) : null;
      const byKey = await apiGate(deps, { request, route, session, headers: set.headers as Record<string, string | number> });
      if (bearer) return { auth: byKey ?? null, meta, sessionToken: null };
      return { auth: session, meta, sessionToken };
    });
}

export type Context = ReturnType<typeof context>;

/**
 * The client's address: the connection's own, or, behind `hops` reverse proxies (TRUST_PROXY), the
 * address the outermost of them saw. Each proxy appends to X-Forwarded-For, so that one is `hops`
 * entries from the right; anything further left was written by the client and proves nothing (a
 * chain shorter than `hops` yields its rightmost entry, the one the nearest proxy wrote). Ports and
 * IPv6 brackets some proxies add are dropped, so one client keeps one address.
 */
export function clientIp(forwarded: string | null, socket: string, hops: number): string {
  if (hops <= 0 || !forwarded) return socket;
  const chain = forwarded
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (chain.length === 0) return socket;
  const entry = chain.length >= hops ? chain[chain.length - hops]! : chain[chain.length - 1]!;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(entry);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(entry);
  return (bracketed?.[1] ?? withPort?.[1] ?? entry).slice(0, 64);
}
