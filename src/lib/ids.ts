import { createHash, randomBytes } from "node:crypto";

/** A public, unguessable id: a short type prefix and 96 random bits. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/** A bearer secret (session token, API key, invite token): 256 random bits. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens are stored only as their SHA-256, so a database leak does not hand out live sessions or keys. */
export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}
