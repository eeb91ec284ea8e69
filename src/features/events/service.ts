import { confirmSubscription, parseSnsMessage, verifySnsMessage } from "../../aws/sns-verify";
import { transaction } from "../../db/client";
import type { Deps } from "../../deps";
import { Forbidden } from "../../lib/errors";
import { addSuppressions } from "../suppressions/queries";
import { sesEventRecords } from "./model";
import { findWorkspacesByTopic, insertEvents, markSubscription, setContactsStatus } from "./queries";

export type SnsOutcome = "confirmed" | "unsubscribed" | "recorded" | "duplicate" | "ignored";

/**
 * One SNS delivery to /sns/notifications. The topic must be one a workspace registered and the
 * signature must verify before anything else happens; SES events then land in `events` (and hard
 * bounces and complaints in `suppressions`) in one transaction. SNS delivers late, twice and out of
 * order: every write is keyed by the SNS MessageId, so a redelivery changes nothing.
 */
export async function receiveSnsDelivery(deps: Deps, body: string): Promise<{ outcome: SnsOutcome; events: number }> {
  const message = parseSnsMessage(body);
  const workspaces = await findWorkspacesByTopic(deps.db, message.TopicArn);
  if (workspaces.length === 0) throw new Forbidden("This SNS topic is not registered with any workspace.", "sns_unknown_topic");
  await verifySnsMessage(deps.config, message);
  const ids = workspaces.map((w) => w.id);

  if (message.Type === "SubscriptionConfirmation") {
    const arn = await confirmSubscription(deps.config, message);
    await markSubscription(deps.db, ids, "confirmed", arn);
    deps.log.info("SNS subscription confirmed", { topicArn: message.TopicArn });
    return { outcome: "confirmed", events: 0 };
  }
  if (message.Type === "UnsubscribeConfirmation") {
    await markSubscription(deps.db, ids, "none", null);
    return { outcome: "unsubscribed", events: 0 };
  }

  const records = sesEventRecords(message.Message);
  if (!records || records.length === 0) return { outcome: "ignored", events: 0 };
  // One topic may serve several workspaces (same AWS account): the configuration set names the
  // sender. An event no workspace's configuration set claims goes nowhere rather than to a guess.
  const workspaceId =
    workspaces.find((w) => w.configurationSet && w.configurationSet === records[0]!.configurationSet)?.id ?? (workspaces.length === 1 ? workspaces[0]!.id : null);
  if (!workspaceId) {
    deps.log.warn("SES event for a shared topic matches no workspace's configuration set", { topicArn: message.TopicArn });
    return { outcome: "ignored", events: 0 };
  }
  const now = deps.clock.now();

  const created = await transaction(deps.db, async (tx) => {
    const count = await insertEvents(
      tx,
      records.map((r) => ({ workspaceId, type: r.type, sourceId: `sns:${message.MessageId}:${r.email}`, email: r.email, at: r.at, detail: r.detail })),
    );
    const suppressed = records.filter((r) => r.suppress);
    await addSuppressions(
      tx,
      suppressed.map((r) => ({ workspaceId, email: r.email, reason: r.suppress!, source: `ses:${r.messageId}`, createdAt: now })),
    );
    await setContactsStatus(tx, workspaceId, suppressed.filter((r) => r.suppress === "hard_bounce").map((r) => r.email), "bounced", now);
    await setContactsStatus(tx, workspaceId, suppressed.filter((r) => r.suppress === "complaint").map((r) => r.email), "complained", now);
    return count;
  });
  return { outcome: created === 0 ? "duplicate" : "recorded", events: created };
}
