import { closeSync, openSync, readFileSync, writeSync, ftruncateSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { Server, Subprocess } from "bun";

/**
 * A fault-injecting fake of the SES v2 *sending* API (SendEmail, SendBulkEmail, GetAccount), for tests
 * and benchmarks. It answers the paths and JSON shapes `@aws-sdk/client-sesv2` sends (checked against the
 * SDK's schemas and by a real SESv2Client in ses-send-fake.test.ts). No SigV4 check: any Authorization goes.
 *
 * Two ways to run it:
 * - in-process: `const fake = await startSendFake({ logFile?, account?, port? })`;
 * - as its own process (it outlives an app under test killed with SIGKILL):
 *   `bun tests/support/ses-send-fake.ts --port N [--log FILE] [--account JSON] [--exit-with-stdin]`
 *   prints `listening http://127.0.0.1:N` when ready (port 0 picks a free one and prints it).
 *   `spawnSendFake()` does that as a child of the test and waits for the line; `connectSendFake(url)` is
 *   the same SendFake interface over the control routes.
 *
 * Exported API:
 *   startSendFake(options?: SendFakeOptions): Promise<SendFake>
 *   connectSendFake(url: string): SendFake
 *   spawnSendFake(options?: { logFile?: string; account?: AccountOverride }): Promise<SendFake & { process: Subprocess }>
 *   readSendLog(file: string): ReceivedMail[]          — the JSON lines of a --log file
 *   DEFAULT_ACCOUNT, SES_ERRORS, and the types below.
 *   interface SendFake {
 *     url; received(options?: { since?; bodies? }): Promise<ReceivedMail[]>; calls(): Promise<FakeCall[]>;
 *     setFaults(f: FaultPatch): Promise<void>; faults(): Promise<SendFaults>;
 *     setAccount(a: AccountOverride): Promise<void>; account(): Promise<Account>;
 *     stats(windowMs = 1000): Promise<{ accepted; maxInWindow }>;
 *     maxInWindow(windowMs = 1000): Promise<number>; acceptedBetween(fromMs, toMs): Promise<number>;
 *     reset(): Promise<void>; stop(): Promise<void>;
 *   }
 *
 * The log (`received`): every accepted mail, one per SendEmail and one per SendBulkEmail entry that got
 * Status SUCCESS, recorded — and with a log file, written with one synchronous write of JSON lines — before
 * the answer goes out. Mails refused by a fault are not in it. `calls` lists every SES request (control
 * routes excluded) with the status it was answered with (0: never answered, see drops).
 *
 * Faults (setFaults merges; null or the default value clears one):
 * - throttle {everyNth, burst, probability}: whole request refused, 429 TooManyRequestsException
 *   "Maximum sending rate exceeded." (what SES v2 answers; SES v1 called it Throttling). everyNth counts
 *   send requests since the throttle was set; burst refuses the next N send requests.
 * - enforceRate: at most that many mails accepted in any 1000 ms. SendEmail over it: the throttle error.
 *   SendBulkEmail: refused whole if no room at all, else entries past the room get Status
 *   ACCOUNT_THROTTLED with Error "Maximum sending rate exceeded.". The rate counts mails, not recipients.
 * - dailyQuota: true refuses every send, 400 LimitExceededException "Daily message quota exceeded.".
 *   enforceDailyQuota: the same once SentLast24Hours (base + accepted) reaches Max24HourSend (-1: no limit);
 *   bulk entries past the room get ACCOUNT_DAILY_QUOTA_EXCEEDED.
 * - paused: "SendingPausedException" | "AccountSuspendedException": every send refused, 400.
 * - fail5xx: probability of 500 InternalFailure, nothing accepted.
 * - delayMs: answer that much later (mails are recorded before the wait).
 * - dropAfterAccept (probability) / dropNext (count): the mails are recorded (they reached SES), then no
 *   answer ever comes: dropMode "hold" (default) keeps the connection open until the client gives up;
 *   "close" closes the connection at once with nothing written (the SDK reports a socket hang up).
 * - reject: addresses (any case) refused: SendEmail 400 MessageRejected; a bulk entry Status
 *   MESSAGE_REJECTED with an Error, the others still sent.
 * Checked in this order: paused, fail5xx, throttle, dailyQuota, then per mail reject, daily quota, rate.
 *
 * GetAccount answers the account (default DEFAULT_ACCOUNT) with SendQuota.SentLast24Hours = the configured
 * base + mails accepted since start/reset. setAccount merges (SendQuota and Details merged a level deeper).
 * reset() clears faults, received, calls, counters, truncates the log file, and restores the start account.
 *
 * Control routes: GET /__fake/received[?since=N&bodies=0], GET /__fake/calls, GET|POST /__fake/faults,
 * POST /__fake/reset, GET|POST /__fake/account, GET /__fake/stats[?windowMs=&from=&to=] →
 * {accepted, maxInWindow, between?}, POST /__fake/stop. Anything else: 404 NotFoundException.
 *
 * Limits honoured as SES does: more than 50 recipients in a SendEmail, or more than 50 entries in a
 * SendBulkEmail, is 400 BadRequestException. Templates: `{{x}}`, `{{{x}}}`, `{{a.b}}` substituted raw (no
 * HTML escaping), a missing value renders empty; block helpers are left as written. TemplateName (a stored
 * template) is recorded as `template` with nothing rendered.
 */

export interface NameValue {
  name: string;
  value: string;
}

export interface ReceivedMail {
  messageId: string;
  to: string[];
  cc: string[];
  bcc: string[];
  from: string;
  subject: string;
  html?: string;
  text?: string;
  /** The MIME text of a Raw message. */
  raw?: string;
  /** TemplateName/TemplateArn when the content named a stored template instead of carrying it. */
  template?: string;
  headers: NameValue[];
  tags: NameValue[];
  configurationSet?: string;
  replyTo: string[];
  /** Date.now() when the fake accepted it. */
  at: number;
  via: "SendEmail" | "SendBulkEmail";
}

export interface FakeCall {
  action: "SendEmail" | "SendBulkEmail" | "GetAccount" | "Unknown";
  at: number;
  /** HTTP status answered; 0 while unanswered or when dropped. */
  status: number;
}

export interface ThrottleFault {
  everyNth?: number;
  burst?: number;
  probability?: number;
}

export interface SendFaults {
  throttle: ThrottleFault | null;
  enforceRate: number | null;
  dailyQuota: boolean;
  enforceDailyQuota: boolean;
  paused: "SendingPausedException" | "AccountSuspendedException" | null;
  fail5xx: number;
  delayMs: number;
  dropAfterAccept: number;
  dropNext: number;
  dropMode: "hold" | "close";
  reject: string[];
}

export type FaultPatch = { [K in keyof SendFaults]?: SendFaults[K] | null };

export interface SendQuota {
  Max24HourSend: number;
  MaxSendRate: number;
  SentLast24Hours: number;
}

export interface Account {
  SendQuota: SendQuota;
  SendingEnabled: boolean;
  ProductionAccessEnabled: boolean;
  [key: string]: unknown;
}

export type AccountOverride = Partial<Omit<Account, "SendQuota">> & { SendQuota?: Partial<SendQuota> };

export interface SendFakeStats {
  accepted: number;
  maxInWindow: number;
  between?: number;
}

export interface SendFake {
  url: string;
  /**
   * Accepted mails, in order. `since` skips the first N (for polling a long log); `bodies: false` leaves
   * out html, text and raw (100k mails with bodies are hundreds of MB of JSON over the control route).
   */
  received(options?: ReceivedOptions): Promise<ReceivedMail[]>;
  calls(): Promise<FakeCall[]>;
  setFaults(f: FaultPatch): Promise<void>;
  faults(): Promise<SendFaults>;
  setAccount(a: AccountOverride): Promise<void>;
  /** The account as GetAccount answers it now. */
  account(): Promise<Account>;
  stats(windowMs?: number): Promise<SendFakeStats>;
  /** The most mails accepted within any window of windowMs (default 1000). */
  maxInWindow(windowMs?: number): Promise<number>;
  /** Mails accepted with fromMs <= at < toMs. */
  acceptedBetween(fromMs: number, toMs: number): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface ReceivedOptions {
  since?: number;
  bodies?: boolean;
}

export interface SendFakeOptions {
  account?: AccountOverride;
  logFile?: string;
  port?: number;
  hostname?: string;
  /** Called after POST /__fake/stop has stopped the server (the process mode exits there). */
  onStopRoute?: () => void;
}

/** Same shape as tests/support/aws.ts ACCOUNT, with nothing sent yet. */
export const DEFAULT_ACCOUNT: Account = {
  DedicatedIpAutoWarmupEnabled: false,
  Details: {
    AdditionalContactEmailAddresses: [],
    ContactLanguage: "EN",
    MailType: "MARKETING",
    ReviewDetails: { CaseId: "case-1", Status: "GRANTED" },
    UseCaseDescription: "Newsletters",
    WebsiteURL: "https://example.com",
  },
  EnforcementStatus: "HEALTHY",
  ProductionAccessEnabled: true,
  SendingEnabled: true,
  SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 },
  SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
};

/**
 * The errors this fake answers with: [status, x-amzn-errortype, message]. Statuses are the SDK model's
 * httpError traits. Rate: SES v2 answers 429 TooManyRequestsException "Maximum sending rate exceeded."
 * (seen in logs of real SES v2 calls); daily quota as LimitExceededException is what other SES v2 clients
 * handle (the SES guide only says "a throttling error"). The paused/suspended/rejected message texts
 * are plausible wording, not verified against AWS.
 */
export const SES_ERRORS = {
  rate: [429, "TooManyRequestsException", "Maximum sending rate exceeded."],
  daily: [400, "LimitExceededException", "Daily message quota exceeded."],
  paused: [400, "SendingPausedException", "Sending paused for this account. For more information, please check the inbox of the email address associated with your AWS account."],
  suspended: [400, "AccountSuspendedException", "Your account has been suspended. For more information, please check the inbox of the email address associated with your AWS account."],
  rejected: [400, "MessageRejected", "Address blacklisted."],
  internal: [500, "InternalFailure", "An internal error occurred. Please try again later."],
} as const satisfies Record<string, readonly [number, string, string]>;

const MAX_RECIPIENTS = 50;
const MAX_BULK_ENTRIES = 50;

function noFaults(): SendFaults {
  return {
    throttle: null,
    enforceRate: null,
    dailyQuota: false,
    enforceDailyQuota: false,
    paused: null,
    fail5xx: 0,
    delayMs: 0,
    dropAfterAccept: 0,
    dropNext: 0,
    dropMode: "hold",
    reject: [],
  };
}

function mergeAccount(base: Account, over: AccountOverride | undefined): Account {
  const merged: Account = structuredClone(base);
  if (!over) return merged;
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = merged[key];
    if ((key === "SendQuota" || key === "Details") && value && typeof value === "object" && current && typeof current === "object") {
      (merged as Record<string, unknown>)[key] = { ...(current as object), ...(value as object) };
    } else {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}

function sesError(status: number, name: string, message: string): Response {
  return Response.json({ message }, { status, headers: { "x-amzn-errortype": name, "x-amzn-requestid": randomUUID() } });
}

function errorOf([status, name, message]: readonly [number, string, string]): Response {
  return sesError(status, name, message);
}

let idCounter = 0;
/** An id shaped like SES's (0100018f…-uuid-000000). */
function messageId(): string {
  idCounter = (idCounter + 1) % 0x1000000;
  return `0100${Date.now().toString(16).padStart(11, "0")}${idCounter.toString(16).padStart(6, "0")}-${randomUUID()}-000000`;
}

function lookup(data: unknown, path: string): unknown {
  let value: any = data;
  for (const part of path.split(".")) {
    if (value === null || value === undefined) return undefined;
    value = value[part];
  }
  return value;
}

const PLACEHOLDER = /\{\{\{\s*([\w$.-]+)\s*\}\}\}|\{\{\s*([\w$.-]+)\s*\}\}/g;

/** `{{x}}` and `{{{x}}}` replaced by the data's value, unescaped, as SES renders templates. */
export function renderTemplate(template: string | undefined, data: unknown): string | undefined {
  if (template === undefined || template === null) return undefined;
  if (!template.includes("{{")) return template;
  return template.replace(PLACEHOLDER, (_, triple: string | undefined, double: string | undefined) => {
    const value = lookup(data, (triple ?? double)!);
    return value === undefined || value === null ? "" : String(value);
  });
}

function parseData(json: unknown): Record<string, unknown> {
  if (typeof json !== "string" || json === "") return {};
  try {
    const value = JSON.parse(json);
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

function nameValues(list: unknown): NameValue[] {
  if (!Array.isArray(list)) return [];
  return list.map((h: any) => ({ name: String(h?.Name ?? ""), value: String(h?.Value ?? "") }));
}

/** `over` replaces same-named entries of `base` (names compared without case), the rest appended. */
function mergeByName(base: NameValue[], over: NameValue[]): NameValue[] {
  if (over.length === 0) return base;
  const names = new Set(over.map((h) => h.name.toLowerCase()));
  return [...base.filter((h) => !names.has(h.name.toLowerCase())), ...over];
}

function strings(list: unknown): string[] {
  return Array.isArray(list) ? list.map(String) : [];
}

function parseRaw(raw: string): { from: string; to: string[]; cc: string[]; subject: string; replyTo: string[]; headers: NameValue[]; text?: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? undefined : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers: NameValue[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length) headers[headers.length - 1].value += " " + line.trim();
    else {
      const colon = line.indexOf(":");
      if (colon > 0) headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
    }
  }
  const get = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? "";
  const list = (name: string) => get(name).split(",").map((s) => s.trim()).filter(Boolean);
  const contentType = get("content-type").toLowerCase();
  return {
    from: get("from"),
    to: list("to"),
    cc: list("cc"),
    subject: get("subject"),
    replyTo: list("reply-to"),
    headers,
    text: contentType.startsWith("multipart/") ? undefined : body,
  };
}

class HttpError extends Error {
  constructor(public response: Response) {
    super("http error");
  }
}

interface Content {
  subject: string;
  html?: string;
  text?: string;
  raw?: string;
  template?: string;
  headers: NameValue[];
  from?: string;
  to?: string[];
  cc?: string[];
  replyTo?: string[];
}

function simpleContent(content: any): Content {
  if (!content || typeof content !== "object") throw new HttpError(sesError(400, "BadRequestException", "Content is required."));
  if (content.Simple) {
    const s = content.Simple;
    return {
      subject: String(s.Subject?.Data ?? ""),
      html: s.Body?.Html?.Data,
      text: s.Body?.Text?.Data,
      headers: nameValues(s.Headers),
    };
  }
  if (content.Raw) {
    const raw = Buffer.from(String(content.Raw.Data ?? ""), "base64").toString("utf8");
    const parsed = parseRaw(raw);
    return { subject: parsed.subject, text: parsed.text, raw, headers: parsed.headers, from: parsed.from, to: parsed.to, cc: parsed.cc, replyTo: parsed.replyTo };
  }
  if (content.Template) {
    const t = content.Template;
    const data = parseData(t.TemplateData);
    const tc = t.TemplateContent;
    return {
      subject: renderTemplate(tc?.Subject, data) ?? "",
      html: renderTemplate(tc?.Html, data),
      text: renderTemplate(tc?.Text, data),
      template: tc ? undefined : (t.TemplateName ?? t.TemplateArn),
      headers: nameValues(t.Headers),
    };
  }
  throw new HttpError(sesError(400, "BadRequestException", "Content must contain Simple, Raw or Template."));
}

class FakeState {
  received: ReceivedMail[] = [];
  calls: FakeCall[] = [];
  /** `at` of every accepted mail, in order (the rate meter). */
  acceptedAt: number[] = [];
  /** First index of acceptedAt inside the last 1000 ms, moved forward as time passes. */
  private rateStart = 0;
  faults: SendFaults = noFaults();
  private rejectSet = new Set<string>();
  private sendRequests = 0;
  private burstLeft = 0;
  account: Account;
  private fd: number | null;

  constructor(
    private startAccount: Account,
    private logFile: string | undefined,
  ) {
    this.account = structuredClone(startAccount);
    this.fd = logFile ? openSync(logFile, "a") : null;
  }

  setFaults(patch: FaultPatch) {
    const defaults = noFaults();
    for (const [key, value] of Object.entries(patch) as [keyof SendFaults, unknown][]) {
      if (value === undefined) continue;
      (this.faults as any)[key] = value === null ? defaults[key] : value;
    }
    if ("throttle" in patch) {
      this.sendRequests = 0;
      this.burstLeft = this.faults.throttle?.burst ?? 0;
    }
    if ("reject" in patch) this.rejectSet = new Set((this.faults.reject ?? []).map((a) => a.toLowerCase()));
  }

  setAccount(over: AccountOverride) {
    this.account = mergeAccount(this.account, over);
  }

  currentAccount(): Account {
    const account = { ...this.account, SendQuota: { ...this.account.SendQuota } };
    account.SendQuota.SentLast24Hours = (this.account.SendQuota.SentLast24Hours ?? 0) + this.acceptedAt.length;
    return account;
  }

  reset() {
    this.received = [];
    this.calls = [];
    this.acceptedAt = [];
    this.rateStart = 0;
    this.faults = noFaults();
    this.rejectSet = new Set();
    this.sendRequests = 0;
    this.burstLeft = 0;
    this.account = structuredClone(this.startAccount);
    if (this.fd !== null) ftruncateSync(this.fd, 0);
  }

  close() {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  receivedList({ since = 0, bodies = true }: ReceivedOptions = {}): ReceivedMail[] {
    const list = since > 0 ? this.received.slice(since) : this.received.slice();
    if (bodies) return list;
    return list.map(({ html: _h, text: _t, raw: _r, ...rest }) => rest);
  }

  maxInWindow(windowMs = 1000): number {
    const at = this.acceptedAt;
    let best = 0;
    let i = 0;
    for (let j = 0; j < at.length; j++) {
      while (at[j] - at[i] >= windowMs) i++;
      if (j - i + 1 > best) best = j - i + 1;
    }
    return best;
  }

  acceptedBetween(from: number, to: number): number {
    return this.lowerBound(to) - this.lowerBound(from);
  }

  private lowerBound(t: number): number {
    const at = this.acceptedAt;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  stats(windowMs = 1000, from?: number, to?: number): SendFakeStats {
    const stats: SendFakeStats = { accepted: this.acceptedAt.length, maxInWindow: this.maxInWindow(windowMs) };
    if (from !== undefined && to !== undefined) stats.between = this.acceptedBetween(from, to);
    return stats;
  }

  /** How many more mails fit now, under enforceRate and enforceDailyQuota; which limit binds first. */
  private room(now: number): { rate: number; daily: number } {
    let rate = Infinity;
    if (this.faults.enforceRate !== null && this.faults.enforceRate !== undefined) {
      const at = this.acceptedAt;
      while (this.rateStart < at.length && at[this.rateStart] <= now - 1000) this.rateStart++;
      rate = Math.max(0, this.faults.enforceRate - (at.length - this.rateStart));
    }
    let daily = Infinity;
    const max = this.account.SendQuota.Max24HourSend;
    if (this.faults.enforceDailyQuota && max >= 0) {
      daily = Math.max(0, max - this.currentAccount().SendQuota.SentLast24Hours);
    }
    return { rate, daily };
  }

  private isRejected(mail: { to: string[]; cc: string[]; bcc: string[] }): boolean {
    if (this.rejectSet.size === 0) return false;
    for (const list of [mail.to, mail.cc, mail.bcc]) for (const a of list) if (this.rejectSet.has(a.toLowerCase())) return true;
    return false;
  }

  private accept(mails: ReceivedMail[]) {
    if (mails.length === 0) return;
    let lines = "";
    for (const mail of mails) {
      this.received.push(mail);
      this.acceptedAt.push(mail.at);
      if (this.fd !== null) lines += JSON.stringify(mail) + "\n";
    }
    if (this.fd !== null) writeSync(this.fd, lines);
  }

  /** The request-wide faults; a Response when the request is refused whole. */
  private requestFault(): Response | null {
    const f = this.faults;
    if (f.paused === "SendingPausedException") return errorOf(SES_ERRORS.paused);
    if (f.paused === "AccountSuspendedException") return errorOf(SES_ERRORS.suspended);
    if (f.fail5xx > 0 && Math.random() < f.fail5xx) return errorOf(SES_ERRORS.internal);
    if (f.throttle) {
      this.sendRequests++;
      const t = f.throttle;
      let throttled = false;
      if (this.burstLeft > 0) {
        this.burstLeft--;
        throttled = true;
      }
      if (t.everyNth && t.everyNth > 0 && this.sendRequests % t.everyNth === 0) throttled = true;
      if (t.probability && Math.random() < t.probability) throttled = true;
      if (throttled) return errorOf(SES_ERRORS.rate);
    }
    if (f.dailyQuota) return errorOf(SES_ERRORS.daily);
    return null;
  }

  private sendEmail(body: any): Response {
    const content = simpleContent(body.Content);
    const destination = body.Destination ?? {};
    const mail: ReceivedMail = {
      messageId: messageId(),
      to: destination.ToAddresses ? strings(destination.ToAddresses) : (content.to ?? []),
      cc: destination.CcAddresses ? strings(destination.CcAddresses) : (content.cc ?? []),
      bcc: strings(destination.BccAddresses),
      from: String(body.FromEmailAddress ?? content.from ?? ""),
      subject: content.subject,
      html: content.html,
      text: content.text,
      raw: content.raw,
      template: content.template,
      headers: content.headers,
      tags: nameValues(body.EmailTags),
      configurationSet: body.ConfigurationSetName,
      replyTo: body.ReplyToAddresses ? strings(body.ReplyToAddresses) : (content.replyTo ?? []),
      at: 0,
      via: "SendEmail",
    };
    if (mail.to.length + mail.cc.length + mail.bcc.length > MAX_RECIPIENTS) return sesError(400, "BadRequestException", "Recipient count exceeds 50.");
    if (this.isRejected(mail)) return errorOf(SES_ERRORS.rejected);
    const now = Date.now();
    const room = this.room(now);
    if (room.daily < 1) return errorOf(SES_ERRORS.daily);
    if (room.rate < 1) return errorOf(SES_ERRORS.rate);
    mail.at = now;
    this.accept([mail]);
    return Response.json({ MessageId: mail.messageId }, { headers: { "x-amzn-requestid": randomUUID() } });
  }

  private sendBulkEmail(body: any): Response {
    const entries = Array.isArray(body.BulkEmailEntries) ? body.BulkEmailEntries : [];
    if (entries.length === 0) return sesError(400, "BadRequestException", "BulkEmailEntries is required.");
    if (entries.length > MAX_BULK_ENTRIES) return sesError(400, "BadRequestException", "Bulk email entries count cannot exceed 50.");
    const template = body.DefaultContent?.Template;
    if (!template) return sesError(400, "BadRequestException", "DefaultContent.Template is required.");
    const tc = template.TemplateContent;
    const defaultData = parseData(template.TemplateData);
    const defaultHeaders = nameValues(template.Headers);
    const defaultTags = nameValues(body.DefaultEmailTags);
    const from = String(body.FromEmailAddress ?? "");
    const replyTo = strings(body.ReplyToAddresses);
    const configurationSet = body.ConfigurationSetName;
    const templateName = tc ? undefined : (template.TemplateName ?? template.TemplateArn);
    const now = Date.now();
    const room = this.room(now);
    if (room.daily < 1) return errorOf(SES_ERRORS.daily);
    if (room.rate < 1) return errorOf(SES_ERRORS.rate);
    const results: { Status: string; MessageId?: string; Error?: string }[] = [];
    const accepted: ReceivedMail[] = [];
    for (const entry of entries) {
      const destination = entry?.Destination ?? {};
      const to = strings(destination.ToAddresses);
      const cc = strings(destination.CcAddresses);
      const bcc = strings(destination.BccAddresses);
      if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) {
        results.push({ Status: "INVALID_PARAMETER", Error: "Recipient count exceeds 50." });
        continue;
      }
      if (this.isRejected({ to, cc, bcc })) {
        results.push({ Status: "MESSAGE_REJECTED", Error: SES_ERRORS.rejected[2] });
        continue;
      }
      if (accepted.length >= room.daily) {
        results.push({ Status: "ACCOUNT_DAILY_QUOTA_EXCEEDED", Error: SES_ERRORS.daily[2] });
        continue;
      }
      if (accepted.length >= room.rate) {
        results.push({ Status: "ACCOUNT_THROTTLED", Error: SES_ERRORS.rate[2] });
        continue;
      }
      const replacement = entry?.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData;
      const data = replacement ? { ...defaultData, ...parseData(replacement) } : defaultData;
      const mail: ReceivedMail = {
        messageId: messageId(),
        to,
        cc,
        bcc,
        from,
        subject: renderTemplate(tc?.Subject, data) ?? "",
        html: renderTemplate(tc?.Html, data),
        text: renderTemplate(tc?.Text, data),
        template: templateName,
        headers: mergeByName(defaultHeaders, nameValues(entry?.ReplacementHeaders)),
        tags: mergeByName(defaultTags, nameValues(entry?.ReplacementTags)),
        configurationSet,
        replyTo,
        at: now,
        via: "SendBulkEmail",
      };
      accepted.push(mail);
      results.push({ Status: "SUCCESS", MessageId: mail.messageId });
    }
    this.accept(accepted);
    return Response.json({ BulkEmailEntryResults: results }, { headers: { "x-amzn-requestid": randomUUID() } });
  }

  async handle(req: Request, server: Server<unknown>): Promise<Response> {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path.startsWith("/__fake/")) return this.control(req, url);
    const action: FakeCall["action"] =
      req.method === "POST" && path === "/v2/email/outbound-emails"
        ? "SendEmail"
        : req.method === "POST" && path === "/v2/email/outbound-bulk-emails"
          ? "SendBulkEmail"
          : req.method === "GET" && path === "/v2/email/account"
            ? "GetAccount"
            : "Unknown";
    const call: FakeCall = { action, at: Date.now(), status: 0 };
    this.calls.push(call);
    if (action === "Unknown") {
      call.status = 404;
      return sesError(404, "NotFoundException", `No route for ${req.method} ${path}.`);
    }
    if (action === "GetAccount") {
      call.status = 200;
      return Response.json(this.currentAccount(), { headers: { "x-amzn-requestid": randomUUID() } });
    }
    let response = this.requestFault();
    if (response) {
      call.status = response.status;
      return response;
    }
    let body: any;
    try {
      body = await req.json();
    } catch {
      call.status = 400;
      return sesError(400, "BadRequestException", "The request body is not valid JSON.");
    }
    try {
      response = action === "SendEmail" ? this.sendEmail(body ?? {}) : this.sendBulkEmail(body ?? {});
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      response = error.response;
    }
    if (response.status === 200) {
      const f = this.faults;
      let drop = false;
      if (f.dropNext > 0) {
        f.dropNext--;
        drop = true;
      } else if (f.dropAfterAccept > 0 && Math.random() < f.dropAfterAccept) drop = true;
      if (drop) return this.never(req, server);
    }
    if (this.faults.delayMs > 0) {
      if (this.faults.delayMs >= 9000) server.timeout(req, 0);
      await Bun.sleep(this.faults.delayMs);
    }
    call.status = response.status;
    return response;
  }

  /** No answer: hold the connection until the client leaves, or (dropMode "close") cut it at once. */
  private never(req: Request, server: Server<unknown>): Promise<Response> | Response {
    if (this.faults.dropMode === "close") {
      // A body that fails before its first byte makes Bun close the socket with nothing written.
      return new Response(new ReadableStream({ pull: (controller) => controller.error() }));
    }
    server.timeout(req, 0);
    return new Promise((resolve) => {
      req.signal.addEventListener("abort", () => resolve(new Response(null, { status: 499 })), { once: true });
    });
  }

  onStop: (() => void) | null = null;

  private async control(req: Request, url: URL): Promise<Response> {
    const route = `${req.method} ${url.pathname}`;
    const num = (name: string) => {
      const v = url.searchParams.get(name);
      return v === null || v === "" ? undefined : Number(v);
    };
    switch (route) {
      case "GET /__fake/received":
        return Response.json(this.receivedList({ since: num("since"), bodies: url.searchParams.get("bodies") !== "0" }));
      case "GET /__fake/calls":
        return Response.json(this.calls);
      case "GET /__fake/faults":
        return Response.json(this.faults);
      case "POST /__fake/faults":
        this.setFaults((await req.json()) as FaultPatch);
        return Response.json(this.faults);
      case "POST /__fake/reset":
        this.reset();
        return Response.json({ ok: true });
      case "GET /__fake/account":
        return Response.json(this.currentAccount());
      case "POST /__fake/account":
        this.setAccount((await req.json()) as AccountOverride);
        return Response.json(this.currentAccount());
      case "GET /__fake/stats":
        return Response.json(this.stats(num("windowMs") ?? 1000, num("from"), num("to")));
      case "POST /__fake/stop":
        setTimeout(() => this.onStop?.(), 10);
        return Response.json({ ok: true });
    }
    return sesError(404, "NotFoundException", `No control route ${route}.`);
  }
}

/** Starts the fake in this process on 127.0.0.1 (a free port unless one is given). */
export async function startSendFake(options: SendFakeOptions = {}): Promise<SendFake> {
  const state = new FakeState(mergeAccount(DEFAULT_ACCOUNT, options.account), options.logFile);
  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    fetch: (req, srv) => state.handle(req, srv),
    error: (error) => sesError(500, "InternalFailure", String(error)),
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop(true);
    state.close();
  };
  state.onStop = () => void stop().then(() => options.onStopRoute?.());
  return {
    url: `http://${server.hostname}:${server.port}`,
    received: async (options) => state.receivedList(options),
    calls: async () => state.calls.slice(),
    setFaults: async (f) => state.setFaults(f),
    faults: async () => structuredClone(state.faults),
    setAccount: async (a) => state.setAccount(a),
    account: async () => state.currentAccount(),
    stats: async (windowMs = 1000) => state.stats(windowMs),
    maxInWindow: async (windowMs = 1000) => state.maxInWindow(windowMs),
    acceptedBetween: async (from, to) => state.acceptedBetween(from, to),
    reset: async () => state.reset(),
    stop,
  };
}

/** The SendFake interface for a fake running elsewhere (its own process), through the control routes. */
export function connectSendFake(url: string): SendFake {
  const base = url.replace(/\/+$/, "");
  const call = async <T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${base}/__fake/${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`send fake ${method} /__fake/${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    url: base,
    received: ({ since = 0, bodies = true }: ReceivedOptions = {}) => call<ReceivedMail[]>("GET", `received?since=${since}${bodies ? "" : "&bodies=0"}`),
    calls: () => call<FakeCall[]>("GET", "calls"),
    setFaults: async (f) => void (await call("POST", "faults", f)),
    faults: () => call<SendFaults>("GET", "faults"),
    setAccount: async (a) => void (await call("POST", "account", a)),
    account: () => call<Account>("GET", "account"),
    stats: (windowMs = 1000) => call<SendFakeStats>("GET", `stats?windowMs=${windowMs}`),
    maxInWindow: async (windowMs = 1000) => (await call<SendFakeStats>("GET", `stats?windowMs=${windowMs}`)).maxInWindow,
    acceptedBetween: async (from, to) => (await call<SendFakeStats>("GET", `stats?from=${from}&to=${to}`)).between ?? 0,
    reset: async () => void (await call("POST", "reset")),
    stop: async () => {
      await call("POST", "stop").catch(() => {});
    },
  };
}

/**
 * Starts `bun tests/support/ses-send-fake.ts` as a child process on a free port and waits for its ready
 * line. The child exits when stop() is called or when this process goes away (its stdin closes).
 */
export async function spawnSendFake(options: { logFile?: string; account?: AccountOverride } = {}): Promise<SendFake & { process: Subprocess }> {
  const args = [process.execPath, import.meta.path, "--port", "0", "--exit-with-stdin"];
  if (options.logFile) args.push("--log", options.logFile);
  if (options.account) args.push("--account", JSON.stringify(options.account));
  const child = Bun.spawn(args, { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  let url: string | null = null;
  const deadline = Date.now() + 10_000;
  while (url === null) {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), Math.max(0, deadline - Date.now())));
    const chunk = await Promise.race([reader.read(), timeout]);
    if (chunk === null || chunk.done) {
      child.kill();
      throw new Error(`ses-send-fake did not start: ${seen}`);
    }
    seen += decoder.decode(chunk.value, { stream: true });
    const match = seen.match(/listening (http:\/\/\S+)\n/);
    if (match) url = match[1];
  }
  reader.releaseLock();
  // Keep draining stdout so the child never blocks on a full pipe.
  void child.stdout.pipeTo(new WritableStream()).catch(() => {});
  const remote = connectSendFake(url);
  return {
    ...remote,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await child.exited;
      }
    },
  };
}

/** The mails a `--log` / logFile file holds, in order. */
export function readSendLog(file: string): ReceivedMail[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const mails: ReceivedMail[] = [];
  for (const line of text.split("\n")) if (line) mails.push(JSON.parse(line));
  return mails;
}

async function main(argv: string[]) {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const port = Number(arg("--port") ?? 0);
  const account = arg("--account");
  const fake = await startSendFake({
    port,
    onStopRoute: () => process.exit(0),
    logFile: arg("--log"),
    hostname: arg("--host") ?? "127.0.0.1",
    account: account ? JSON.parse(account) : undefined,
  });
  const exit = async () => {
    await fake.stop();
    process.exit(0);
  };
  process.on("SIGTERM", exit);
  process.on("SIGINT", exit);
  process.stdout.write(`listening ${fake.url}\n`);
  if (argv.includes("--exit-with-stdin")) {
    (async () => {
      try {
        // Nothing is sent on stdin; it only ends when the parent goes away.
        const reader = Bun.stdin.stream().getReader();
        while (!(await reader.read()).done);
      } finally {
        await exit();
      }
    })();
  }
}

if (import.meta.main) await main(process.argv.slice(2));
