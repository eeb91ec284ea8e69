import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config";

const SECRET = "b".repeat(64);

function failure(env: Record<string, string>): string {
  try {
    loadConfig({ APP_SECRET: SECRET, DATA_DIR: mkdtempSync(join(tmpdir(), "cfg-")), ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("configuration", () => {
  test("the default certificate and subscription patterns take regional SNS hosts only, never S3 bucket hosts", () => {
    const config = loadConfig({ APP_SECRET: SECRET, DATA_DIR: mkdtempSync(join(tmpdir(), "cfg-")) });
    const cert = (host: string) => `https://${host}/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`;
    for (const host of ["sns.us-east-1.amazonaws.com", "sns.eu-central-2.amazonaws.com", "sns.us-gov-west-1.amazonaws.com", "sns.cn-north-1.amazonaws.com.cn", "sns.ap-southeast-3.amazonaws.com"]) {
      expect({ host, cert: config.snsCertUrlPattern.test(cert(host)), subscribe: config.snsSubscribeUrlPattern.test(`https://${host}/?Action=ConfirmSubscription`) }).toEqual({ host, cert: true, subscribe: true });
    }
    // Buckets anyone can create and upload a .pem to: path-style, virtual-hosted, website and dualstack S3 hosts.
    for (const host of ["sns.s3.amazonaws.com", "sns.s3-us-west-2.amazonaws.com", "sns.s3.us-east-1.amazonaws.com", "sns.s3-website-us-east-1.amazonaws.com", "sns.s3.dualstack.us-east-1.amazonaws.com", "sns.execute-api.amazonaws.com", "sns.us-east-1.amazonaws.com.evil.example"]) {
      expect({ host, cert: config.snsCertUrlPattern.test(cert(host)), subscribe: config.snsSubscribeUrlPattern.test(`https://${host}/?Action=ConfirmSubscription`) }).toEqual({ host, cert: false, subscribe: false });
    }
    expect(config.snsCertUrlPattern.test("http://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem")).toBe(false);
  });

  test("defaults match the contract", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const config = loadConfig({ APP_SECRET: SECRET, DATA_DIR: dir });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("0.0.0.0");
    expect(config.databaseUrl).toBe(`file:${join(dir, "sesame.db")}`);
    expect(config.dialect).toBe("sqlite");
    expect(config.publicUrl.toString()).toBe("http://localhost:3000/");
    expect(config.queueUrl).toBeNull();
    expect(config.logLevel).toBe("info");
    expect(config.trustProxy).toBe(0);
    expect(config.snsCertUrlPattern.test("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem")).toBe(true);
    expect(config.snsCertUrlPattern.test("https://evil.example.com/SimpleNotificationService-abc123.pem")).toBe(false);
    expect(config.snsSubscribeUrlPattern.test("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription")).toBe(true);
  });

  test("PUBLIC_URL follows PORT when unset, and postgres:// selects PostgreSQL", () => {
    const config = loadConfig({ APP_SECRET: SECRET, PORT: "8080", DATABASE_URL: "postgres://u@db:5432/sesame" });
    expect(config.publicUrl.origin).toBe("http://localhost:8080");
    expect(config.dialect).toBe("postgres");
  });

  test("each bad value is refused with one sentence naming the variable and the fix", () => {
    expect(failure({ PORT: "eighty" })).toContain("PORT");
    expect(failure({ TRUST_PROXY: "yes" })).toContain("TRUST_PROXY must be the number of reverse proxies");
    expect(failure({ PORT: "70000" })).toContain("PORT");
    expect(failure({ PUBLIC_URL: "not a url" })).toContain("PUBLIC_URL");
    expect(failure({ PUBLIC_URL: "ftp://example.com" })).toContain("PUBLIC_URL");
    expect(failure({ DATABASE_URL: "mysql://x" })).toContain("DATABASE_URL");
    expect(failure({ APP_SECRET: "short" })).toMatch(/APP_SECRET.*openssl rand -hex 32/);
    expect(failure({ APP_SECRET_PREVIOUS: "c2hvcnQ=" })).toContain("APP_SECRET_PREVIOUS");
    expect(failure({ SES_ENDPOINT: "localhost:4566" })).toContain("SES_ENDPOINT");
    expect(failure({ SNS_CERT_URL_PATTERN: "([" })).toContain("SNS_CERT_URL_PATTERN");
    expect(failure({ LOG_LEVEL: "loud" })).toContain("LOG_LEVEL");
    for (const message of [failure({ PORT: "x" }), failure({ APP_SECRET: "x" })]) expect(message).not.toContain("\n");
  });

  test("a database password never appears in the DATABASE_URL error", () => {
    expect(failure({ DATABASE_URL: "mysql://admin:hunter2@db/x" })).not.toContain("hunter2");
  });

  test("hex and base64 secrets of 32 bytes are accepted", () => {
    const hex = loadConfig({ APP_SECRET: "0f".repeat(32) });
    expect(hex.appSecret.length).toBe(32);
    const b64 = loadConfig({ APP_SECRET: Buffer.alloc(32, 7).toString("base64") });
    expect(b64.appSecret.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  test("without APP_SECRET a secret is generated once into DATA_DIR/secret.key (0600) and reused", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.secretSource).toBe("generated");
    const file = join(dir, "secret.key");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadConfig({ DATA_DIR: dir });
    expect(second.secretSource).toBe("file");
    expect(second.appSecret.equals(first.appSecret)).toBe(true);
    expect(Buffer.from(readFileSync(file, "utf8").trim(), "hex").equals(first.appSecret)).toBe(true);
  });
});

describe("configuration errors keep credentials out", () => {
  test("an unparseable postgres URL or QUEUE_URL is echoed with its password masked", () => {
    expect(failure({ DATABASE_URL: "postgres://admin:hunter2@db:notaport/x" })).not.toContain("hunter2");
    expect(failure({ QUEUE_URL: "tcp://tok:s3cret@host:bad" })).not.toContain("s3cret");
  });
});
