import { createHash, hkdfSync } from "node:crypto";

/**
 * Every key the app uses is derived from the master secret with HKDF and a purpose label, so one
 * secret in the environment never serves two purposes.
 */
export type KeyPurpose = "session-signing" | "credential-encryption" | "tracking-links" | "unsubscribe-links";

export interface DerivedKey {
  /** Names the master secret the key came from, so sealed data can say which one opens it. */
  id: string;
  key: Buffer;
}

export function deriveKey(master: Buffer, purpose: KeyPurpose): DerivedKey {
  return {
    id: masterKeyId(master),
    key: Buffer.from(hkdfSync("sha256", master, Buffer.from("sesame/v1"), Buffer.from(purpose), 32)),
  };
}

export function masterKeyId(master: Buffer): string {
  return createHash("sha256").update("sesame-key-id").update(master).digest("hex").slice(0, 12);
}
