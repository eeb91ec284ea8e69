import { createSign, randomUUID } from "node:crypto";
import { join } from "node:path";

const FIXTURES = join(import.meta.dir, "..", "fixtures");
const TEST_KEY = await Bun.file(join(FIXTURES, "sns", "test-signing-key.pem")).text();
export const TEST_CERT = await Bun.file(join(FIXTURES, "sns", "test-signing-cert.pem")).text();
export const AWS_CERT_2015 = await Bun.file(join(FIXTURES, "sns-real", "aws-sns-signing-cert-2015.pem")).text();
export const AWS_NOTIFICATION_2015 = JSON.parse(await Bun.file(join(FIXTURES, "sns-real", "aws-signed-notification-v1.json")).text());

export async function sesFixture(name: string): Promise<Record<string, any>> {
  return JSON.parse(await Bun.file(join(FIXTURES, "ses", `${name}.json`)).text());
}

/** A mail Sesame sent, as its recipient row knows it. */
export interface SentMail {
  id: number;
  email: string;
  messageId: string;
}

/**
 * A real SES event (publishing format, from the fixtures) about one sent mail, happening at `at`,
 * with the configuration set and the `workspace` / `campaign` / `recipient` tags Sesame's mails carry.
 */
export async function sesEventAbout(kind: string, to: SentMail, tags: { configurationSet: string; workspaceId: string; campaignId: string }, at: Date, messageId = to.messageId): Promise<Record<string, any>> {
  const event = await sesFixture(kind);
  event.mail.messageId = messageId;
  event.mail.destination = [to.email];
  event.mail.timestamp = new Date(at.getTime() - 1000).toISOString();
  event.mail.tags = { "ses:configuration-set": [tags.configurationSet], workspace: [tags.workspaceId], campaign: [tags.campaignId], recipient: [String(to.id)] };
  const stamp = at.toISOString();
  if (event.delivery) Object.assign(event.delivery, { recipients: [to.email], timestamp: stamp });
  if (event.bounce) Object.assign(event.bounce, { timestamp: stamp, feedbackId: `fb-${randomUUID()}`, bouncedRecipients: event.bounce.bouncedRecipients.map((r: object) => ({ ...r, emailAddress: to.email })) });
  if (event.complaint) Object.assign(event.complaint, { timestamp: stamp, feedbackId: `fb-${randomUUID()}`, complainedRecipients: [{ emailAddress: to.email }] });
  if (event.deliveryDelay) Object.assign(event.deliveryDelay, { timestamp: stamp, delayedRecipients: event.deliveryDelay.delayedRecipients.map((r: object) => ({ ...r, emailAddress: to.email })) });
  if (event.open) event.open.timestamp = stamp;
  if (event.click) event.click.timestamp = stamp;
  return event;
}

/** Serves signing certificates on a local URL, as sns.<region>.amazonaws.com does. */
export function startCertServer() {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === "/SimpleNotificationService-test.pem") return new Response(TEST_CERT);
      if (path === "/SimpleNotificationService-aws2015.pem") return new Response(AWS_CERT_2015);
      return new Response("not found", { status: 404 });
    },
  });
  const base = `http://127.0.0.1:${server.port}`;
  return {
    certUrl: `${base}/SimpleNotificationService-test.pem`,
    awsCertUrl: `${base}/SimpleNotificationService-aws2015.pem`,
    /** Lets the app fetch certificates from this server (and only from it). */
    env: { SNS_CERT_URL_PATTERN: `^http://127\\.0\\.0\\.1:${server.port}/SimpleNotificationService-[A-Za-z0-9]+\\.pem$` },
    stop: () => server.stop(true),
  };
}

const SIGNED: Record<string, string[]> = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
};

/** An SNS delivery signed with the test key exactly as SNS signs (version 1: SHA1, 2: SHA256). */
export function signedSnsMessage(
  fields: { Type: "Notification" | "SubscriptionConfirmation"; TopicArn: string; Message: string; Subject?: string; SubscribeURL?: string; Token?: string; MessageId?: string },
  certUrl: string,
  version: "1" | "2" = "2",
): Record<string, string> {
  const message: Record<string, string> = {
    MessageId: randomUUID(),
    Timestamp: new Date().toISOString(),
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    SignatureVersion: version,
    SigningCertURL: certUrl,
  };
  const toSign = SIGNED[fields.Type]!.filter((k) => message[k] !== undefined).map((k) => `${k}\n${message[k]}\n`).join("");
  message.Signature = createSign(version === "1" ? "RSA-SHA1" : "RSA-SHA256").update(toSign).sign(TEST_KEY, "base64");
  if (fields.Type === "Notification") message.UnsubscribeURL = "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe";
  return message;
}
