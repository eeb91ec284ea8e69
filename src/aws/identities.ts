import {
  CreateEmailIdentityCommand,
  DeleteEmailIdentityCommand,
  GetEmailIdentityCommand,
  ListEmailIdentitiesCommand,
  PutEmailIdentityMailFromAttributesCommand,
  type GetEmailIdentityCommandOutput,
} from "@aws-sdk/client-sesv2";
import type { Config } from "../config";
import { callAws as call, type AwsKeys } from "./client";
import { unreadableAnswer } from "./errors";
import { sesClient } from "./ses";

export type IdentityType = "EMAIL_ADDRESS" | "DOMAIN" | "MANAGED_DOMAIN";

/** A sending identity as ListEmailIdentities lists it. */
export interface Identity {
  name: string;
  type: IdentityType;
  verificationStatus: string;
  sendingEnabled: boolean;
}

/** A custom MAIL FROM domain as SES keeps it (MailFromAttributes). */
export interface MailFrom {
  domain: string;
  status: string;
  behaviorOnMxFailure: string;
}

/** A sending identity as GetEmailIdentity reads it. */
export interface IdentityDetail extends Identity {
  dkimStatus: string | null;
  dkimTokens: string[];
  mailFrom: MailFrom | null;
}

/** One DNS record to publish; `priority` for MX records. */
export interface DnsRecord {
  name: string;
  type: "CNAME" | "MX" | "TXT";
  value: string;
  priority?: number;
}

/** Easy DKIM: each token SES gives is a CNAME from `<token>._domainkey.<domain>` to SES's key. */
export function dkimRecords(domain: string, tokens: string[] | null | undefined): DnsRecord[] {
  return (tokens ?? []).map((token) => ({ type: "CNAME" as const, name: `${token}._domainkey.${domain}`, value: `${token}.dkim.amazonses.com` }));
}

/** A custom MAIL FROM domain needs an MX record to SES's feedback endpoint of the region, and SPF allowing SES. */
export function mailFromRecords(mailFromDomain: string, region: string): DnsRecord[] {
  return [
    { type: "MX", name: mailFromDomain, value: `feedback-smtp.${region}.amazonses.com`, priority: 10 },
    { type: "TXT", name: mailFromDomain, value: '"v=spf1 include:amazonses.com ~all"' },
  ];
}

/** The gentlest DMARC policy: receivers report what fails but deliver it as before. */
export function dmarcRecord(domain: string): DnsRecord {
  return { type: "TXT", name: `_dmarc.${domain}`, value: '"v=DMARC1; p=none;"' };
}

const asType = (type: string | undefined, name: string): IdentityType =>
  type === "EMAIL_ADDRESS" || type === "DOMAIN" || type === "MANAGED_DOMAIN" ? type : name.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN";

/** ListEmailIdentities pages one listing may read: ten full pages hold the thousand identities kept, the rest is slack for short pages. */
const MAX_PAGES = 20;
/** Identities one listing keeps (SES's default quota is 10,000; a sender pick of more helps no one). */
const MAX_IDENTITIES = 1000;

/**
 * Every identity of the account and region with its verification state (no DKIM: that takes a call
 * per identity). `complete` is false when the listing stopped before SES said it had no more.
 */
export async function listIdentityPages(config: Config, keys: AwsKeys): Promise<{ identities: Identity[]; complete: boolean }> {
  const client = sesClient(config, keys);
  const identities: Identity[] = [];
  const names = new Set<string>();
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 0; pages < MAX_PAGES && identities.length < MAX_IDENTITIES; pages++) {
    const page = await call(keys, "ses:ListEmailIdentities", () => client.send(new ListEmailIdentitiesCommand({ NextToken: token, PageSize: 100 })));
    for (const item of page.EmailIdentities ?? []) {
      const name = item.IdentityName?.toLowerCase();
      if (!name || names.has(name)) continue;
      names.add(name);
      identities.push({
        name,
        type: asType(item.IdentityType, name),
        verificationStatus: item.VerificationStatus ?? "NOT_STARTED",
        sendingEnabled: item.SendingEnabled ?? false,
      });
    }
    token = page.NextToken;
    if (!token) return { identities, complete: true };
    // A token handed out twice would list the same page for ever: something between Sesame and SES, or SES itself, went wrong.
    if (seen.has(token)) break;
    seen.add(token);
  }
  return { identities, complete: false };
}

export async function listIdentities(config: Config, keys: AwsKeys): Promise<Identity[]> {
  return (await listIdentityPages(config, keys)).identities;
}

function detailOf(name: string, out: GetEmailIdentityCommandOutput): IdentityDetail {
  const mail = out.MailFromAttributes;
  return {
    name,
    type: asType(out.IdentityType, name),
    verificationStatus: out.VerificationStatus ?? (out.VerifiedForSendingStatus ? "SUCCESS" : "PENDING"),
    sendingEnabled: out.VerifiedForSendingStatus ?? false,
    dkimStatus: out.DkimAttributes?.Status ?? null,
    dkimTokens: out.DkimAttributes?.Tokens ?? [],
    mailFrom: mail?.MailFromDomain
      ? { domain: mail.MailFromDomain, status: mail.MailFromDomainStatus ?? "PENDING", behaviorOnMxFailure: mail.BehaviorOnMxFailure ?? "USE_DEFAULT_VALUE" }
      : null,
  };
}

/** One identity with its DKIM and MAIL FROM state. */
export async function getIdentity(config: Config, keys: AwsKeys, name: string): Promise<IdentityDetail> {
  const out = await call(keys, "ses:GetEmailIdentity", () => sesClient(config, keys).send(new GetEmailIdentityCommand({ EmailIdentity: name })));
  // Every real answer says what the identity is; an empty 200 came from something in between.
  if (!out.IdentityType) throw unreadableAnswer(keys, "ses:GetEmailIdentity", "IdentityType", out);
  return detailOf(name, out);
}

export async function createIdentity(config: Config, keys: AwsKeys, name: string): Promise<IdentityDetail> {
  const out = await call(keys, "ses:CreateEmailIdentity", () =>
    sesClient(config, keys).send(new CreateEmailIdentityCommand({ EmailIdentity: name })),
  );
  const type = asType(out.IdentityType, name);
  return {
    name,
    type,
    verificationStatus: out.VerifiedForSendingStatus ? "SUCCESS" : "PENDING",
    sendingEnabled: out.VerifiedForSendingStatus ?? false,
    dkimStatus: out.DkimAttributes?.Status ?? null,
    dkimTokens: out.DkimAttributes?.Tokens ?? [],
    mailFrom: null,
  };
}

export async function deleteIdentity(config: Config, keys: AwsKeys, name: string): Promise<void> {
  await call(keys, "ses:DeleteEmailIdentity", () => sesClient(config, keys).send(new DeleteEmailIdentityCommand({ EmailIdentity: name })));
}

/**
 * Sets the identity's custom MAIL FROM domain, or removes it with null. SES answers with an empty
 * body, which a proxy's 200 page would pass for, so the identity is read back: that also brings the
 * new domain's status.
 */
export async function putMailFrom(config: Config, keys: AwsKeys, name: string, domain: string | null): Promise<IdentityDetail> {
  await call(keys, "ses:PutEmailIdentityMailFromAttributes", () =>
    sesClient(config, keys).send(
      new PutEmailIdentityMailFromAttributesCommand({
        EmailIdentity: name,
        // Without a domain SES turns the custom MAIL FROM domain off.
        ...(domain ? { MailFromDomain: domain, BehaviorOnMxFailure: "USE_DEFAULT_VALUE" } : {}),
      }),
    ),
  );
  const detail = await getIdentity(config, keys, name);
  if ((detail.mailFrom?.domain ?? null) !== domain) throw unreadableAnswer(keys, "ses:PutEmailIdentityMailFromAttributes", "MAIL FROM domain it reported set", {});
  return detail;
}
