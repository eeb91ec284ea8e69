import { CreateTopicCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { Config } from "../config";
import { callAws as call, clientConfig, type AwsKeys } from "./client";
import { unreadableAnswer } from "./errors";

export type SubscriptionState = "pending" | "confirmed" | "none";

function snsClient(config: Config, keys: AwsKeys): SNSClient {
  return new SNSClient(clientConfig(keys, config.snsEndpoint));
}

/*
 * SNS answers in XML, and the SDK reads an HTML page with status 200 as an answer with no fields.
 * Each call therefore checks for the field every real answer has.
 */

/** CreateTopic is idempotent in SNS: the same name returns the same topic. */
export async function ensureTopic(config: Config, keys: AwsKeys, name: string): Promise<string> {
  const out = await call(keys, "sns:CreateTopic", () => snsClient(config, keys).send(new CreateTopicCommand({ Name: name })));
  if (!out.TopicArn) throw unreadableAnswer(keys, "sns:CreateTopic", "TopicArn", out);
  return out.TopicArn;
}

/** Refuses a topic these keys cannot see (another account's, or one that does not exist). */
export async function requireTopic(config: Config, keys: AwsKeys, topicArn: string): Promise<void> {
  const out = await call(keys, "sns:GetTopicAttributes", () => snsClient(config, keys).send(new GetTopicAttributesCommand({ TopicArn: topicArn })));
  if (!out.Attributes) throw unreadableAnswer(keys, "sns:GetTopicAttributes", "Attributes", out);
}

/** Subscribe is idempotent too: the same topic, protocol and endpoint give back the existing subscription. */
export async function subscribeHttps(config: Config, keys: AwsKeys, topicArn: string, endpoint: string): Promise<void> {
  const out = await call(keys, "sns:Subscribe", () =>
    snsClient(config, keys).send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "https", Endpoint: endpoint, ReturnSubscriptionArn: true })),
  );
  if (!out.SubscriptionArn) throw unreadableAnswer(keys, "sns:Subscribe", "SubscriptionArn", out);
}

export async function subscriptionState(config: Config, keys: AwsKeys, topicArn: string, endpoint: string): Promise<{ state: SubscriptionState; arn: string | null }> {
  const client = snsClient(config, keys);
  let token: string | undefined;
  do {
    const page = await call(keys, "sns:ListSubscriptionsByTopic", () => client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token })));
    // SNS always sends the list, empty or not; its absence means something else answered.
    if (!page.Subscriptions) throw unreadableAnswer(keys, "sns:ListSubscriptionsByTopic", "Subscriptions", page);
    const mine = page.Subscriptions?.find((s) => s.Endpoint === endpoint);
    if (mine) {
      const pending = !mine.SubscriptionArn || mine.SubscriptionArn === "PendingConfirmation";
      return { state: pending ? "pending" : "confirmed", arn: pending ? null : mine.SubscriptionArn! };
    }
    token = page.NextToken;
  } while (token);
  return { state: "none", arn: null };
}
