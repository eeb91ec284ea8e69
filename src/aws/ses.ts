import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  GetAccountCommand,
  GetConfigurationSetEventDestinationsCommand,
  SendBulkEmailCommand,
  SendEmailCommand,
  SESv2Client,
  UpdateConfigurationSetEventDestinationCommand,
  type EventType,
} from "@aws-sdk/client-sesv2";
import type { Config } from "../config";
import { callAws as call, clientConfig, type AwsKeys } from "./client";
import { awsFailure, unreadableAnswer } from "./errors";

export type { AwsKeys };

export interface AccountStatus {
  sendingEnabled: boolean;
  productionAccess: boolean;
  enforcementStatus: string;
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
  /** Which events add an address to SES's account-level suppression list (SuppressionAttributes). */
  suppressedReasons: ("BOUNCE" | "COMPLAINT")[];
  /** Virtual Deliverability Manager is on for the account (VdmAttributes.VdmEnabled). */
  vdmEnabled: boolean;
  /** The production-access request as SES keeps it (Details), when one was made. */
  details: {
    mailType: string | null;
    websiteUrl: string | null;
    contactLanguage: string | null;
    useCaseDescription: string | null;
    additionalContactEmails: string[];
    reviewStatus: string | null;
    reviewCaseId: string | null;
  } | null;
}

export const EVENT_TYPES: EventType[] = ["SEND", "DELIVERY", "BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY", "RENDERING_FAILURE"];

export function sesClient(config: Config, keys: AwsKeys): SESv2Client {
  return new SESv2Client(clientConfig(keys, config.sesEndpoint));
}

export async function getAccount(config: Config, keys: AwsKeys): Promise<AccountStatus> {
  const out = await call(keys, "ses:GetAccount", () => sesClient(config, keys).send(new GetAccountCommand({})));
  // A captive portal or proxy can answer 200 with an empty page; every real answer has the quota.
  if (!out.SendQuota) throw unreadableAnswer(keys, "ses:GetAccount", "SendQuota", out);
  return {
    sendingEnabled: out.SendingEnabled ?? false,
    productionAccess: out.ProductionAccessEnabled ?? false,
    enforcementStatus: out.EnforcementStatus ?? "UNKNOWN",
    maxSendRate: out.SendQuota?.MaxSendRate ?? 0,
    max24HourSend: out.SendQuota?.Max24HourSend ?? 0,
    sentLast24Hours: out.SendQuota?.SentLast24Hours ?? 0,
    suppressedReasons: (out.SuppressionAttributes?.SuppressedReasons ?? []).filter((r): r is "BOUNCE" | "COMPLAINT" => r === "BOUNCE" || r === "COMPLAINT"),
    vdmEnabled: out.VdmAttributes?.VdmEnabled === "ENABLED",
    details: out.Details
      ? {
          mailType: out.Details.MailType ?? null,
          websiteUrl: out.Details.WebsiteURL ?? null,
          contactLanguage: out.Details.ContactLanguage ?? null,
          useCaseDescription: out.Details.UseCaseDescription ?? null,
          additionalContactEmails: out.Details.AdditionalContactEmailAddresses ?? [],
          reviewStatus: out.Details.ReviewDetails?.Status ?? null,
          reviewCaseId: out.Details.ReviewDetails?.CaseId ?? null,
        }
      : null,
  };
}

/**
 * Creates the configuration set and points its SNS event destination at `topicArn`; running it again
 * changes nothing. These writes answer with an empty body, which the SDK does not read, so a proxy's
 * or portal's 200 page would pass for success: the destination is read back before it counts as done.
 */
export async function ensureEventDestination(config: Config, keys: AwsKeys, configurationSet: string, topicArn: string): Promise<void> {
  const client = sesClient(config, keys);
  try {
    await client.send(new CreateConfigurationSetCommand({ ConfigurationSetName: configurationSet }));
  } catch (err) {
    if ((err as Error).name !== "AlreadyExistsException") throw awsFailure(err, { keys, action: "ses:CreateConfigurationSet" });
  }
  const destination = {
    ConfigurationSetName: configurationSet,
    EventDestinationName: "sesame-sns",
    EventDestination: { Enabled: true, MatchingEventTypes: EVENT_TYPES, SnsDestination: { TopicArn: topicArn } },
  };
  let wrote = "ses:CreateConfigurationSetEventDestination";
  try {
    await client.send(new CreateConfigurationSetEventDestinationCommand(destination));
  } catch (err) {
    // The set was created a moment ago: if AWS has no such set, it was not AWS that said so.
    if ((err as Error).name === "NotFoundException") throw unreadableAnswer(keys, "ses:CreateConfigurationSet", "configuration set it reported created", {});
    if ((err as Error).name !== "AlreadyExistsException") throw awsFailure(err, { keys, action: wrote });
    wrote = "ses:UpdateConfigurationSetEventDestination";
    await call(keys, wrote, () => client.send(new UpdateConfigurationSetEventDestinationCommand(destination)));
  }
  const read = await call(keys, "ses:GetConfigurationSetEventDestinations", () =>
    client.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: configurationSet })),
  );
  const written = read.EventDestinations?.find((d) => d.Name === "sesame-sns");
  if (!written?.Enabled || written.SnsDestination?.TopicArn !== topicArn) throw unreadableAnswer(keys, wrote, "event destination it reported written", {});
}

/** A file that goes out with a message (SES v2 `Content.Simple.Attachments`); the SDK base64-encodes it. */
export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: { name: string; value: string }[];
  configurationSet: string | null;
  replyTo?: string | null;
  /** SES message tags, so SES events map back to the workspace, campaign and recipient. */
  tags?: { name: string; value: string }[];
  attachments?: OutgoingAttachment[];
}

function attachmentsOf(message: OutgoingMessage) {
  if (!message.attachments?.length) return {};
  return {
    Attachments: message.attachments.map((a) => ({
      FileName: a.filename,
      ContentType: a.contentType,
      ContentDisposition: "ATTACHMENT" as const,
      ContentTransferEncoding: "BASE64" as const,
      RawContent: a.content,
    })),
  };
}

/** One message through SES SendEmail (simple content, custom headers); returns SES's message id. */
export async function sendEmail(config: Config, keys: AwsKeys, message: OutgoingMessage): Promise<string> {
  const out = await call(keys, "ses:SendEmail", () =>
    sesClient(config, keys).send(
      new SendEmailCommand({
        FromEmailAddress: message.from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: "UTF-8" },
            Body: { Html: { Data: message.html, Charset: "UTF-8" }, Text: { Data: message.text, Charset: "UTF-8" } },
            Headers: message.headers.map((h) => ({ Name: h.name, Value: h.value })),
            ...attachmentsOf(message),
          },
        },
        ...(message.configurationSet ? { ConfigurationSetName: message.configurationSet } : {}),
      }),
    ),
  );
  if (!out.MessageId) throw unreadableAnswer(keys, "ses:SendEmail", "MessageId", out);
  return out.MessageId;
}

function simpleMessage(message: OutgoingMessage) {
  return new SendEmailCommand({
    FromEmailAddress: message.from,
    Destination: { ToAddresses: [message.to] },
    ...(message.replyTo ? { ReplyToAddresses: [message.replyTo] } : {}),
    Content: {
      Simple: {
        Subject: { Data: message.subject, Charset: "UTF-8" },
        Body: { Html: { Data: message.html, Charset: "UTF-8" }, Text: { Data: message.text, Charset: "UTF-8" } },
        Headers: message.headers.map((h) => ({ Name: h.name, Value: h.value })),
        ...attachmentsOf(message),
      },
    },
    ...(message.tags?.length ? { EmailTags: message.tags.map((t) => ({ Name: t.name, Value: t.value })) } : {}),
    ...(message.configurationSet ? { ConfigurationSetName: message.configurationSet } : {}),
  });
}

/** One campaign mail; the SDK's own error is thrown as it is, for the sender to classify. */
export async function sendCampaignEmail(client: SESv2Client, message: OutgoingMessage): Promise<string> {
  const out = await client.send(simpleMessage(message));
  if (!out.MessageId) throw Object.assign(new Error("The answer has no MessageId"), { name: "DeserializationError" });
  return out.MessageId;
}

export interface BulkTemplate {
  from: string;
  replyTo: string | null;
  subject: string;
  html: string;
  text: string;
  configurationSet: string | null;
}

export interface BulkDestination {
  to: string;
  /** JSON object of the destination's values, already escaped where they land in HTML. */
  replacementData: string;
  headers: { name: string; value: string }[];
  tags: { name: string; value: string }[];
}

/** What SES said of one destination of a SendBulkEmail call. */
export type BulkResult = { ok: true; messageId: string } | { ok: false; status: string; error: string };

/** Up to 50 destinations of one inline template in one SendBulkEmail call; results in destination order. */
export async function sendBulkEmail(client: SESv2Client, template: BulkTemplate, destinations: BulkDestination[]): Promise<BulkResult[]> {
  const out = await client.send(
    new SendBulkEmailCommand({
      FromEmailAddress: template.from,
      ...(template.replyTo ? { ReplyToAddresses: [template.replyTo] } : {}),
      DefaultContent: { Template: { TemplateContent: { Subject: template.subject, Html: template.html, Text: template.text }, TemplateData: "{}" } },
      BulkEmailEntries: destinations.map((d) => ({
        Destination: { ToAddresses: [d.to] },
        ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: d.replacementData } },
        ReplacementHeaders: d.headers.map((h) => ({ Name: h.name, Value: h.value })),
        ReplacementTags: d.tags.map((t) => ({ Name: t.name, Value: t.value })),
      })),
      ...(template.configurationSet ? { ConfigurationSetName: template.configurationSet } : {}),
    }),
  );
  const results = out.BulkEmailEntryResults ?? [];
  if (results.length !== destinations.length) {
    throw Object.assign(new Error(`The answer has ${results.length} results for ${destinations.length} destinations`), { name: "DeserializationError" });
  }
  return results.map((r) =>
    r.Status === "SUCCESS" && r.MessageId ? { ok: true as const, messageId: r.MessageId } : { ok: false as const, status: r.Status ?? "FAILED", error: r.Error ?? "" },
  );
}
