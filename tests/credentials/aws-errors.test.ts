import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { callAws, clientConfig, type AwsKeys } from "../../src/aws/client";
import { awsFailure, AwsFailure } from "../../src/aws/errors";

const KEYS: AwsKeys = { accessKeyId: "AKIAERRORSTEST000001", secretAccessKey: "errors-test-secret-access-key/000000000", region: "eu-central-1" };

describe("a silent AWS endpoint", () => {
  let server: ReturnType<typeof Bun.serve>;
  beforeAll(() => {
    // Accepts the connection and never answers, as a black-holed route or a stuck proxy does.
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 30, fetch: () => new Promise<Response>(() => {}) });
  });
  afterAll(() => server.stop(true));

  test("ends the call with a sentence instead of holding the request open", async () => {
    const base = clientConfig(KEYS, `http://127.0.0.1:${server.port}`);
    // Sesame's own settings, with the wait shortened so the test does not take 30 seconds.
    const client = new SESv2Client({ ...base, maxAttempts: 1, requestHandler: { ...base.requestHandler, requestTimeout: 300 } });
    const failure = await callAws(KEYS, "ses:GetAccount", () => client.send(new GetAccountCommand({}))).catch((err) => err);
    expect(failure).toBeInstanceOf(AwsFailure);
    expect(failure.code).toBe("aws_timeout");
    expect(failure.message).toBe(
      "AWS in region eu-central-1 did not answer in time. Try again in a minute; if it keeps happening, check this server's outgoing network.",
    );
    expect(failure.detail).toContain("TimeoutError");
  }, 10_000);
});

describe("awsFailure", () => {
  test("network failures of every kind say to check the network, whatever the socket said", () => {
    for (const code of ["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH"]) {
      const failure = awsFailure(Object.assign(new Error(`getaddrinfo ${code} email.eu-central-1.amazonaws.com`), { code }), { keys: KEYS, action: "ses:GetAccount" });
      expect(failure.code).toBe("aws_unreachable");
      expect(failure.message).toStartWith("Sesame could not reach AWS in region eu-central-1.");
      expect(failure.message).not.toContain(code);
      expect(failure.detail).toContain(code);
    }
  });

  test("the SDK's complaint about an HTML page stays in the detail", () => {
    const sdk = Object.assign(
      new SyntaxError("JSON Parse error: Unrecognized token '<'\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object."),
      { $metadata: { httpStatusCode: 502 }, $response: { statusCode: 502, headers: { "content-type": "text/html" } } },
    );
    const failure = awsFailure(sdk, { keys: KEYS, action: "ses:ListEmailIdentities" });
    expect(failure.code).toBe("aws_bad_response");
    expect(failure.message).not.toContain("$response");
    expect(failure.message).not.toContain("Unrecognized token");
    expect(failure.detail).toBe(
      "SyntaxError: JSON Parse error: Unrecognized token '<' Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.; HTTP 502 text/html",
    );
  });

  test("the detail never holds the secret or the whole access key ID, even when an answer echoes them", () => {
    const echo = Object.assign(new Error(`Credential=${KEYS.accessKeyId}/20260601 signed with ${KEYS.secretAccessKey}`), { name: "WeirdException", $metadata: { httpStatusCode: 400 } });
    const failure = awsFailure(echo, { keys: KEYS, action: "sns:CreateTopic" });
    expect(failure.code).toBe("aws_error");
    for (const text of [failure.message, failure.detail]) {
      expect(text).not.toContain(KEYS.secretAccessKey);
      expect(text).not.toContain(KEYS.accessKeyId);
    }
    expect(failure.detail).toContain("[redacted]");
  });

  test("what each failure asks of the person depends on what the call was for", () => {
    const notFound = (action: string) => awsFailure(Object.assign(new Error("Topic does not exist"), { name: "NotFound" }), { keys: KEYS, action });
    expect(notFound("sns:GetTopicAttributes")).toMatchObject({ field: "topicArn", message: expect.stringContaining("cannot see that SNS topic") });
    expect(notFound("ses:GetEmailIdentity").message).toContain("Reload the page");
    const exists = awsFailure(Object.assign(new Error("exists"), { name: "AlreadyExistsException" }), { keys: KEYS, action: "ses:CreateEmailIdentity" });
    expect(exists).toMatchObject({ field: "identity", message: "That identity is already in SES for this account and region." });
  });
});
