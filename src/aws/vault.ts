import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Config } from "../config";
import { deriveKey, type DerivedKey } from "../lib/keys";

/**
 * The credential vault: AES-256-GCM with a fresh 96-bit nonce per write, associated data that binds
 * a ciphertext to its owner (the workspace id, plus the session id for session-only keys), and the
 * id of the master secret that sealed it, so APP_SECRET can be rotated with APP_SECRET_PREVIOUS.
 */
export interface Sealed {
  keyId: string;
  /** base64(nonce ‖ ciphertext ‖ tag) */
  sealed: string;
}

export class VaultError extends Error {}

function keys(config: Config): DerivedKey[] {
  const list = [deriveKey(config.appSecret, "credential-encryption")];
  if (config.appSecretPrevious) list.push(deriveKey(config.appSecretPrevious, "credential-encryption"));
  return list;
}

export function seal(config: Config, plaintext: string, owner: string): Sealed {
  const [current] = keys(config);
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", current!.key, nonce);
  cipher.setAAD(Buffer.from(owner, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { keyId: current!.id, sealed: Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64") };
}

/**
 * Opens a sealed value for its owner. `stale` says it was sealed with the previous secret and should
 * be sealed again. Any mismatch (other owner, tampering, unknown secret) is one VaultError.
 */
export function open(config: Config, value: Sealed, owner: string): { plaintext: string; stale: boolean } {
  const all = keys(config);
  const key = all.find((k) => k.id === value.keyId);
  if (!key) throw new VaultError("sealed with a secret this instance no longer has");
  const raw = Buffer.from(value.sealed, "base64");
  if (raw.length < 12 + 16) throw new VaultError("sealed value is truncated");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(owner, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const plaintext = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
    return { plaintext, stale: key !== all[0] };
  } catch {
    throw new VaultError("sealed value does not open for this owner");
  }
}
