import { isSesRegion } from "../../aws/regions";
import type { Identity } from "../../aws/identities";
import type { AccountStatus } from "../../aws/ses";
import type { SubscriptionState } from "../../aws/sns";
import { Invalid } from "../../lib/errors";

export interface ConnectInput {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  save: boolean;
}

export type AwsStatus =
  | { connected: false }
  | {
      connected: true;
      region: string;
      /** Masked: the first four and last four characters. */
      accessKeyId: string;
      saved: boolean;
      account: AccountStatus | null;
      /** Set when AWS refused the live status call (keys revoked, network down). */
      error?: string;
      code?: string;
    };

export interface EventsStatus {
  configurationSet: string | null;
  topicArn: string | null;
  subscription: { state: SubscriptionState; endpoint: string; problem: string | null };
}

export type { Identity };

export function maskAccessKeyId(id: string): string {
  return `${id.slice(0, 4)}…${id.slice(-4)}`;
}

export function checkConnectInput(input: ConnectInput): ConnectInput {
  const accessKeyId = input.accessKeyId.trim();
  const secretAccessKey = input.secretAccessKey.trim();
  if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId)) {
    throw new Invalid("An access key ID is 16 to 128 capital letters and digits, like AKIAIOSFODNN7EXAMPLE.", "invalid_access_key_id", "accessKeyId");
  }
  if (accessKeyId.startsWith("ASIA")) {
    throw new Invalid("Temporary keys (ASIA…) expire and need a session token; create an access key for an IAM user (AKIA…) instead.", "temporary_key", "accessKeyId");
  }
  if (secretAccessKey.length < 16 || secretAccessKey.length > 128 || /\s/.test(secretAccessKey)) {
    throw new Invalid("The secret access key should be the 40-character secret IAM showed when the key was created.", "invalid_secret", "secretAccessKey");
  }
  if (!isSesRegion(input.region)) throw new Invalid("Choose one of the regions where SES runs.", "invalid_region", "region");
  return { accessKeyId, secretAccessKey, region: input.region, save: input.save };
}

/** A lower-case domain name of two labels or more: an identity's, or a custom MAIL FROM domain. */
export const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** SES identities are an email address or a domain name. */
export function checkIdentityName(raw: string): string {
  const name = raw.trim().toLowerCase();
  const at = name.lastIndexOf("@");
  if (at > 0 ? DOMAIN_NAME.test(name.slice(at + 1)) && !/\s/.test(name) : DOMAIN_NAME.test(name)) return name;
  throw new Invalid("Enter an email address (you@example.com) or a domain (example.com).", "invalid_identity", "identity");
}

/**
 * Why SNS could not deliver to PUBLIC_URL, or null when it can. SNS needs an HTTPS address it can
 * reach from the internet; localhost, private networks and plain http are none of those.
 */
export function publicUrlProblem(publicUrl: URL): string | null {
  const host = publicUrl.hostname.replace(/^\[|\]$/g, "");
  const privateHost =
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal") ||
    /^127\./.test(host) ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^169\.254\./.test(host) ||
    host === "::1" ||
    /^f[cd]/i.test(host) ||
    host === "0.0.0.0" ||
    !host.includes(".") && !host.includes(":");
  if (privateHost) {
    return `PUBLIC_URL is ${publicUrl.origin}, which AWS cannot reach from the internet, so SNS could never deliver bounces and complaints. Set PUBLIC_URL to this server's public https:// address and run the set-up again.`;
  }
  if (publicUrl.protocol !== "https:") {
    return `PUBLIC_URL is ${publicUrl.origin}: SNS delivers events only to an https:// address. Put Sesame behind TLS, set PUBLIC_URL to its https:// address and run the set-up again.`;
  }
  return null;
}

export function configurationSetName(workspaceId: string): string {
  return `sesame-${workspaceId}`;
}

/** The least Sesame needs from IAM, ready to paste into a policy. */
export const IAM_POLICY = JSON.stringify(
  {
    Version: "2012-10-17",
    Statement: [
      { Sid: "SesameSend", Effect: "Allow", Action: ["ses:SendEmail", "ses:SendBulkEmail"], Resource: "*" },
      {
        Sid: "SesameAccount",
        Effect: "Allow",
        Action: ["ses:GetAccount", "ses:PutAccountDetails", "ses:PutAccountSendingAttributes", "ses:PutAccountSuppressionAttributes"],
        Resource: "*",
      },
      {
        Sid: "SesameIdentities",
        Effect: "Allow",
        Action: [
          "ses:ListEmailIdentities",
          "ses:GetEmailIdentity",
          "ses:CreateEmailIdentity",
          "ses:DeleteEmailIdentity",
          "ses:PutEmailIdentityMailFromAttributes",
        ],
        Resource: "*",
      },
      {
        Sid: "SesameSuppressionList",
        Effect: "Allow",
        Action: ["ses:ListSuppressedDestinations", "ses:GetSuppressedDestination", "ses:PutSuppressedDestination", "ses:DeleteSuppressedDestination"],
        Resource: "*",
      },
      {
        Sid: "SesameTemplates",
        Effect: "Allow",
        Action: [
          "ses:ListEmailTemplates",
          "ses:GetEmailTemplate",
          "ses:CreateEmailTemplate",
          "ses:UpdateEmailTemplate",
          "ses:DeleteEmailTemplate",
          "ses:TestRenderEmailTemplate",
        ],
        Resource: "*",
      },
      {
        Sid: "SesameConfigurationSet",
        Effect: "Allow",
        Action: [
          "ses:CreateConfigurationSet",
          "ses:GetConfigurationSet",
          "ses:CreateConfigurationSetEventDestination",
          "ses:UpdateConfigurationSetEventDestination",
          "ses:GetConfigurationSetEventDestinations",
          "ses:PutConfigurationSetSendingOptions",
          "ses:PutConfigurationSetReputationOptions",
        ],
        Resource: "*",
      },
      { Sid: "SesameDeliverability", Effect: "Allow", Action: ["ses:BatchGetMetricData", "ses:ListRecommendations", "ses:PutAccountVdmAttributes"], Resource: "*" },
      { Sid: "SesameTopic", Effect: "Allow", Action: ["sns:CreateTopic"], Resource: "arn:aws:sns:*:*:sesame-*" },
      { Sid: "SesameSubscription", Effect: "Allow", Action: ["sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:GetTopicAttributes"], Resource: "*" },
      // Attachments live in a bucket the workspace names; narrow Resource to arn:aws:s3:::<bucket> and arn:aws:s3:::<bucket>/* if you like.
      { Sid: "SesameAttachments", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetObject", "s3:PutObject"], Resource: "*" },
    ],
  },
  null,
  2,
);
