import { randomUUID } from "node:crypto";
import { sesError, type AwsFake, type FakeIdentity, type SesRoute } from "../aws";

/**
 * Keys of other AWS accounts, by access key id: each sees only its own identities (every other key
 * shares `fake.identities`, as keys of one account do).
 */
export const otherAccounts = new Map<string, Map<string, FakeIdentity>>();
/** Domains SES signs nothing for (DKIM never started, as with BYODKIM not set up): GetEmailIdentity reports DKIM NOT_STARTED with signing off. */
export const dkimOff = new Set<string>();
/**
 * Keys whose ListEmailIdentities never ends, as a broken proxy or a misbehaving SES might: "empty"
 * answers empty pages each with a new NextToken, "repeat" hands out the same NextToken every time.
 */
export const endlessListings = new Map<string, "empty" | "repeat">();

const identitiesOf = (fake: AwsFake, who: { accessKeyId: string }) => otherAccounts.get(who.accessKeyId) ?? fake.identities;

/** Sending identities: listed (paged), created, read, deleted and given a MAIL FROM domain as SES v2 does (shapes from the SDK's model). */
export const identityRoutes: SesRoute[] = [
  {
    action: "ListEmailIdentities",
    method: "POST",
    path: /^\/v2\/email\/list-identities$/,
    handle({ fake, body, who }) {
      // NextToken and PageSize travel in the JSON body (ListEmailIdentitiesRequest has no query members).
      const input = body();
      const endless = endlessListings.get(who.accessKeyId);
      if (endless === "empty") return Response.json({ EmailIdentities: [], NextToken: randomUUID() });
      const size = input.PageSize ?? 1000;
      if (!Number.isInteger(size) || size < 0 || size > 1000) return sesError(400, "BadRequestException", "PageSize must be between 0 and 1000.");
      const start = input.NextToken ? Number(Buffer.from(String(input.NextToken), "base64").toString()) : 0;
      if (!Number.isInteger(start) || start < 0) return sesError(400, "BadRequestException", "Invalid NextToken.");
      const all = [...identitiesOf(fake, who).values()];
      const page = all.slice(start, start + size);
      // "repeat" hands out the first page's token again, so the same page comes back for ever.
      const next = endless === "repeat" ? Buffer.from("0").toString("base64") : start + size < all.length ? Buffer.from(String(start + size)).toString("base64") : undefined;
      return Response.json({
        EmailIdentities: page.map((i) => ({
          IdentityType: i.type,
          IdentityName: i.name,
          SendingEnabled: i.verified,
          VerificationStatus: i.verified ? "SUCCESS" : "PENDING",
        })),
        ...(next ? { NextToken: next } : {}),
      });
    },
  },
  {
    action: "CreateEmailIdentity",
    method: "POST",
    path: /^\/v2\/email\/identities$/,
    handle({ fake, body, who }) {
      const identities = identitiesOf(fake, who);
      const name = String(body().EmailIdentity);
      if (identities.has(name)) return sesError(400, "AlreadyExistsException", `Email identity ${name} already exist.`);
      const identity: FakeIdentity = {
        name,
        type: name.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN",
        verified: false,
        tokens: name.includes("@") ? [] : [0, 1, 2].map(() => randomUUID().replace(/-/g, "").slice(0, 32)),
      };
      identities.set(name, identity);
      return Response.json({
        IdentityType: identity.type,
        VerifiedForSendingStatus: false,
        DkimAttributes: { SigningEnabled: identity.type === "DOMAIN", Status: identity.type === "DOMAIN" ? "PENDING" : "NOT_STARTED", Tokens: identity.tokens },
      });
    },
  },
  {
    action: "GetEmailIdentity",
    method: "GET",
    path: /^\/v2\/email\/identities\/([^/]+)$/,
    handle({ fake, match, who }) {
      const identity = identitiesOf(fake, who).get(match[1]!);
      if (!identity) return sesError(404, "NotFoundException", `Email identity ${match[1]} does not exist.`);
      const signing = !dkimOff.has(identity.name);
      return Response.json({
        IdentityType: identity.type,
        VerifiedForSendingStatus: identity.verified,
        VerificationStatus: identity.verified ? "SUCCESS" : "PENDING",
        DkimAttributes: { SigningEnabled: signing, Status: !signing ? "NOT_STARTED" : identity.verified ? "SUCCESS" : "PENDING", Tokens: identity.tokens },
        ...(identity.mailFrom
          ? {
              MailFromAttributes: {
                MailFromDomain: identity.mailFrom.domain,
                MailFromDomainStatus: identity.mailFrom.status,
                BehaviorOnMxFailure: identity.mailFrom.behaviorOnMxFailure,
              },
            }
          : {}),
      });
    },
  },
  {
    action: "DeleteEmailIdentity",
    method: "DELETE",
    path: /^\/v2\/email\/identities\/([^/]+)$/,
    handle({ fake, match, who }) {
      if (!identitiesOf(fake, who).delete(match[1]!)) return sesError(404, "NotFoundException", `Email identity ${match[1]} does not exist.`);
      return Response.json({});
    },
  },
  {
    action: "PutEmailIdentityMailFromAttributes",
    method: "PUT",
    path: /^\/v2\/email\/identities\/([^/]+)\/mail-from$/,
    handle({ fake, match, body, who }) {
      const identity = identitiesOf(fake, who).get(match[1]!);
      if (!identity) return sesError(404, "NotFoundException", `Email identity ${match[1]} does not exist.`);
      const input = body();
      // Without MailFromDomain SES turns the custom MAIL FROM domain off.
      if (!input.MailFromDomain) {
        delete identity.mailFrom;
        return Response.json({});
      }
      const domain = String(input.MailFromDomain);
      const parent = identity.name.slice(identity.name.lastIndexOf("@") + 1);
      if (!domain.endsWith(`.${parent}`)) return sesError(400, "BadRequestException", `Invalid MAIL FROM domain ${domain}: it must be a subdomain of ${parent}.`);
      const behavior = input.BehaviorOnMxFailure ?? "USE_DEFAULT_VALUE";
      if (behavior !== "USE_DEFAULT_VALUE" && behavior !== "REJECT_MESSAGE") return sesError(400, "BadRequestException", "Invalid BehaviorOnMxFailure.");
      identity.mailFrom = { domain, behaviorOnMxFailure: behavior, status: "PENDING" };
      return Response.json({});
    },
  },
];
