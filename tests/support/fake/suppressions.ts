import { randomUUID } from "node:crypto";
import { sesError, type AwsFake, type SesRoute } from "../aws";

/**
 * SES's account-level suppression list (fake.suppressed), with the request and answer shapes of the
 * SDK's model: ListSuppressedDestinations takes Reason (repeated), StartDate, EndDate (ISO 8601),
 * NextToken and PageSize in the query string and answers SuppressedDestinationSummaries with
 * LastUpdateTime in epoch seconds; the address is the last path segment of the others.
 */

const REASONS = ["BOUNCE", "COMPLAINT"];

/** What the fake recorded of one fake's suppression calls, for tests that count work done. */
export interface SuppressionLog {
  /** Every address a PutSuppressedDestination answered with success, in order (twice if put twice). */
  puts: string[];
  /** Throttle the next `times` PutSuppressedDestination calls once `after` more have succeeded. */
  throttle: { after: number; times: number } | null;
  /** Addresses PutSuppressedDestination answers BadRequestException for, as SES does for one it will not take. */
  refuse: Set<string>;
  /**
   * ListSuppressedDestinations misbehaving: "empty-pages" answers no addresses with a new NextToken
   * every time, for ever; "same-token" answers its page with the NextToken it was given (the first
   * page's token is "loop").
   */
  listing: "empty-pages" | "same-token" | null;
}

const logs = new WeakMap<AwsFake, SuppressionLog>();

export function suppressionLog(fake: AwsFake): SuppressionLog {
  let log = logs.get(fake);
  if (!log) logs.set(fake, (log = { puts: [], throttle: null, refuse: new Set(), listing: null }));
  return log;
}

/** Back to a well-behaved fake with nothing recorded (each test starts from here). */
export function resetSuppressionLog(fake: AwsFake) {
  Object.assign(suppressionLog(fake), { puts: [], throttle: null, refuse: new Set(), listing: null });
}

/** Makes PutSuppressedDestination answer TooManyRequestsException `times` times in a row after `after` more successes. */
export function throttlePutsAfter(fake: AwsFake, after: number, times: number) {
  suppressionLog(fake).throttle = { after, times };
}

const seconds = (d: Date) => d.getTime() / 1000;

function parseDate(value: string | null): Date | null | "invalid" {
  if (value === null) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? "invalid" : d;
}

export const suppressionRoutes: SesRoute[] = [
  {
    action: "ListSuppressedDestinations",
    method: "GET",
    path: /^\/v2\/email\/suppression\/addresses$/,
    handle({ fake, query }) {
      const reasons = query.getAll("Reason");
      if (reasons.some((r) => !REASONS.includes(r))) return sesError(400, "BadRequestException", "Reason must be BOUNCE or COMPLAINT.");
      const start = parseDate(query.get("StartDate"));
      const end = parseDate(query.get("EndDate"));
      if (start === "invalid" || end === "invalid") return sesError(400, "BadRequestException", "StartDate and EndDate must be timestamps.");
      const size = query.has("PageSize") ? Number(query.get("PageSize")) : 1000;
      if (!Number.isInteger(size) || size < 1 || size > 1000) return sesError(400, "BadRequestException", "PageSize must be between 1 and 1000.");
      const token = query.get("NextToken");
      const { listing } = suppressionLog(fake);
      if (listing === "empty-pages") {
        return Response.json({ SuppressedDestinationSummaries: [], NextToken: Buffer.from(JSON.stringify({ empty: randomUUID() })).toString("base64url") });
      }
      if (listing === "same-token") {
        const page = [...fake.suppressed].slice(0, 1);
        return Response.json({
          SuppressedDestinationSummaries: page.map(([email, s]) => ({ EmailAddress: email, Reason: s.reason, LastUpdateTime: seconds(s.lastUpdate) })),
          NextToken: token ?? "loop",
        });
      }
      let after = "";
      if (token !== null) {
        try {
          after = JSON.parse(Buffer.from(token, "base64url").toString()).after;
        } catch {
          return sesError(400, "BadRequestException", "The NextToken is not valid.");
        }
        if (typeof after !== "string") return sesError(400, "BadRequestException", "The NextToken is not valid.");
      }
      // Ordered by address, and the token holds the last one given: a page is stable while the list changes.
      const matching = [...fake.suppressed]
        .filter(([email, s]) => email > after && (reasons.length === 0 || reasons.includes(s.reason)) && (!start || s.lastUpdate >= start) && (!end || s.lastUpdate <= end))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const page = matching.slice(0, size);
      const more = matching.length > size;
      return Response.json({
        SuppressedDestinationSummaries: page.map(([email, s]) => ({ EmailAddress: email, Reason: s.reason, LastUpdateTime: seconds(s.lastUpdate) })),
        ...(more ? { NextToken: Buffer.from(JSON.stringify({ after: page.at(-1)![0] })).toString("base64url") } : {}),
      });
    },
  },
  {
    action: "GetSuppressedDestination",
    method: "GET",
    path: /^\/v2\/email\/suppression\/addresses\/(.+)$/,
    handle({ fake, match }) {
      const email = match[1]!;
      const s = fake.suppressed.get(email);
      if (!s) return sesError(404, "NotFoundException", `Email address ${email} does not exist on your suppression list.`);
      return Response.json({
        SuppressedDestination: {
          EmailAddress: email,
          Reason: s.reason,
          LastUpdateTime: seconds(s.lastUpdate),
          Attributes: { ...(s.messageId ? { MessageId: s.messageId } : {}), ...(s.feedbackId ? { FeedbackId: s.feedbackId } : {}) },
        },
      });
    },
  },
  {
    action: "PutSuppressedDestination",
    method: "PUT",
    path: /^\/v2\/email\/suppression\/addresses$/,
    handle({ fake, body }) {
      const log = suppressionLog(fake);
      if (log.throttle) {
        if (log.throttle.after > 0) log.throttle.after--;
        else {
          if (--log.throttle.times <= 0) log.throttle = null;
          return sesError(429, "TooManyRequestsException", "Too many requests.");
        }
      }
      const input = body();
      const email = typeof input.EmailAddress === "string" ? input.EmailAddress : "";
      if (!email) return sesError(400, "BadRequestException", "EmailAddress is required.");
      if (!REASONS.includes(input.Reason)) return sesError(400, "BadRequestException", "Reason must be BOUNCE or COMPLAINT.");
      if (log.refuse.has(email)) return sesError(400, "BadRequestException", `Email address ${email} is not valid.`);
      fake.suppressed.set(email, { reason: input.Reason, lastUpdate: new Date() });
      log.puts.push(email);
      return Response.json({});
    },
  },
  {
    action: "DeleteSuppressedDestination",
    method: "DELETE",
    path: /^\/v2\/email\/suppression\/addresses\/(.+)$/,
    handle({ fake, match }) {
      const email = match[1]!;
      if (!fake.suppressed.delete(email)) return sesError(404, "NotFoundException", `Email address ${email} does not exist on your suppression list.`);
      return Response.json({});
    },
  },
  {
    action: "PutAccountSuppressionAttributes",
    method: "PUT",
    path: /^\/v2\/email\/account\/suppression$/,
    handle({ fake, body, who }) {
      const reasons = body().SuppressedReasons ?? [];
      if (!Array.isArray(reasons) || reasons.some((r) => !REASONS.includes(r))) return sesError(400, "BadRequestException", "SuppressedReasons must be BOUNCE or COMPLAINT.");
      const account = fake.account(who.accessKeyId, who.region)!;
      account.SuppressionAttributes = { ...account.SuppressionAttributes, SuppressedReasons: [...new Set(reasons)] };
      return Response.json({});
    },
  },
];
