import { afterAll, beforeAll, beforeEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  SendBulkEmailCommand,
  SendEmailCommand,
  SESv2Client,
  type SendEmailCommandInput,
} from "@aws-sdk/client-sesv2";
import { connectSendFake, readSendLog, spawnSendFake, startSendFake, type SendFake } from "./ses-send-fake";

const dir = mkdtempSync(join(tmpdir(), "ses-send-fake-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function client(url: string, requestHandler?: object) {
  return new SESv2Client({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
    ...(requestHandler ? { requestHandler } : {}),
  });
}

function simple(to: string, subject = "Hello"): SendEmailCommandInput {
  return {
    FromEmailAddress: "News <news@example.com>",
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: "hi" } } } },
  };
}

async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("ses-send-fake in process", () => {
  let fake: SendFake;
  let ses: SESv2Client;
  const logFile = join(dir, "in-process.jsonl");

  beforeAll(async () => {
    fake = await startSendFake({ logFile });
    ses = client(fake.url);
  });
  afterAll(() => fake.stop());
  beforeEach(() => fake.reset());

  it("records a SendEmail with its tags, configuration set, headers and reply-to", async () => {
    const out = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: "news@example.com",
        Destination: { ToAddresses: ["a@example.org"], CcAddresses: ["c@example.org"], BccAddresses: ["b@example.org"] },
        ReplyToAddresses: ["reply@example.com"],
        ConfigurationSetName: "sesame",
        EmailTags: [{ Name: "campaign", Value: "c1" }],
        Content: {
          Simple: {
            Subject: { Data: "Hi & welcome" },
            Body: { Html: { Data: "<p>Hi</p>" }, Text: { Data: "Hi" } },
            Headers: [{ Name: "List-Unsubscribe", Value: "<https://x/u>" }],
          },
        },
      }),
    );
    expect(out.MessageId).toMatch(/^0100[0-9a-f]{17}-[0-9a-f-]{36}-000000$/);
    const [mail] = await fake.received();
    expect(mail).toMatchObject({
      messageId: out.MessageId,
      to: ["a@example.org"],
      cc: ["c@example.org"],
      bcc: ["b@example.org"],
      from: "news@example.com",
      subject: "Hi & welcome",
      html: "<p>Hi</p>",
      text: "Hi",
      headers: [{ name: "List-Unsubscribe", value: "<https://x/u>" }],
      tags: [{ name: "campaign", value: "c1" }],
      configurationSet: "sesame",
      replyTo: ["reply@example.com"],
      via: "SendEmail",
    });
    expect(Math.abs(mail.at - Date.now())).toBeLessThan(5000);
    expect(readSendLog(logFile)).toEqual([mail]);
    expect((await fake.calls()).map((c) => [c.action, c.status])).toEqual([["SendEmail", 200]]);
  });

  it("takes Raw and inline Template content", async () => {
    const raw = "From: a@example.com\r\nTo: x@example.org, y@example.org\r\nSubject: Raw one\r\n\r\nbody text";
    await ses.send(new SendEmailCommand({ Content: { Raw: { Data: new TextEncoder().encode(raw) } } }));
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: "a@example.com",
        Destination: { ToAddresses: ["t@example.org"] },
        Content: { Template: { TemplateContent: { Subject: "Hi {{name}}", Html: "<b>{{name}}</b>", Text: "{{name}}" }, TemplateData: JSON.stringify({ name: "<Ann>" }) } },
      }),
    );
    const [r, t] = await fake.received();
    expect(r).toMatchObject({ from: "a@example.com", to: ["x@example.org", "y@example.org"], subject: "Raw one", raw, text: "body text" });
    expect(t).toMatchObject({ subject: "Hi <Ann>", html: "<b><Ann></b>", text: "<Ann>" });
  });

  it("renders SendBulkEmail entries with raw replacement data and records one mail per entry", async () => {
    const out = await ses.send(
      new SendBulkEmailCommand({
        FromEmailAddress: "news@example.com",
        ReplyToAddresses: ["reply@example.com"],
        ConfigurationSetName: "sesame",
        DefaultEmailTags: [{ Name: "campaign", Value: "c1" }, { Name: "kind", Value: "bulk" }],
        DefaultContent: {
          Template: {
            TemplateContent: { Subject: "Hi {{name}}", Html: "<p>{{{greeting}}}, {{name}} ({{plan}})</p>", Text: "{{greeting}}, {{name}}" },
            TemplateData: JSON.stringify({ name: "friend", greeting: "Hello", plan: "free" }),
            Headers: [{ Name: "List-Unsubscribe", Value: "<https://x/u/default>" }, { Name: "X-Campaign", Value: "c1" }],
          },
        },
        BulkEmailEntries: ["a", "b", "c"].map((n) => ({
          Destination: { ToAddresses: [`${n}@example.org`] },
          ReplacementTags: [{ Name: "recipient", Value: n }],
          ReplacementHeaders: [{ Name: "list-unsubscribe", Value: `<https://x/u/${n}>` }],
          ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: JSON.stringify({ name: `<${n.toUpperCase()}> & co` }) } },
        })),
      }),
    );
    expect(out.BulkEmailEntryResults!.map((r) => r.Status)).toEqual(["SUCCESS", "SUCCESS", "SUCCESS"]);
    const mails = await fake.received();
    expect(mails.map((m) => m.messageId)).toEqual(out.BulkEmailEntryResults!.map((r) => r.MessageId!));
    expect(mails[1]).toMatchObject({
      to: ["b@example.org"],
      from: "news@example.com",
      subject: "Hi <B> & co",
      html: "<p>Hello, <B> & co (free)</p>",
      text: "Hello, <B> & co",
      headers: [{ name: "X-Campaign", value: "c1" }, { name: "list-unsubscribe", value: "<https://x/u/b>" }],
      tags: [{ name: "campaign", value: "c1" }, { name: "kind", value: "bulk" }, { name: "recipient", value: "b" }],
      configurationSet: "sesame",
      replyTo: ["reply@example.com"],
      via: "SendBulkEmail",
    });
    expect(readSendLog(logFile)).toHaveLength(3);
  });

  it("answers GetAccount with the sends it accepted, and a settable account", async () => {
    await fake.setAccount({ SendQuota: { SentLast24Hours: 100, MaxSendRate: 20 } });
    await ses.send(new SendEmailCommand(simple("a@example.org")));
    const account = await ses.send(new GetAccountCommand({}));
    expect(account.SendQuota).toEqual({ Max24HourSend: 50000, MaxSendRate: 20, SentLast24Hours: 101 });
    expect(account).toMatchObject({ SendingEnabled: true, ProductionAccessEnabled: true, EnforcementStatus: "HEALTHY" });
  });

  it("answers other routes with NotFoundException", async () => {
    const error = await failure(ses.send(new GetEmailIdentityCommand({ EmailIdentity: "example.com" })));
    expect(error.name).toBe("NotFoundException");
    expect(error.$metadata.httpStatusCode).toBe(404);
  });

  it("throttles as SES v2 does: TooManyRequestsException, nothing accepted", async () => {
    await fake.setFaults({ throttle: { burst: 2 } });
    for (let i = 0; i < 2; i++) {
      const error = await failure(ses.send(new SendEmailCommand(simple("a@example.org"))));
      expect(error.name).toBe("TooManyRequestsException");
      expect(error.message).toBe("Maximum sending rate exceeded.");
      expect(error.$metadata.httpStatusCode).toBe(429);
    }
    await ses.send(new SendEmailCommand(simple("a@example.org")));
    expect(await fake.received()).toHaveLength(1);

    await fake.reset();
    await fake.setFaults({ throttle: { everyNth: 3 } });
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push(await ses.send(new SendEmailCommand(simple("a@example.org"))).then(() => "ok", (e) => e.name));
    expect(names).toEqual(["ok", "ok", "TooManyRequestsException", "ok", "ok", "TooManyRequestsException"]);
    expect(await fake.received()).toHaveLength(4);
    expect((await fake.calls()).map((c) => c.status)).toEqual([200, 200, 429, 200, 200, 429]);
  });

  it("enforces a sending rate over any second, for SendEmail and per bulk entry", async () => {
    await fake.setFaults({ enforceRate: 5 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => ses.send(new SendEmailCommand(simple("a@example.org"))).then(() => "ok", (e) => e.name)),
    );
    expect(results.filter((r) => r === "ok")).toHaveLength(5);
    expect(results.filter((r) => r === "TooManyRequestsException")).toHaveLength(3);
    expect(await fake.maxInWindow()).toBe(5);
    expect((await fake.stats()).accepted).toBe(5);

    await fake.reset();
    await fake.setFaults({ enforceRate: 2 });
    const bulk = await ses.send(
      new SendBulkEmailCommand({
        FromEmailAddress: "news@example.com",
        DefaultContent: { Template: { TemplateContent: { Subject: "s", Text: "t" } } },
        BulkEmailEntries: ["a", "b", "c"].map((n) => ({ Destination: { ToAddresses: [`${n}@example.org`] } })),
      }),
    );
    expect(bulk.BulkEmailEntryResults!.map((r) => r.Status)).toEqual(["SUCCESS", "SUCCESS", "ACCOUNT_THROTTLED"]);
    expect(bulk.BulkEmailEntryResults![2].Error).toBe("Maximum sending rate exceeded.");
    const error = await failure(ses.send(new SendEmailCommand(simple("a@example.org"))));
    expect(error.name).toBe("TooManyRequestsException");
    const t0 = Date.now();
    expect(await fake.acceptedBetween(t0 - 5000, t0 + 1)).toBe(2);
  });

  it("refuses past the daily quota with LimitExceededException", async () => {
    await fake.setFaults({ dailyQuota: true });
    const error = await failure(ses.send(new SendEmailCommand(simple("a@example.org"))));
    expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual(["LimitExceededException", "Daily message quota exceeded.", 400]);

    await fake.reset();
    await fake.setAccount({ SendQuota: { Max24HourSend: 3, SentLast24Hours: 2 } });
    await fake.setFaults({ enforceDailyQuota: true });
    await ses.send(new SendEmailCommand(simple("a@example.org")));
    expect((await failure(ses.send(new SendEmailCommand(simple("b@example.org"))))).name).toBe("LimitExceededException");
    expect((await fake.received()).map((m) => m.to[0])).toEqual(["a@example.org"]);
  });

  it("refuses everything while paused or suspended", async () => {
    for (const paused of ["SendingPausedException", "AccountSuspendedException"] as const) {
      await fake.setFaults({ paused });
      const error = await failure(ses.send(new SendEmailCommand(simple("a@example.org"))));
      expect(error.name).toBe(paused);
      expect(error.$metadata.httpStatusCode).toBe(400);
      const bulk = await failure(
        ses.send(
          new SendBulkEmailCommand({
            DefaultContent: { Template: { TemplateContent: { Subject: "s" } } },
            BulkEmailEntries: [{ Destination: { ToAddresses: ["a@example.org"] } }],
          }),
        ),
      );
      expect(bulk.name).toBe(paused);
    }
    await fake.setFaults({ paused: null });
    await ses.send(new SendEmailCommand(simple("a@example.org")));
    expect(await fake.received()).toHaveLength(1);
  });

  it("fails with 500 InternalFailure", async () => {
    await fake.setFaults({ fail5xx: 1 });
    const error = await failure(ses.send(new SendEmailCommand(simple("a@example.org"))));
    expect(error.name).toBe("InternalFailure");
    expect(error.$metadata.httpStatusCode).toBe(500);
    expect(error.$fault).toBe("server");
    expect(await fake.received()).toHaveLength(0);
  });

  it("rejects listed addresses: MessageRejected, or a MESSAGE_REJECTED bulk entry", async () => {
    await fake.setFaults({ reject: ["Bad@Example.org"] });
    const error = await failure(ses.send(new SendEmailCommand(simple("bad@example.org"))));
    expect(error.name).toBe("MessageRejected");
    const bulk = await ses.send(
      new SendBulkEmailCommand({
        DefaultContent: { Template: { TemplateContent: { Subject: "s" } } },
        BulkEmailEntries: ["good", "bad", "fine"].map((n) => ({ Destination: { ToAddresses: [`${n}@example.org`] } })),
      }),
    );
    expect(bulk.BulkEmailEntryResults!.map((r) => r.Status)).toEqual(["SUCCESS", "MESSAGE_REJECTED", "SUCCESS"]);
    expect(bulk.BulkEmailEntryResults![1].Error).toBeTruthy();
    expect(bulk.BulkEmailEntryResults![1].MessageId).toBeUndefined();
    expect((await fake.received()).map((m) => m.to[0])).toEqual(["good@example.org", "fine@example.org"]);
  });

  it("answers late with delayMs, the mail recorded first", async () => {
    await fake.setFaults({ delayMs: 300 });
    const started = Date.now();
    const pending = ses.send(new SendEmailCommand(simple("a@example.org")));
    await Bun.sleep(100);
    expect(await fake.received()).toHaveLength(1);
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("drops the answer after accepting: the client times out, the fake has the mail", async () => {
    const impatient = client(fake.url, { requestTimeout: 500, throwOnRequestTimeout: true });
    await fake.setFaults({ dropNext: 1 });
    const error = await failure(impatient.send(new SendEmailCommand(simple("lost@example.org"))));
    expect(error.name).toBe("TimeoutError");
    expect((await fake.received()).map((m) => m.to[0])).toEqual(["lost@example.org"]);
    expect(readSendLog(logFile).map((m) => m.to[0])).toEqual(["lost@example.org"]);
    expect((await fake.calls()).map((c) => c.status)).toEqual([0]);
    // Only the next one was dropped.
    await impatient.send(new SendEmailCommand(simple("next@example.org")));

    // dropMode "close": the connection is cut with nothing written; the SDK calls a hang-up a TimeoutError.
    await fake.setFaults({ dropAfterAccept: 1, dropMode: "close" });
    const started = Date.now();
    const closed = await failure(ses.send(new SendEmailCommand(simple("gone@example.org"))));
    expect([closed.name, closed.code]).toEqual(["TimeoutError", "ECONNRESET"]);
    expect(Date.now() - started).toBeLessThan(400);
    expect((await fake.received()).map((m) => m.to[0])).toEqual(["lost@example.org", "next@example.org", "gone@example.org"]);
  });

  it("serves the control routes in process too", async () => {
    const remote = connectSendFake(fake.url);
    await remote.setFaults({ throttle: { burst: 1 } });
    expect((await fake.faults()).throttle).toEqual({ burst: 1 });
    expect((await failure(ses.send(new SendEmailCommand(simple("a@example.org"))))).name).toBe("TooManyRequestsException");
    await ses.send(new SendEmailCommand(simple("a@example.org")));
    expect(await remote.received()).toHaveLength(1);
    expect(await remote.stats()).toEqual({ accepted: 1, maxInWindow: 1 });
  });
});

describe("ses-send-fake as its own process", () => {
  it("keeps its log when the client is killed mid-request, and is driven over the control routes", async () => {
    const logFile = join(dir, "spawned.jsonl");
    const fake = await spawnSendFake({ logFile, account: { SendQuota: { MaxSendRate: 40 } } });
    try {
      expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await fake.setFaults({ dropNext: 1 });
      // A client in its own process sends, gets no answer, and is killed with SIGKILL.
      const script = `
        import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
        const ses = new SESv2Client({ region: "us-east-1", endpoint: ${JSON.stringify(fake.url)}, credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
        console.log("sending");
        await ses.send(new SendEmailCommand({ FromEmailAddress: "n@example.com", Destination: { ToAddresses: ["killed@example.org"] }, Content: { Simple: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } } } }));
        console.log("answered");
      `;
      const child = Bun.spawn([process.execPath, "-e", script], { cwd: join(import.meta.dir, "..", ".."), stdout: "pipe", stderr: "pipe" });
      for (let i = 0; i < 100 && (await fake.received()).length === 0; i++) await Bun.sleep(50);
      child.kill("SIGKILL");
      await child.exited;
      expect(await new Response(child.stdout).text()).toBe("sending\n");
      expect((await fake.received()).map((m) => m.to[0])).toEqual(["killed@example.org"]);
      expect(readSendLog(logFile).map((m) => m.to[0])).toEqual(["killed@example.org"]);

      // Still serving, and every control route answers.
      const ses = client(fake.url);
      await ses.send(new SendEmailCommand(simple("after@example.org")));
      expect((await ses.send(new GetAccountCommand({}))).SendQuota).toEqual({ Max24HourSend: 50000, MaxSendRate: 40, SentLast24Hours: 2 });
      await fake.setAccount({ SendQuota: { MaxSendRate: 7 } });
      expect((await fake.account()).SendQuota.MaxSendRate).toBe(7);
      expect(await fake.stats()).toEqual({ accepted: 2, maxInWindow: expect.any(Number) });
      const [after] = await fake.received({ since: 1, bodies: false });
      expect(after).toMatchObject({ to: ["after@example.org"], subject: "Hello" });
      expect(after.text).toBeUndefined();
      expect((await fake.calls()).map((c) => c.action)).toEqual(["SendEmail", "SendEmail", "GetAccount"]);
      await fake.setFaults({ paused: "SendingPausedException" });
      expect((await failure(ses.send(new SendEmailCommand(simple("x@example.org"))))).name).toBe("SendingPausedException");
      await fake.reset();
      expect(await fake.received()).toEqual([]);
      expect(readSendLog(logFile)).toEqual([]);
      expect((await fake.faults()).paused).toBeNull();
      // POST /__fake/stop ends the process.
      await connectSendFake(fake.url).stop();
      expect(await fake.process.exited).toBe(0);
    } finally {
      await fake.stop();
    }
  });
});
