import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { startAwsFake, startEmulator, type AwsFake, type Emulator } from "../support/aws";
import { createTestApp, type TestApp } from "../support/app";
import { Client } from "../support/client";
import { AWS_NOTIFICATION_2015, sesFixture, signedSnsMessage, startCertServer } from "../support/sns";

const KEY = { accessKeyId: "AKIASNSTESTKEY000001", secretAccessKey: "sns-test-secret-access-key-000000000000" };
const REAL_TOPIC = "arn:aws:sns:us-east-1:810605503585:just_testing";

let emulator: Emulator;
let fake: AwsFake;
let certs: ReturnType<typeof startCertServer>;
let t: TestApp;
let owner: Client;
let workspaceId: string;
let topicArn: string;

function post(body: unknown, contentType = "text/plain; charset=UTF-8") {
  return new Client(t.app).request("POST", "/sns/notifications", {
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": contentType, "x-amz-sns-message-type": "Notification" },
  });
}

async function notify(event: object, version: "1" | "2" = "2", messageId?: string) {
  return post(signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: JSON.stringify(event), MessageId: messageId }, certs.certUrl, version));
}

async function rows() {
  const { db } = t.database;
  return {
    events: await db.orm.select().from(db.t.events).where(eq(db.t.events.workspaceId, workspaceId)),
    suppressions: await db.orm.select().from(db.t.suppressions).where(eq(db.t.suppressions.workspaceId, workspaceId)),
  };
}

beforeAll(async () => {
  emulator = await startEmulator();
  fake = await startAwsFake({ emulatorUrl: emulator.url, keys: { [KEY.accessKeyId]: { secret: KEY.secretAccessKey } } });
  certs = startCertServer();
  t = await createTestApp({
    env: {
      SES_ENDPOINT: fake.url,
      SNS_ENDPOINT: fake.url,
      PUBLIC_URL: "https://sesame.example.com",
      ...certs.env,
      SNS_SUBSCRIBE_URL_PATTERN: `^${fake.url.replace(/[.]/g, "\\.")}/`,
    },
  });
  owner = new Client(t.app);
  workspaceId = (await owner.signup("sns-owner@example.com")).workspace.id;
  await owner.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
  topicArn = (await owner.post("/aws/events/setup")).json.topicArn;
});
afterAll(async () => {
  await t.close();
  certs.stop();
  await fake.stop();
  await emulator.stop();
});

describe("a genuine AWS-signed message", () => {
  function genuine(changes: Record<string, string> = {}) {
    return { ...AWS_NOTIFICATION_2015, SigningCertURL: certs.awsCertUrl, ...changes };
  }

  test("from a topic no workspace registered is refused with 403", async () => {
    const reply = await post(genuine());
    expect(reply.status).toBe(403);
    expect(reply.json.code).toBe("sns_unknown_topic");
  });

  test("verifies (version 1, with Subject) once its topic is registered, and a non-SES body is acknowledged and ignored", async () => {
    const other = new Client(t.app);
    await other.signup("real-topic@example.com");
    await other.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
    fake.topics.add(REAL_TOPIC);
    expect((await other.put("/aws/events", { topicArn: REAL_TOPIC })).status).toBe(200);
    const reply = await post(genuine());
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ outcome: "ignored", events: 0 });
  });

  test("changing any signed field breaks the signature", async () => {
    for (const field of ["Message", "MessageId", "Subject", "Timestamp", "Type"]) {
      const value = field === "Type" ? "SubscriptionConfirmation" : `${AWS_NOTIFICATION_2015[field]}x`;
      const reply = await post(genuine({ [field]: value, ...(field === "Type" ? { SubscribeURL: "https://x", Token: "t" } : {}) }));
      expect({ field, status: reply.status }).toEqual({ field, status: 403 });
    }
    const topic = await post(genuine({ TopicArn: topicArn }));
    expect(topic.status).toBe(403);
    expect(topic.json.code).toBe("sns_bad_signature");
  });

  test("a certificate URL outside SNS_CERT_URL_PATTERN is never fetched", async () => {
    const reply = await post(genuine({ SigningCertURL: "https://evil.example/SimpleNotificationService-x.pem" }));
    expect(reply.status).toBe(403);
    expect(reply.json.code).toBe("sns_untrusted_certificate");
  });
});

describe("subscription confirmation", () => {
  test("a SubscriptionConfirmation for the registered topic is confirmed by visiting its SubscribeURL", async () => {
    const sub = fake.subscriptions.find((s) => s.topicArn === topicArn)!;
    expect(sub.confirmed).toBe(false);
    const message = signedSnsMessage(
      {
        Type: "SubscriptionConfirmation",
        TopicArn: topicArn,
        Message: `You have chosen to subscribe to the topic ${topicArn}.`,
        Token: sub.token,
        SubscribeURL: `${fake.url}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${sub.token}`,
      },
      certs.certUrl,
      "1",
    );
    const reply = await post(message);
    expect(reply.status).toBe(200);
    expect(reply.json.outcome).toBe("confirmed");
    expect(sub.confirmed).toBe(true);
    expect((await owner.get("/aws/events")).json.subscription.state).toBe("confirmed");
  });

  test("a SubscribeURL outside SNS_SUBSCRIBE_URL_PATTERN is not visited", async () => {
    const message = signedSnsMessage(
      { Type: "SubscriptionConfirmation", TopicArn: topicArn, Message: "confirm", Token: "abc", SubscribeURL: "https://evil.example/?Action=ConfirmSubscription" },
      certs.certUrl,
    );
    const reply = await post(message);
    expect(reply.status).toBe(403);
    expect(reply.json.code).toBe("sns_untrusted_subscribe_url");
  });
});

describe("SES events", () => {
  test("a Permanent bounce is recorded and suppresses the address; the duplicate delivery changes nothing", async () => {
    const bounce = await sesFixture("bounce-permanent");
    const first = await notify(bounce, "1", "msg-bounce-1");
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ outcome: "recorded", events: 1 });
    const again = await notify(bounce, "2", "msg-bounce-1");
    expect(again.json).toEqual({ outcome: "duplicate", events: 0 });
    const { events, suppressions } = await rows();
    const bounces = events.filter((e) => e.type === "bounce");
    expect(bounces).toHaveLength(1);
    // Keyed by what SES reported, not by the SNS message: the same bounce through a second channel is a duplicate too.
    expect(bounces[0]).toMatchObject({ email: "recipient@example.com", sourceId: `ses:${bounce.mail.messageId}:bounce:recipient@example.com:${bounce.bounce.feedbackId}` });
    expect((await notify(bounce, "2", "msg-bounce-other-channel")).json).toEqual({ outcome: "duplicate", events: 0 });
    expect(bounces[0]!.detail).toMatchObject({ bounceType: "Permanent", diagnosticCode: "smtp; 550 5.1.1 user unknown" });
    expect(bounces[0]!.at.toISOString()).toBe("2017-08-05T00:41:02.669Z");
    expect(suppressions.map((s) => [s.email, s.reason])).toEqual([["recipient@example.com", "hard_bounce"]]);
  });

  test("a Transient bounce is recorded but suppresses nothing", async () => {
    await notify(await sesFixture("bounce-transient"));
    const { events, suppressions } = await rows();
    expect(events.some((e) => e.email === "full@example.com" && e.type === "bounce")).toBe(true);
    expect(suppressions.some((s) => s.email === "full@example.com")).toBe(false);
  });

  test("a complaint suppresses; a delivery is only recorded", async () => {
    const complaint = await sesFixture("complaint");
    complaint.complaint.complainedRecipients = [{ emailAddress: "Angry@Example.com" }];
    expect((await notify(complaint)).json.outcome).toBe("recorded");
    expect((await notify(await sesFixture("delivery"))).json.outcome).toBe("recorded");
    const { events, suppressions } = await rows();
    expect(suppressions.find((s) => s.email === "angry@example.com")?.reason).toBe("complaint");
    expect(events.filter((e) => e.type === "delivery").map((e) => e.email)).toEqual(["recipient@example.com"]);
  });

  test("a verified notification that is not an SES event is acknowledged and ignored", async () => {
    for (const body of ["hello", JSON.stringify({ some: "json" })]) {
      const reply = await post(signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: body }, certs.certUrl));
      expect(reply.json).toEqual({ outcome: "ignored", events: 0 });
    }
  });

  test("a forged SES event signed with another key is refused and writes nothing", async () => {
    const before = await rows();
    const message = signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: JSON.stringify(await sesFixture("complaint")) }, certs.awsCertUrl);
    expect((await post(message)).status).toBe(403);
    expect(await rows()).toEqual(before);
  });

  test("unparseable bodies get 400", async () => {
    for (const body of ["", "not json", "{}", JSON.stringify({ Type: "Notification", TopicArn: topicArn }), "[1,2]"]) {
      const reply = await post(body);
      expect({ body, status: reply.status }).toEqual({ body, status: 400 });
      expect(reply.json.code).toBe("sns_unparseable");
    }
  });

  test("SNS posting as application/json is accepted too", async () => {
    const reply = await post(signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: "x" }, certs.certUrl), "application/json");
    expect(reply.status).toBe(200);
  });
});

describe("messages that are odd but signed", () => {
  test("a Type that is not an SNS type is a 400, and non-list recipients are ignored, not a crash", async () => {
    const odd = signedSnsMessage({ Type: "Notification", TopicArn: topicArn, Message: "x" }, certs.certUrl);
    expect((await post({ ...odd, Type: "constructor" })).status).toBe(400);
    const bounce = await sesFixture("bounce-permanent");
    bounce.bounce.bouncedRecipients = "recipient@example.com";
    bounce.mail.destination = null;
    const reply = await notify(bounce);
    expect(reply.status).toBe(200);
    expect(reply.json.events).toBe(0);
  });

  test("when two workspaces share a topic, an event no configuration set claims goes to neither", async () => {
    const second = new Client(t.app);
    await second.signup("shared-topic@example.com");
    await second.post("/aws/connect", { ...KEY, region: "us-east-1", save: true });
    expect((await second.put("/aws/events", { topicArn })).status).toBe(200);
    const before = await rows();
    const reply = await notify(await sesFixture("complaint"));
    expect(reply.json).toEqual({ outcome: "ignored", events: 0 });
    expect(await rows()).toEqual(before);
  });
});
