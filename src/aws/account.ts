import {
  BatchGetMetricDataCommand,
  GetAccountCommand,
  GetConfigurationSetCommand,
  ListRecommendationsCommand,
  PutAccountDetailsCommand,
  PutAccountSendingAttributesCommand,
  PutAccountVdmAttributesCommand,
  PutConfigurationSetReputationOptionsCommand,
  PutConfigurationSetSendingOptionsCommand,
  SESv2Client,
  type Metric,
} from "@aws-sdk/client-sesv2";
import type { Config } from "../config";
import { callAws as call, clientConfig, type AwsKeys } from "./client";
import { AwsFailure, awsFailure } from "./errors";
import { SES_REGIONS } from "./regions";
import { sesClient } from "./ses";

/** What the production-access request sends (PutAccountDetails). */
export interface ProductionAccessRequest {
  mailType: "MARKETING" | "TRANSACTIONAL";
  websiteUrl: string;
  useCaseDescription: string;
  contactLanguage: "EN" | "JA";
  additionalContactEmails: string[];
}

/** Asks AWS to move the account out of the sandbox in the keys' region; AWS reviews it as a support case. */
export async function putAccountDetails(config: Config, keys: AwsKeys, request: ProductionAccessRequest): Promise<void> {
  await call(keys, "ses:PutAccountDetails", () =>
    sesClient(config, keys).send(
      new PutAccountDetailsCommand({
        MailType: request.mailType,
        WebsiteURL: request.websiteUrl,
        UseCaseDescription: request.useCaseDescription,
        ContactLanguage: request.contactLanguage,
        ...(request.additionalContactEmails.length ? { AdditionalContactEmailAddresses: request.additionalContactEmails } : {}),
        ProductionAccessEnabled: true,
      }),
    ),
  );
}

export async function putAccountSending(config: Config, keys: AwsKeys, enabled: boolean): Promise<void> {
  await call(keys, "ses:PutAccountSendingAttributes", () => sesClient(config, keys).send(new PutAccountSendingAttributesCommand({ SendingEnabled: enabled })));
}

/** What Sesame reads of a configuration set besides its event destinations. */
export interface ConfigurationSetOptions {
  name: string;
  sendingEnabled: boolean;
  reputationMetricsEnabled: boolean;
  /** When SES last gave the set's reputation metrics a fresh start. */
  lastFreshStart: Date | null;
}

export async function getConfigurationSet(config: Config, keys: AwsKeys, name: string): Promise<ConfigurationSetOptions> {
  const out = await call(keys, "ses:GetConfigurationSet", () => sesClient(config, keys).send(new GetConfigurationSetCommand({ ConfigurationSetName: name })));
  return {
    name: out.ConfigurationSetName ?? name,
    // SES leaves SendingOptions out of sets that were never paused: sending is on by default.
    sendingEnabled: out.SendingOptions?.SendingEnabled ?? true,
    reputationMetricsEnabled: out.ReputationOptions?.ReputationMetricsEnabled ?? false,
    lastFreshStart: out.ReputationOptions?.LastFreshStart ?? null,
  };
}

export async function putConfigurationSetSending(config: Config, keys: AwsKeys, name: string, enabled: boolean): Promise<void> {
  await call(keys, "ses:PutConfigurationSetSendingOptions", () =>
    sesClient(config, keys).send(new PutConfigurationSetSendingOptionsCommand({ ConfigurationSetName: name, SendingEnabled: enabled })),
  );
}

export async function putConfigurationSetReputation(config: Config, keys: AwsKeys, name: string, enabled: boolean): Promise<void> {
  await call(keys, "ses:PutConfigurationSetReputationOptions", () =>
    sesClient(config, keys).send(new PutConfigurationSetReputationOptionsCommand({ ConfigurationSetName: name, ReputationMetricsEnabled: enabled })),
  );
}

/** Turns Virtual Deliverability Manager on or off for the account; AWS charges for it while it is on. */
export async function putVdm(config: Config, keys: AwsKeys, enabled: boolean): Promise<void> {
  await call(keys, "ses:PutAccountVdmAttributes", () =>
    sesClient(config, keys).send(new PutAccountVdmAttributesCommand({ VdmAttributes: { VdmEnabled: enabled ? "ENABLED" : "DISABLED" } })),
  );
}

/** The Virtual Deliverability Manager metrics Sesame shows, in SES's names. */
export const VDM_METRICS: Metric[] = ["SEND", "DELIVERY", "PERMANENT_BOUNCE", "TRANSIENT_BOUNCE", "COMPLAINT", "OPEN", "CLICK"];

export interface VdmSeries {
  metric: Metric;
  /** Daily points as SES returns them (a value per timestamp), oldest first. */
  points: { at: Date; value: number }[];
  total: number;
  /** Set when SES could not answer this one query (MetricDataError). */
  error: string | null;
}

/**
 * The account's Virtual Deliverability Manager metrics between `start` and `end`, one query per
 * metric in one BatchGetMetricData call (it takes up to 10), optionally for one configuration set.
 */
export async function vdmMetrics(config: Config, keys: AwsKeys, range: { start: Date; end: Date; configurationSet?: string | null }): Promise<VdmSeries[]> {
  const out = await call(keys, "ses:BatchGetMetricData", () =>
    sesClient(config, keys).send(
      new BatchGetMetricDataCommand({
        Queries: VDM_METRICS.map((metric) => ({
          Id: metric.toLowerCase(),
          Namespace: "VDM",
          Metric: metric,
          StartDate: range.start,
          EndDate: range.end,
          ...(range.configurationSet ? { Dimensions: { CONFIGURATION_SET: range.configurationSet } } : {}),
        })),
      }),
    ),
  );
  return VDM_METRICS.map((metric) => {
    const id = metric.toLowerCase();
    const result = out.Results?.find((r) => r.Id === id);
    const failed = out.Errors?.find((e) => e.Id === id);
    const timestamps = result?.Timestamps ?? [];
    const values = result?.Values ?? [];
    const points = timestamps.map((at, i) => ({ at, value: Number(values[i] ?? 0) })).sort((a, b) => a.at.getTime() - b.at.getTime());
    return {
      metric,
      points,
      total: points.reduce((sum, p) => sum + p.value, 0),
      error: failed ? (failed.Code === "ACCESS_DENIED" ? "AWS did not allow these keys to read this metric." : "SES could not compute this metric just now.") : null,
    };
  });
}

export interface VdmRecommendation {
  type: string;
  impact: string;
  status: string;
  description: string;
  resourceArn: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** At most this many recommendations, read in at most this many pages. */
export const RECOMMENDATIONS_MAX = 200;
export const RECOMMENDATION_PAGES_MAX = 10;

/**
 * Virtual Deliverability Manager's recommendations for the account, up to RECOMMENDATIONS_MAX. Pages
 * may come back empty with a NextToken, so the pages are capped too, and a token seen before ends the
 * reading instead of asking for the same page forever.
 */
export async function listRecommendations(config: Config, keys: AwsKeys): Promise<VdmRecommendation[]> {
  const client = sesClient(config, keys);
  const items: VdmRecommendation[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    pages++;
    const page = await call(keys, "ses:ListRecommendations", () => client.send(new ListRecommendationsCommand({ NextToken: token, PageSize: 100 })));
    for (const r of page.Recommendations ?? []) {
      items.push({
        type: r.Type ?? "UNKNOWN",
        impact: r.Impact ?? "UNKNOWN",
        status: r.Status ?? "UNKNOWN",
        description: r.Description ?? "",
        resourceArn: r.ResourceArn ?? null,
        createdAt: r.CreatedTimestamp ?? null,
        updatedAt: r.LastUpdatedTimestamp ?? null,
      });
    }
    token = page.NextToken;
    if (token && seen.has(token)) break;
    if (token) seen.add(token);
  } while (token && items.length < RECOMMENDATIONS_MAX && pages < RECOMMENDATION_PAGES_MAX);
  return items.slice(0, RECOMMENDATIONS_MAX);
}

/** One region's quota for the same keys, or why it could not be read. */
export interface RegionQuota {
  region: string;
  name: string;
  /** False for an opt-in region the AWS account has not enabled (SES does not know the keys there). */
  enabled: boolean;
  productionAccess: boolean | null;
  sendingEnabled: boolean | null;
  enforcementStatus: string | null;
  maxSendRate: number | null;
  max24HourSend: number | null;
  sentLast24Hours: number | null;
  /** The sentence for a region that is enabled but could not be read (throttled, denied, unreachable). */
  error: string | null;
}

/**
 * GetAccount in every SES region for the same keys, a few at a time with short timeouts, so one slow
 * or closed region costs seconds, not the page. Keys that work in their own region but are unknown in
 * another mean that region is not enabled for the account (opt-in regions): that is a fact about the
 * region, not a failure of the list.
 */
export async function regionQuotas(
  config: Config,
  keys: AwsKeys,
  options: { concurrency?: number; timeoutMs?: number; onFailure?: (failure: AwsFailure) => void } = {},
): Promise<RegionQuota[]> {
  const concurrency = options.concurrency ?? 6;
  const timeoutMs = options.timeoutMs ?? 4_000;
  const results: RegionQuota[] = new Array(SES_REGIONS.length);
  const failures = new Map<string, AwsFailure>();
  let next = 0;
  async function worker() {
    while (next < SES_REGIONS.length) {
      const index = next++;
      const region = SES_REGIONS[index]!.id;
      results[index] = await regionQuota(config, { ...keys, region }, timeoutMs, (failure) => failures.set(region, failure));
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, SES_REGIONS.length) }, worker));
  // Unknown in their own region too, the keys themselves are wrong: that is the answer, not a list of closed regions.
  const own = failures.get(keys.region);
  if (own?.code === "aws_unrecognized_key") throw own;
  for (const failure of failures.values()) if (failure.code !== "aws_unrecognized_key") options.onFailure?.(failure);
  return results;
}

async function regionQuota(config: Config, keys: AwsKeys, timeoutMs: number, failed: (failure: AwsFailure) => void): Promise<RegionQuota> {
  const name = SES_REGIONS.find((r) => r.id === keys.region)?.name ?? keys.region;
  const base = { region: keys.region, name, productionAccess: null, sendingEnabled: null, enforcementStatus: null, maxSendRate: null, max24HourSend: null, sentLast24Hours: null };
  const settings = clientConfig(keys, config.sesEndpoint);
  const client = new SESv2Client({
    ...settings,
    maxAttempts: 1,
    requestHandler: { ...settings.requestHandler, connectionTimeout: Math.min(2_000, timeoutMs), requestTimeout: timeoutMs },
  });
  try {
    const out = await client.send(new GetAccountCommand({}));
    return {
      ...base,
      enabled: true,
      productionAccess: out.ProductionAccessEnabled ?? false,
      sendingEnabled: out.SendingEnabled ?? false,
      enforcementStatus: out.EnforcementStatus ?? null,
      maxSendRate: out.SendQuota?.MaxSendRate ?? 0,
      max24HourSend: out.SendQuota?.Max24HourSend ?? 0,
      sentLast24Hours: out.SendQuota?.SentLast24Hours ?? 0,
      error: null,
    };
  } catch (err) {
    const failure = err instanceof AwsFailure ? err : awsFailure(err, { keys, action: "ses:GetAccount" });
    failed(failure);
    if (failure.code === "aws_unrecognized_key") return { ...base, enabled: false, error: null };
    return { ...base, enabled: true, error: failure.message };
  } finally {
    client.destroy();
  }
}
