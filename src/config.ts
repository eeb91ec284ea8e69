import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";

/** The only reader of process.env. A bad value stops start-up with one sentence naming the variable and the fix. */

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  dialect: "sqlite" | "postgres";
  appSecret: Buffer;
  appSecretPrevious: Buffer | null;
  /** Where the master secret came from; "generated" means it was written to DATA_DIR/secret.key just now. */
  secretSource: "env" | "file" | "generated";
  publicUrl: URL;
  sesEndpoint: string | null;
  snsEndpoint: string | null;
  s3Endpoint: string | null;
  snsCertUrlPattern: RegExp;
  snsSubscribeUrlPattern: RegExp;
  queueUrl: string | null;
  /** How many reverse proxies stand in front: the client address is read from X-Forwarded-For that many hops back. */
  trustProxy: number;
  logLevel: LogLevel;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];
// The host's middle label must be a region name (us-east-1, cn-north-1, us-gov-west-1): S3 bucket
// hosts such as sns.s3.amazonaws.com, whose certificate files anyone could upload, never match.
export const DEFAULT_CERT_PATTERN = String.raw`^https://sns\.[a-z]{2}(-[a-z]+)+-[0-9]+\.amazonaws\.com(\.cn)?/SimpleNotificationService-[0-9a-f]+\.pem$`;
export const DEFAULT_SUBSCRIBE_PATTERN = String.raw`^https://sns\.[a-z]{2}(-[a-z]+)+-[0-9]+\.amazonaws\.com(\.cn)?/`;

export function loadConfig(env: Env = process.env): Config {
  const value = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };

  const port = parsePort("PORT", value("PORT") ?? "3000");
  const host = value("HOST") ?? "0.0.0.0";
  const dataDir = resolve(value("DATA_DIR") ?? "./data");

  const databaseUrl = value("DATABASE_URL") ?? `file:${join(dataDir, "sesame.db")}`;
  const dialect = databaseDialect(databaseUrl);

  const publicUrl = parseUrl("PUBLIC_URL", value("PUBLIC_URL") ?? `http://localhost:${port}`, ["http:", "https:"]);
  const sesEndpoint = optionalUrl("SES_ENDPOINT", value("SES_ENDPOINT"));
  const snsEndpoint = optionalUrl("SNS_ENDPOINT", value("SNS_ENDPOINT"));
  const s3Endpoint = optionalUrl("S3_ENDPOINT", value("S3_ENDPOINT"));
  const queueUrl = value("QUEUE_URL") ?? null;
  if (queueUrl) parseUrl("QUEUE_URL", queueUrl);

  const trustProxyRaw = value("TRUST_PROXY") ?? "0";
  if (!/^\d{1,2}$/.test(trustProxyRaw)) {
    throw new ConfigError(`TRUST_PROXY must be the number of reverse proxies in front of Sesame (0 when none); got "${trustProxyRaw}".`);
  }
  const trustProxy = Number(trustProxyRaw);

  const logLevel = (value("LOG_LEVEL") ?? "info").toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got "${value("LOG_LEVEL")}".`);
  }

  const explicitSecret = value("APP_SECRET");
  const { secret: appSecret, source: secretSource } = explicitSecret
    ? { secret: parseSecret("APP_SECRET", explicitSecret), source: "env" as const }
    : secretFromFile(dataDir);
  const previous = value("APP_SECRET_PREVIOUS");

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    dialect,
    appSecret,
    appSecretPrevious: previous ? parseSecret("APP_SECRET_PREVIOUS", previous) : null,
    secretSource,
    publicUrl,
    sesEndpoint,
    snsEndpoint,
    s3Endpoint,
    snsCertUrlPattern: parsePattern("SNS_CERT_URL_PATTERN", value("SNS_CERT_URL_PATTERN") ?? DEFAULT_CERT_PATTERN),
    snsSubscribeUrlPattern: parsePattern(
      "SNS_SUBSCRIBE_URL_PATTERN",
      value("SNS_SUBSCRIBE_URL_PATTERN") ?? DEFAULT_SUBSCRIBE_PATTERN,
    ),
    queueUrl,
    trustProxy,
    logLevel,
  };
}

function parsePort(name: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
    throw new ConfigError(`${name} must be a port number between 1 and 65535; got "${raw}".`);
  }
  return n;
}

/** A URL as it may appear in an error: user and password masked. */
function masked(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, "//***@");
}

function parseUrl(name: string, raw: string, protocols?: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL ("${masked(raw)}"); write it in full, e.g. https://mail.example.com.`);
  }
  if (protocols && !protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(" or ")}//; got "${masked(raw)}".`);
  }
  return url;
}

function optionalUrl(name: string, raw: string | undefined): string | null {
  if (!raw) return null;
  return parseUrl(name, raw, ["http:", "https:"]).toString().replace(/\/$/, "");
}

function databaseDialect(url: string): Config["dialect"] {
  if (/^(file|libsql|https?|wss?):/.test(url)) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) {
    parseUrl("DATABASE_URL", url);
    return "postgres";
  }
  throw new ConfigError(
    `DATABASE_URL must start with file:, libsql: or postgres://; got "${masked(url)}".`,
  );
}

function parsePattern(name: string, raw: string): RegExp {
  try {
    return new RegExp(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid regular expression; fix or unset it to use the default.`);
  }
}

/** A master secret is at least 32 bytes, written as hex or base64. */
export function parseSecret(name: string, raw: string): Buffer {
  const bytes = /^[0-9a-fA-F]+$/.test(raw) && raw.length % 2 === 0
    ? Buffer.from(raw, "hex")
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)
      ? Buffer.from(raw, raw.includes("-") || raw.includes("_") ? "base64url" : "base64")
      : null;
  if (!bytes || bytes.length < 32) {
    throw new ConfigError(
      `${name} must be at least 32 random bytes written as hex or base64; generate one with: openssl rand -hex 32`,
    );
  }
  return bytes;
}

function secretFromFile(dataDir: string): { secret: Buffer; source: "file" | "generated" } {
  const file = join(dataDir, "secret.key");
  const read = () => parseSecret(`APP_SECRET (read from ${file})`, readFileSync(file, "utf8").trim());
  if (existsSync(file)) return { secret: read(), source: "file" };
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
      throw new ConfigError(`DATA_DIR (${dataDir}) is not writable, so no APP_SECRET could be generated; fix its permissions or set APP_SECRET.`);
    }
    // Another instance wrote it between our check and our write: use theirs.
    return { secret: read(), source: "file" };
  }
  return { secret: read(), source: "generated" };
}
