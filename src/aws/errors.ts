import { Invalid } from "../lib/errors";
import type { AwsKeys } from "./client";

/**
 * An AWS call that failed, as a person should read it. `message` is a sentence that says what to do
 * and never quotes AWS or the SDK (their text is about requests, not about what the person can
 * change); `detail` keeps what AWS or the SDK actually said, for the log only.
 */
export class AwsFailure extends Invalid {
  constructor(
    message: string,
    code: string,
    readonly action: string,
    readonly detail: string,
    field?: string,
  ) {
    super(message, code, field);
  }
}

/** What each call was trying to do, in words, for sentences such as "AWS refused to …". */
const DOING: Record<string, string> = {
  "ses:GetAccount": "read the account's sending status",
  "ses:ListEmailIdentities": "list the sending identities",
  "ses:GetEmailIdentity": "read the identity's verification and DKIM state",
  "ses:CreateEmailIdentity": "add the identity",
  "ses:CreateConfigurationSet": "create the configuration set",
  "ses:CreateConfigurationSetEventDestination": "point the configuration set at the SNS topic",
  "ses:UpdateConfigurationSetEventDestination": "point the configuration set at the SNS topic",
  "ses:GetConfigurationSetEventDestinations": "read back the configuration set's event destination",
  "ses:SendEmail": "send the message",
  "ses:SendBulkEmail": "send the messages",
  "ses:DeleteEmailIdentity": "delete the identity",
  "ses:PutEmailIdentityMailFromAttributes": "set the identity's MAIL FROM domain",
  "ses:ListSuppressedDestinations": "list SES's suppression list",
  "ses:GetSuppressedDestination": "look up an address on SES's suppression list",
  "ses:PutSuppressedDestination": "add an address to SES's suppression list",
  "ses:DeleteSuppressedDestination": "remove an address from SES's suppression list",
  "ses:PutAccountSuppressionAttributes": "change which events add addresses to SES's suppression list",
  "ses:ListEmailTemplates": "list the templates stored in SES",
  "ses:GetEmailTemplate": "read a template stored in SES",
  "ses:CreateEmailTemplate": "store the template in SES",
  "ses:UpdateEmailTemplate": "update the template stored in SES",
  "ses:DeleteEmailTemplate": "delete the template stored in SES",
  "ses:TestRenderEmailTemplate": "test-render the template in SES",
  "ses:PutAccountDetails": "send the production access request",
  "ses:PutAccountSendingAttributes": "turn sending on or off for the account",
  "ses:GetConfigurationSet": "read the configuration set",
  "ses:PutConfigurationSetSendingOptions": "turn sending on or off for the configuration set",
  "ses:PutConfigurationSetReputationOptions": "turn reputation metrics on or off for the configuration set",
  "ses:BatchGetMetricData": "read the Virtual Deliverability Manager metrics",
  "ses:ListRecommendations": "read the Virtual Deliverability Manager recommendations",
  "ses:PutAccountVdmAttributes": "change the Virtual Deliverability Manager settings",
  "sns:CreateTopic": "create the SNS topic",
  "sns:GetTopicAttributes": "read the SNS topic",
  "sns:Subscribe": "subscribe Sesame to the SNS topic",
  "sns:ListSubscriptionsByTopic": "read the SNS topic's subscriptions",
  "s3:ListBucket": "read the attachments bucket",
  "s3:GetObject": "read a file in the attachments bucket",
  "s3:PutObject": "store the file in the attachments bucket",
};

const TOPIC_ACTIONS = ["sns:GetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic"];

/** Error names the SDK gives an answer it could not read as one of AWS's. */
const UNREADABLE = new Set(["SyntaxError", "Unknown", "UnknownError", "DeserializationError"]);

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { statusCode?: number; headers?: Record<string, string> };
}

/** AWS's own answer, for the log: never the secret, never the whole access key ID. */
function describe(e: SdkError, keys: AwsKeys): string {
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const type = e.$response?.headers?.["content-type"];
  const parts = [
    `${e.name ?? "Error"}: ${(e.message ?? "").replace(/\s+/g, " ").trim()}`,
    e.code ? `code ${e.code}` : "",
    status ? `HTTP ${status}${type ? ` ${type}` : ""}` : "",
    e.$metadata?.requestId ? `request ${e.$metadata.requestId}` : "",
  ];
  let text = parts.filter(Boolean).join("; ");
  // Before shortening, so that no part of a key survives at the cut.
  for (const secret of [keys.secretAccessKey, keys.accessKeyId]) if (secret) text = text.split(secret).join("[redacted]");
  return text.slice(0, 500);
}

/**
 * Turns what the AWS SDK throws into one sentence a person can act on. The sentence depends on the
 * kind of failure (keys, permissions, limits, network, an answer that was not AWS's) and on what the
 * call was for; AWS's own words go to `detail`.
 */
export function awsFailure(err: unknown, context: { keys: AwsKeys; action: string }): AwsFailure {
  const e = (err ?? {}) as SdkError;
  const { action } = context;
  const region = context.keys.region;
  const doing = DOING[action] ?? `call ${action}`;
  const name = e.name ?? "";
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const fail = (message: string, code: string, field?: string) => new AwsFailure(message, code, action, describe(e, context.keys), field);

  switch (name) {
    case "UnrecognizedClientException":
    case "InvalidClientTokenId":
      return fail(
        "AWS does not recognise this access key ID: it may be mistyped, deactivated or deleted. Check it in the IAM console, or create a new access key and connect it.",
        "aws_unrecognized_key",
        "accessKeyId",
      );
    case "InvalidSignatureException":
    case "SignatureDoesNotMatch":
      return fail(
        "The secret access key does not match this access key ID. Paste the secret exactly as IAM showed it; if it is lost, create a new access key in IAM.",
        "aws_signature_mismatch",
        "secretAccessKey",
      );
    case "AccessDeniedException":
    case "AccessDenied":
    case "AuthorizationError":
    case "AuthorizationErrorException":
      return fail(
        `AWS accepted these keys but did not allow them to ${doing}. Add ${action} to the IAM user's policy (the policy on this page has everything Sesame needs) and try again.`,
        "aws_access_denied",
      );
    case "ExpiredTokenException":
    case "ExpiredToken":
      return fail("AWS says these keys have expired. Create a new access key for the IAM user and connect it.", "aws_expired");
    case "TooManyRequestsException":
    case "Throttling":
    case "ThrottlingException":
    case "ThrottledException":
      return fail("AWS is limiting how often these keys may call it. Wait a minute and try again.", "aws_throttled");
    case "LimitExceededException":
    case "TopicLimitExceeded":
    case "SubscriptionLimitExceeded":
      return fail(
        `The AWS account has reached one of its limits, so AWS would not ${doing}. Remove what you no longer use in the AWS console, or ask AWS for a higher limit.`,
        "aws_limit",
      );
    case "AlreadyExistsException":
      if (action === "ses:CreateEmailIdentity") {
        return fail("That identity is already in SES for this account and region.", "aws_already_exists", "identity");
      }
      return fail(`AWS would not ${doing} because it already exists. Reload the page to see it.`, "aws_already_exists");
    case "NotFoundException":
    case "NotFound":
      if (TOPIC_ACTIONS.includes(action)) {
        return fail(
          "These keys cannot see that SNS topic. Check the ARN, and that the topic is in the same AWS account and region as the keys.",
          "aws_not_found",
          action === "sns:GetTopicAttributes" ? "topicArn" : undefined,
        );
      }
      return fail(`AWS could not find what Sesame asked for when trying to ${doing}. Reload the page and try again.`, "aws_not_found");
    case "BadRequestException":
    case "InvalidParameterException":
    case "InvalidParameter":
    case "InvalidParameterValue":
    case "ValidationException":
      if (action === "ses:CreateEmailIdentity") {
        return fail("SES did not accept that identity. Enter an email address or a domain name that you own.", "aws_bad_request", "identity");
      }
      if (action === "ses:TestRenderEmailTemplate") {
        return fail("SES could not render the template with these values: a value the template uses may be missing, or the template itself may be broken. Check the values and try again.", "aws_bad_request");
      }
      if (action === "sns:GetTopicAttributes") {
        return fail("SNS did not accept that topic ARN. Copy the ARN from the SNS console and try again.", "aws_bad_request", "topicArn");
      }
      return fail(`AWS did not accept the request to ${doing}. Check what you entered and try again.`, "aws_bad_request");
    case "AccountSuspendedException":
    case "SendingPausedException":
      return fail("Sending is paused for this AWS account. Check its status under Settings → AWS → Account (where a workspace admin can resume it) before trying again.", "aws_sending_paused");
    case "MessageRejected":
      return fail(
        "SES refused this message. In the SES sandbox both the sender and every recipient must be verified identities; verify them, or request production access.",
        "aws_message_rejected",
      );
    case "MailFromDomainNotVerifiedException":
      return fail("The sender's custom MAIL FROM domain is not verified in SES yet. Publish its DNS records, or send from another identity.", "aws_mail_from_unverified");
  }

  if (name === "TimeoutError" || e.code === "ETIMEDOUT") {
    return fail(
      `AWS in region ${region} did not answer in time. Try again in a minute; if it keeps happening, check this server's outgoing network.`,
      "aws_timeout",
    );
  }
  if (
    ["ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "ConnectionRefused"].includes(e.code ?? "") ||
    /ConnectionRefused|getaddrinfo|Unable to connect|socket hang up/i.test(e.message ?? "")
  ) {
    return fail(
      `Sesame could not reach AWS in region ${region}. Check that this server can make outgoing HTTPS connections (firewall, proxy, DNS) and that the region is right, then try again.`,
      "aws_unreachable",
      "region",
    );
  }
  // The SDK read no AWS error from the answer: a proxy's error page, a captive portal, or bytes that
  // are not JSON or XML. Its own message ("Unrecognized token '<'", "inspect the hidden field
  // {error}.$response") is about its parser, not about anything the person can change.
  if (UNREADABLE.has(name) || /Deserialization error|parse error/i.test(e.message ?? "")) {
    return fail(
      "Sesame got an answer that did not come from AWS: a proxy or firewall between this server and AWS may have answered instead. Try again in a few minutes; if it keeps happening, check this server's outgoing network.",
      "aws_bad_response",
    );
  }
  if (e.$fault === "server" || (status !== undefined && status >= 500)) {
    return fail(`AWS had a problem on its side while trying to ${doing}. Try again in a few minutes.`, "aws_unavailable");
  }
  return fail(
    `AWS refused to ${doing} for a reason Sesame does not recognise. Try again; if it keeps failing, the server log has AWS's exact answer.`,
    "aws_error",
  );
}

/** A successful answer that lacks what every real AWS answer has: treated like an unreadable one. */
export function unreadableAnswer(keys: AwsKeys, action: string, missing: string, answer: { $metadata?: SdkError["$metadata"] }): AwsFailure {
  const err = Object.assign(new Error(`Deserialization error: the answer has no ${missing}`), { name: "DeserializationError", $metadata: answer.$metadata });
  return awsFailure(err, { keys, action });
}
