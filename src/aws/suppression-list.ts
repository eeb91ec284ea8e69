import {
  DeleteSuppressedDestinationCommand,
  GetSuppressedDestinationCommand,
  ListSuppressedDestinationsCommand,
  PutAccountSuppressionAttributesCommand,
  PutSuppressedDestinationCommand,
  type SESv2Client,
} from "@aws-sdk/client-sesv2";
import { createHash } from "node:crypto";
import type { Config } from "../config";
import { callAws, type AwsKeys } from "./client";
import { AwsFailure, awsFailure, unreadableAnswer } from "./errors";
import { sesClient } from "./ses";

/** Why SES put an address on the account's suppression list (SuppressionListReason). */
export type SesSuppressionReason = "BOUNCE" | "COMPLAINT";

export const SES_SUPPRESSION_REASONS: SesSuppressionReason[] = ["BOUNCE", "COMPLAINT"];

export interface SuppressedDestination {
  email: string;
  reason: SesSuppressionReason;
  lastUpdate: Date;
}

/**
 * Which suppression list these keys reach: SES keeps one per account and region. The account is not
 * known without another call, so the access key ID stands for it, hashed (never stored as it is);
 * other keys of the same account read as another list, which costs a push sent again, never a miss.
 */
export function sesListTarget(keys: AwsKeys): string {
  return `${keys.region}:${createHash("sha256").update(keys.accessKeyId).digest("hex").slice(0, 16)}`;
}

/** One client for a run of calls (a push makes thousands), with the keys its failures are told with. */
export interface SesSession {
  client: SESv2Client;
  keys: AwsKeys;
}

export function sesSession(config: Config, keys: AwsKeys): SesSession {
  return { client: sesClient(config, keys), keys };
}

export const isSesSuppressionReason = (r: unknown): r is SesSuppressionReason => SES_SUPPRESSION_REASONS.includes(r as SesSuppressionReason);

function destination(keys: AwsKeys, action: string, item: { EmailAddress?: string; Reason?: string; LastUpdateTime?: Date } | undefined): SuppressedDestination {
  if (!item?.EmailAddress || !isSesSuppressionReason(item.Reason)) throw unreadableAnswer(keys, action, "EmailAddress and Reason", {});
  return { email: item.EmailAddress, reason: item.Reason, lastUpdate: item.LastUpdateTime ?? new Date(0) };
}

/** One page of the account's suppression list (PageSize at most 1,000, SES's own limit). */
export async function listSuppressed(
  ses: SesSession,
  options: { reasons?: SesSuppressionReason[]; startDate?: Date; endDate?: Date; nextToken?: string; pageSize: number },
): Promise<{ items: SuppressedDestination[]; nextToken: string | null }> {
  const action = "ses:ListSuppressedDestinations";
  const out = await callAws(ses.keys, action, () =>
    ses.client.send(
      new ListSuppressedDestinationsCommand({
        ...(options.reasons?.length ? { Reasons: options.reasons } : {}),
        ...(options.startDate ? { StartDate: options.startDate } : {}),
        ...(options.endDate ? { EndDate: options.endDate } : {}),
        ...(options.nextToken ? { NextToken: options.nextToken } : {}),
        PageSize: Math.min(1000, Math.max(1, options.pageSize)),
      }),
    ),
  );
  // Every real answer has the list, empty or not: a 200 without it came from something else.
  if (!out.SuppressedDestinationSummaries) throw unreadableAnswer(ses.keys, action, "SuppressedDestinationSummaries", out);
  return { items: out.SuppressedDestinationSummaries.map((item) => destination(ses.keys, action, item)), nextToken: out.NextToken || null };
}

/**
 * The tokens a paging loop has been given, starting with the one it began from: SES handing back one
 * it gave before would otherwise send the loop round for ever. Returns the token to go on with.
 */
export function tokenTrail(first?: string | null): (token: string | null) => string | null {
  const seen = new Set<string>(first ? [first] : []);
  return (token) => {
    if (token === null) return null;
    if (seen.has(token)) {
      throw new AwsFailure(
        "SES gave back a page of its suppression list that Sesame had already read, so Sesame stopped reading rather than go round in a loop. Try again in a few minutes.",
        "aws_paging_loop",
        "ses:ListSuppressedDestinations",
        "ListSuppressedDestinations answered a NextToken it had already given",
      );
    }
    seen.add(token);
    return token;
  };
}

/** One address on the list, or null when SES does not have it (SES answers NotFound for that). */
export async function getSuppressed(ses: SesSession, email: string): Promise<SuppressedDestination | null> {
  const action = "ses:GetSuppressedDestination";
  let out;
  try {
    out = await ses.client.send(new GetSuppressedDestinationCommand({ EmailAddress: email }));
  } catch (err) {
    if ((err as Error).name === "NotFoundException") return null;
    throw awsFailure(err, { keys: ses.keys, action });
  }
  return destination(ses.keys, action, out.SuppressedDestination);
}

/** Adds an address (or changes its reason); SES answers the same whether or not it was there. */
export async function putSuppressed(ses: SesSession, email: string, reason: SesSuppressionReason): Promise<void> {
  await callAws(ses.keys, "ses:PutSuppressedDestination", () => ses.client.send(new PutSuppressedDestinationCommand({ EmailAddress: email, Reason: reason })));
}

/** Removes an address; false when SES did not have it. */
export async function deleteSuppressed(ses: SesSession, email: string): Promise<boolean> {
  try {
    await ses.client.send(new DeleteSuppressedDestinationCommand({ EmailAddress: email }));
    return true;
  } catch (err) {
    if ((err as Error).name === "NotFoundException") return false;
    throw awsFailure(err, { keys: ses.keys, action: "ses:DeleteSuppressedDestination" });
  }
}

/** Which events make SES add an address to the account's list on its own (SuppressionAttributes). */
export async function putSuppressionAttributes(ses: SesSession, reasons: SesSuppressionReason[]): Promise<void> {
  await callAws(ses.keys, "ses:PutAccountSuppressionAttributes", () =>
    ses.client.send(new PutAccountSuppressionAttributesCommand({ SuppressedReasons: reasons })),
  );
}
