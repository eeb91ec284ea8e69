import { Invalid } from "../lib/errors";

/**
 * Turns what the AWS SDK throws into one sentence a person can act on. AWS's own message is quoted
 * (it names the problem, never the secret); stacks, request ids and signatures are not.
 */
export function awsFailure(err: unknown, context: { region: string; action: string }): Invalid {
  const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? "";
  const said = e?.message ? ` AWS said: "${e.message.slice(0, 240).replace(/\s+/g, " ").trim()}"` : "";
  switch (name) {
    case "UnrecognizedClientException":
    case "InvalidClientTokenId":
      return new Invalid(`AWS does not recognise this access key ID.${said}`, "aws_unrecognized_key", "accessKeyId");
    case "InvalidSignatureException":
    case "SignatureDoesNotMatch":
      return new Invalid(`The secret access key does not match this access key ID.${said}`, "aws_signature_mismatch", "secretAccessKey");
    case "AccessDeniedException":
    case "AccessDenied":
    case "AuthorizationError":
    case "AuthorizationErrorException":
      return new Invalid(
        `These keys are valid but may not call ${context.action}; attach the IAM policy shown on the AWS settings page.${said}`,
        "aws_access_denied",
      );
    case "ExpiredTokenException":
    case "ExpiredToken":
      return new Invalid(`These credentials have expired; create new keys in IAM.${said}`, "aws_expired");
    case "TooManyRequestsException":
    case "Throttling":
    case "ThrottlingException":
      return new Invalid(`AWS is throttling requests right now; try again in a minute.${said}`, "aws_throttled");
    case "NotFoundException":
      return new Invalid(`AWS could not find what ${context.action} asked for.${said}`, "aws_not_found");
    case "BadRequestException":
    case "InvalidParameterException":
    case "InvalidParameterValue":
      return new Invalid(`AWS refused ${context.action}.${said}`, "aws_bad_request");
  }
  if (["ENOTFOUND", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"].includes(e?.code ?? "") || name === "TimeoutError" || /ConnectionRefused|getaddrinfo|Unable to connect/i.test(e?.message ?? "")) {
    return new Invalid(`Sesame could not reach AWS in region ${context.region}; check the region and this server's network.`, "aws_unreachable", "region");
  }
  return new Invalid(`AWS refused ${context.action}${name ? ` (${name})` : ""}.${said}`, "aws_error");
}
