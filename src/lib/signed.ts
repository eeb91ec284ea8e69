import { timingSafeEqual } from "node:crypto";

/**
 * Compact signed tokens for public links (unsubscribe, tracking): base64url(JSON payload) "." base64url
 * of a 128-bit HMAC-SHA256. Verification accepts any of the given keys, so links mailed before a
 * secret rotation keep working while APP_SECRET_PREVIOUS is set.
 */
export function signToken(payload: object, key: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${mac(body, key)}`;
}

/**
 * The public address of a token under `path` ("/u", "/t/o"…). A token is base64url and one ".", so
 * nothing needs escaping: the origin and the path make the address `new URL` would, without parsing
 * one for every link of every mail.
 */
export function tokenLink(publicUrl: URL, path: string, token: string): string {
  return `${publicUrl.origin}${path}/${token}`;
}

export function verifyToken<T>(token: string, keys: Buffer[]): T | null {
  if (token.length > 2048) return null;
  const dot = token.indexOf(".");
  if (dot < 1) return null;
  const body = token.slice(0, dot);
  // The signature is compared as the exact text it was issued as: decoding it first would accept
  // other spellings of the same bytes (padding, stray characters, unused trailing bits).
  const signature = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]{22}$/.test(signature)) return null;
  const given = Buffer.from(signature, "latin1");
  const valid = keys.some((key) => {
    const expected = Buffer.from(mac(body, key), "latin1");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!valid) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
}

function mac(body: string, key: Buffer): string {
  // Bun's hasher: the same HMAC as node:crypto's createHmac, for a quarter less time per link.
  return new Bun.CryptoHasher("sha256", key).update(body).digest().subarray(0, 16).toString("base64url");
}
