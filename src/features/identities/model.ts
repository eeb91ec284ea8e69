import { dkimRecords, dmarcRecord, mailFromRecords, type DnsRecord, type Identity, type IdentityDetail } from "../../aws/identities";
import { parseSender } from "../../lib/email";
import { Invalid } from "../../lib/errors";
import { DOMAIN_NAME } from "../credentials/model";

export type { DnsRecord };

/** A row of the ses_identities cache: what SES last said of one identity, per workspace and region. */
export interface CachedIdentity {
  workspaceId: string;
  region: string;
  name: string;
  type: Identity["type"];
  verificationStatus: string;
  dkimStatus: string | null;
  dkimTokens: string[] | null;
  mailFromDomain: string | null;
  mailFromStatus: string | null;
  sendingEnabled: boolean;
  checkedAt: Date;
  nextCheckAt: Date | null;
  verifiedAt: Date | null;
  createdAt: Date;
}

/** An identity as GET /aws/identities answers it (CONTRACT "SES from the GUI", with a few fields more). */
export interface IdentityView {
  identity: string;
  type: "domain" | "email";
  verified: boolean;
  /** SES's VerificationStatus: PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE or NOT_STARTED. */
  verificationStatus: string;
  sendingEnabled: boolean;
  /** SES's DKIM status for a domain; null for an address (its domain's DKIM signs it). */
  dkimStatus: string | null;
  dkimRecords: DnsRecord[];
  mailFrom: { domain: string; status: string | null; records: DnsRecord[] } | null;
  /** A suggested DMARC record for a domain; null for an address. */
  dmarcRecord: DnsRecord | null;
  /** SES is still checking something (verification, DKIM or the MAIL FROM domain): worth reading again. */
  pending: boolean;
  region: string;
  checkedAt: Date;
}

const STILL_CHECKING = new Set(["PENDING", "NOT_STARTED", "TEMPORARY_FAILURE"]);

const isDomain = (type: string) => type !== "EMAIL_ADDRESS";

/**
 * Whether SES may still change its mind: verification, DKIM (domains) or the MAIL FROM domain are
 * being checked. FAILED counts as settled: SES has stopped trying until the person acts. DKIM's
 * NOT_STARTED is settled too: signing is off (or BYODKIM was never set up), and SES checks nothing.
 */
export function isPending(row: Pick<CachedIdentity, "type" | "verificationStatus" | "dkimStatus" | "mailFromDomain" | "mailFromStatus">): boolean {
  if (STILL_CHECKING.has(row.verificationStatus)) return true;
  if (isDomain(row.type) && (row.dkimStatus === null || row.dkimStatus === "PENDING" || row.dkimStatus === "TEMPORARY_FAILURE")) return true;
  return row.mailFromDomain !== null && (row.mailFromStatus === null || STILL_CHECKING.has(row.mailFromStatus));
}

export const FIRST_CHECK_MS = 60_000;
export const LAST_CHECK_MS = 60 * 60_000;

/**
 * How a read of an identity moves its background checks: `advance` (the background refresh itself)
 * waits twice as long as before; `restart` (a person pressed Check now or changed it) starts again at
 * a minute; `keep` (a listing, or a page's own 30-second poll) waits as long as before.
 */
export type Schedule = "advance" | "restart" | "keep";

/**
 * When the background refresh reads a pending identity next: a minute after a fresh start, then
 * twice the previous wait, up to an hour (DNS changes take minutes to hours to be seen); never once
 * nothing is pending.
 */
export function nextCheckAt(previous: Pick<CachedIdentity, "checkedAt" | "nextCheckAt"> | null, pending: boolean, now: Date, schedule: Schedule = "advance"): Date | null {
  if (!pending) return null;
  const waited = previous?.nextCheckAt && schedule !== "restart" ? previous.nextCheckAt.getTime() - previous.checkedAt.getTime() : 0;
  if (waited <= 0) return new Date(now.getTime() + FIRST_CHECK_MS);
  // Kept, the wait is measured from this read: the background stays away while a page polls, then resumes at the same pace.
  const wait = Math.min(LAST_CHECK_MS, Math.max(FIRST_CHECK_MS, schedule === "keep" ? waited : waited * 2));
  return new Date(now.getTime() + wait);
}

/** The cache row for what GetEmailIdentity (or CreateEmailIdentity) said. */
export function rowFromDetail(
  workspaceId: string,
  region: string,
  detail: IdentityDetail,
  old: CachedIdentity | null,
  now: Date,
  schedule: Schedule = "advance",
): CachedIdentity {
  const base = {
    type: detail.type,
    verificationStatus: detail.verificationStatus,
    dkimStatus: isDomain(detail.type) ? detail.dkimStatus : null,
    mailFromDomain: detail.mailFrom?.domain ?? null,
    mailFromStatus: detail.mailFrom?.status ?? null,
  };
  return {
    workspaceId,
    region,
    name: detail.name,
    ...base,
    dkimTokens: detail.dkimTokens.length ? detail.dkimTokens : (old?.dkimTokens ?? null),
    sendingEnabled: detail.sendingEnabled,
    checkedAt: now,
    nextCheckAt: nextCheckAt(old, isPending(base), now, schedule),
    verifiedAt: detail.verificationStatus === "SUCCESS" ? (old?.verifiedAt ?? now) : null,
    createdAt: old?.createdAt ?? now,
  };
}

/** The cache row for what ListEmailIdentities said: the verification state only, details kept from before. */
export function rowFromSummary(workspaceId: string, region: string, item: Identity, old: CachedIdentity | null, now: Date): CachedIdentity {
  const row: CachedIdentity = {
    workspaceId,
    region,
    name: item.name,
    type: item.type,
    verificationStatus: item.verificationStatus,
    dkimStatus: old?.dkimStatus ?? null,
    dkimTokens: old?.dkimTokens ?? null,
    mailFromDomain: old?.mailFromDomain ?? null,
    mailFromStatus: old?.mailFromStatus ?? null,
    sendingEnabled: item.sendingEnabled,
    checkedAt: now,
    nextCheckAt: null,
    verifiedAt: item.verificationStatus === "SUCCESS" ? (old?.verifiedAt ?? now) : null,
    createdAt: old?.createdAt ?? now,
  };
  // Details not read yet (a new identity) count as pending, so the background refresh reads them soon.
  row.nextCheckAt = isPending(row) ? (old?.nextCheckAt ?? now) : null;
  return row;
}

/** What the API and the pages show of a cached identity: its state and the DNS records to publish. */
export function identityView(row: CachedIdentity): IdentityView {
  const domain = isDomain(row.type);
  return {
    identity: row.name,
    type: domain ? "domain" : "email",
    verified: row.verificationStatus === "SUCCESS",
    verificationStatus: row.verificationStatus,
    sendingEnabled: row.sendingEnabled,
    dkimStatus: domain ? row.dkimStatus : null,
    dkimRecords: domain ? dkimRecords(row.name, row.dkimTokens) : [],
    mailFrom: row.mailFromDomain ? { domain: row.mailFromDomain, status: row.mailFromStatus, records: mailFromRecords(row.mailFromDomain, row.region) } : null,
    dmarcRecord: domain ? dmarcRecord(row.name) : null,
    pending: isPending(row),
    region: row.region,
    checkedAt: row.checkedAt,
  };
}

/** The domain an identity vouches for: the domain itself, or an address's domain. */
export function identityDomain(identity: string): string {
  return identity.slice(identity.lastIndexOf("@") + 1);
}

/**
 * A custom MAIL FROM domain for `identity`, or null to remove it. SES wants a subdomain of the
 * identity's domain (and one that receives no mail, which cannot be checked from here).
 */
export function checkMailFromDomain(identity: string, raw: string): string | null {
  const domain = raw.trim().toLowerCase().replace(/\.$/, "");
  if (!domain) return null;
  const parent = identityDomain(identity);
  if (!DOMAIN_NAME.test(domain)) throw new Invalid(`Enter a domain name, such as mail.${parent}.`, "invalid_mail_from", "domain");
  if (!domain.endsWith(`.${parent}`)) {
    throw new Invalid(`The MAIL FROM domain must be a subdomain of ${parent}, such as mail.${parent}.`, "invalid_mail_from", "domain");
  }
  return domain;
}

/** Whether a campaign's From (`Name <address>` or an address) sends as this identity: the address itself, or an address at the domain or below it. */
export function sendsAs(from: string, identity: string): boolean {
  const address = (parseSender(from)?.address ?? from).trim().toLowerCase();
  if (identity.includes("@")) return address === identity;
  const domain = identityDomain(address);
  return domain === identity || domain.endsWith(`.${identity}`);
}
