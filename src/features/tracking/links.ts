import type { Config } from "../../config";
import { deriveKey } from "../../lib/keys";
import { signToken, tokenLink, verifyToken } from "../../lib/signed";

/**
 * The signed addresses a sent mail carries for its open pixel and its links. Each names the
 * workspace, campaign and recipient (and a click, the address it leads to), so the routes that
 * answer them (the events issue) record the hit without trusting anything in the URL but the
 * signature. `i` is the day the link was made, for an expiry policy.
 */
export interface TrackingClaims {
  w: string;
  c: string;
  r: number;
  /** Where a click goes. */
  u?: string;
  /** Day of issue (days since the epoch). */
  i: number;
}

/** Derived once per configuration: HKDF on every link would cost more than signing it. */
const derived = new WeakMap<Config, Buffer[]>();

function keys(config: Config): Buffer[] {
  let found = derived.get(config);
  if (!found) {
    found = [config.appSecret, config.appSecretPrevious].filter((s): s is Buffer => s !== null).map((s) => deriveKey(s, "tracking-links").key);
    derived.set(config, found);
  }
  return found;
}

const day = (now: Date) => Math.floor(now.getTime() / 86_400_000);

export function openPixelUrl(config: Config, to: { workspaceId: string; campaignId: string; recipientId: number }, now: Date): string {
  const token = signToken({ w: to.workspaceId, c: to.campaignId, r: to.recipientId, i: day(now) } satisfies TrackingClaims, keys(config)[0]!);
  return tokenLink(config.publicUrl, "/t/o", token);
}

/** verifyToken reads no longer token: a link this long stays as it is, untracked, rather than broken. */
const TOKEN_MAX = 2048;

export function clickUrl(config: Config, to: { workspaceId: string; campaignId: string; recipientId: number }, url: string, now: Date): string {
  const token = signToken({ w: to.workspaceId, c: to.campaignId, r: to.recipientId, u: url, i: day(now) } satisfies TrackingClaims, keys(config)[0]!);
  if (token.length > TOKEN_MAX) return url;
  return tokenLink(config.publicUrl, "/t/c", token);
}

/** The claims of a pixel or click token, or null when it is tampered with or signed by another secret. */
export function readTrackingToken(config: Config, token: string): TrackingClaims | null {
  const claims = verifyToken<TrackingClaims>(token, keys(config));
  if (!claims || typeof claims.w !== "string" || typeof claims.c !== "string" || typeof claims.r !== "number") return null;
  return claims;
}

/** Links worth tracking: web addresses. mailto:, tel: and in-page anchors are left alone. */
export function isTrackable(url: string): boolean {
  return /^https?:\/\//i.test(url.trim());
}
