import { createPublicKey, createVerify, type KeyObject } from "node:crypto";
import type { Config } from "../config";
import { BadRequest, Forbidden, Unavailable } from "../lib/errors";

/** An SNS HTTP(S) delivery, as SNS posts it. */
export interface SnsMessage {
  Type: "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: "1" | "2";
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

const SIGNED_FIELDS: Record<SnsMessage["Type"], (keyof SnsMessage)[]> = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
};

/** Parses a delivery; anything that is not a complete SNS message is a 400. */
export function parseSnsMessage(body: string): SnsMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new BadRequest("The body is not an SNS message (not JSON).", "sns_unparseable");
  }
  const m = value as Partial<SnsMessage> | null;
  const strings = (...keys: (keyof SnsMessage)[]) => keys.every((k) => typeof m?.[k] === "string" && (m[k] as string).length > 0);
  if (!m || typeof m !== "object" || typeof m.Type !== "string" || !Object.hasOwn(SIGNED_FIELDS, m.Type) || !strings("MessageId", "TopicArn", "Timestamp", "Signature", "SigningCertURL", "SignatureVersion")) {
    throw new BadRequest("The body is not an SNS message.", "sns_unparseable");
  }
  if (typeof m.Message !== "string") throw new BadRequest("The SNS message has no Message.", "sns_unparseable");
  if (m.Type !== "Notification" && !strings("SubscribeURL", "Token")) throw new BadRequest("The SNS confirmation has no SubscribeURL or Token.", "sns_unparseable");
  return m as SnsMessage;
}

/** The string SNS signs: each present signed field as "Name\nvalue\n", in the documented order. */
export function stringToSign(m: SnsMessage): string {
  return SIGNED_FIELDS[m.Type]
    .filter((field) => m[field] !== undefined)
    .map((field) => `${field}\n${m[field]}\n`)
    .join("");
}

/** Fetched signing certificates by URL; AWS rotates them rarely, so a small cache saves a fetch per event. */
const certificates = new Map<string, Promise<KeyObject>>();

async function signingKey(config: Config, url: string): Promise<KeyObject> {
  if (!config.snsCertUrlPattern.test(url)) throw new Forbidden("The SNS signing certificate URL is not trusted.", "sns_untrusted_certificate");
  let key = certificates.get(url);
  if (!key) {
    key = (async () => {
      const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`certificate fetch answered ${response.status}`);
      return createPublicKey(await response.text());
    })();
    certificates.set(url, key);
    if (certificates.size > 50) certificates.delete(certificates.keys().next().value!);
  }
  try {
    return await key;
  } catch {
    certificates.delete(url);
    throw new Forbidden("The SNS signing certificate could not be fetched or read.", "sns_bad_certificate");
  }
}

/** Throws Forbidden unless the message carries a valid SNS signature (version 1: SHA1, 2: SHA256). */
export async function verifySnsMessage(config: Config, m: SnsMessage, keyFor = signingKey): Promise<void> {
  const algorithm = m.SignatureVersion === "1" ? "RSA-SHA1" : m.SignatureVersion === "2" ? "RSA-SHA256" : null;
  if (!algorithm) throw new Forbidden("Unknown SNS signature version.", "sns_bad_signature");
  const key = await keyFor(config, m.SigningCertURL);
  const valid = createVerify(algorithm).update(stringToSign(m), "utf8").verify(key, m.Signature, "base64");
  if (!valid) throw new Forbidden("The SNS signature does not verify.", "sns_bad_signature");
}

/** Visits a SubscribeURL (only one that matches SNS_SUBSCRIBE_URL_PATTERN) and returns the confirmed subscription ARN. */
export async function confirmSubscription(config: Config, m: SnsMessage): Promise<string | null> {
  if (!m.SubscribeURL || !config.snsSubscribeUrlPattern.test(m.SubscribeURL)) {
    throw new Forbidden("The SNS SubscribeURL is not trusted.", "sns_untrusted_subscribe_url");
  }
  let response: Response;
  try {
    response = await fetch(m.SubscribeURL, { redirect: "error", signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new Unavailable("SNS could not be reached to confirm the subscription; SNS will deliver the confirmation again.", "sns_unreachable");
  }
  if (!response.ok) throw new Forbidden(`SNS refused the confirmation (${response.status}).`, "sns_confirmation_failed");
  return /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await response.text())?.[1] ?? null;
}
