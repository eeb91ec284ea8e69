import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailIdentityCommand,
  GetAccountCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  ListEmailIdentitiesCommand,
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
}

export interface Identity {
  name: string;
  type: "EMAIL_ADDRESS" | "DOMAIN" | "MANAGED_DOMAIN";
  verificationStatus: string;
  sendingEnabled: boolean;
  dkimStatus: string | null;
  /** DNS records to publish while a domain is not verified yet. */
  dnsRecords: { type: "CNAME"; name: string; value: string }[];
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
  };
}

function dkimRecords(domain: string, tokens: string[] | undefined): Identity["dnsRecords"] {
  return (tokens ?? []).map((token) => ({ type: "CNAME" as const, name: `${token}._domainkey.${domain}`, value: `${token}.dkim.amazonses.com` }));
}

/** Every identity with its verification and DKIM state; domains are read one by one for their DKIM tokens. */
export async function listIdentities(config: Config, keys: AwsKeys): Promise<Identity[]> {
  const client = sesClient(config, keys);
  const identities: Identity[] = [];
  let token: string | undefined;
  do {
    const page = await call(keys, "ses:ListEmailIdentities", () => client.send(new ListEmailIdentitiesCommand({ NextToken: token, PageSize: 100 })));
    for (const item of page.EmailIdentities ?? []) {
      identities.push({
        name: item.IdentityName ?? "",
        type: (item.IdentityType ?? "EMAIL_ADDRESS") as Identity["type"],
        verificationStatus: item.VerificationStatus ?? "NOT_STARTED",
        sendingEnabled: item.SendingEnabled ?? false,
        dkimStatus: null,
        dnsRecords: [],
      });
    }
    token = page.NextToken;
  } while (token && identities.length < 1000);

  for (const identity of identities.filter((i) => i.type === "DOMAIN").slice(0, 50)) {
    const detail = await call(keys, "ses:GetEmailIdentity", () => client.send(new GetEmailIdentityCommand({ EmailIdentity: identity.name })));
    identity.dkimStatus = detail.DkimAttributes?.Status ?? null;
    if (detail.DkimAttributes?.Status !== "SUCCESS") identity.dnsRecords = dkimRecords(identity.name, detail.DkimAttributes?.Tokens);
  }
  return identities;
}

export async function createIdentity(config: Config, keys: AwsKeys, name: string): Promise<Identity> {
  const out = await call(keys, "ses:CreateEmailIdentity", () =>
    sesClient(config, keys).send(new CreateEmailIdentityCommand({ EmailIdentity: name })),
  );
  const type = (out.IdentityType ?? (name.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN")) as Identity["type"];
  return {
    name,
    type,
    verificationStatus: out.VerifiedForSendingStatus ? "SUCCESS" : "PENDING",
    sendingEnabled: out.VerifiedForSendingStatus ?? false,
    dkimStatus: out.DkimAttributes?.Status ?? null,
    dnsRecords: type === "DOMAIN" ? dkimRecords(name, out.DkimAttributes?.Tokens) : [],
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

export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: { name: string; value: string }[];
  configurationSet: string | null;
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
          },
        },
        ...(message.configurationSet ? { ConfigurationSetName: message.configurationSet } : {}),
      }),
    ),
  );
  if (!out.MessageId) throw unreadableAnswer(keys, "ses:SendEmail", "MessageId", out);
  return out.MessageId;
}
