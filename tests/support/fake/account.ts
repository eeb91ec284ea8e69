import { randomUUID } from "node:crypto";
import { sesError, type AwsFake, type SesCall, type SesRoute } from "../aws";

/**
 * The account and its configuration sets' options, kept per key and region (fake.account) and per
 * set (fake.configurationSetOptions). Shapes follow the SDK's model (restJson: timestamps in epoch
 * seconds, empty bodies for the Put* calls).
 */

/** One Virtual Deliverability Manager recommendation as ListRecommendations returns it. */
export interface FakeRecommendation {
  ResourceArn?: string;
  Type: string;
  Description: string;
  Status: "OPEN" | "FIXED";
  Impact: "LOW" | "HIGH";
  CreatedTimestamp?: Date;
  LastUpdatedTimestamp?: Date;
}

/** What Virtual Deliverability Manager has for the account: a value per metric per day, and its recommendations. */
export interface FakeVdm {
  /** The value each day has for a metric (SEND, DELIVERY, …); metrics not listed are 0. */
  daily: Record<string, number>;
  recommendations: FakeRecommendation[];
  /** The queries of every BatchGetMetricData call, as sent. */
  queries: any[][];
  /**
   * ListRecommendations answering only empty pages that still carry a NextToken: a new token on every
   * page, or the same one again. Unset, it pages through `recommendations`.
   */
  emptyPages?: "new-token" | "same-token";
  /** The NextToken of every ListRecommendations call, as sent (null for the first page). */
  recommendationTokens: (string | null)[];
}

const vdmStates = new WeakMap<AwsFake, FakeVdm>();

/** The fake's Virtual Deliverability Manager data, for tests to fill and read. */
export function fakeVdm(fake: AwsFake): FakeVdm {
  let state = vdmStates.get(fake);
  if (!state) {
    state = { daily: {}, recommendations: [], queries: [], recommendationTokens: [] };
    vdmStates.set(fake, state);
  }
  return state;
}

const DAY = 86_400_000;
const seconds = (d: Date) => d.getTime() / 1000;

/** The account as SES keeps it for the caller's key and region (the dispatcher has already refused a disabled region). */
const accountOf = ({ fake, who }: SesCall) => fake.account(who.accessKeyId, who.region)!;

function bad(message: string) {
  return sesError(400, "BadRequestException", message);
}

function configurationSet({ fake, match }: SesCall) {
  const name = match[1]!;
  const options = fake.configurationSets.has(name) ? fake.configurationSetOptions.get(name) : undefined;
  return { name, options };
}

function missingSet(name: string) {
  return sesError(404, "NotFoundException", `Configuration set <${name}> does not exist.`);
}

export const accountRoutes: SesRoute[] = [
  {
    action: "GetAccount",
    method: "GET",
    path: /^\/v2\/email\/account$/,
    handle: ({ fake, who }) => Response.json(fake.account(who.accessKeyId, who.region)),
  },
  {
    action: "PutAccountDetails",
    method: "POST",
    path: /^\/v2\/email\/account\/details$/,
    handle(call) {
      const input = call.body();
      if (input.MailType !== "MARKETING" && input.MailType !== "TRANSACTIONAL") return bad("MailType must be MARKETING or TRANSACTIONAL.");
      if (typeof input.WebsiteURL !== "string" || !input.WebsiteURL) return bad("WebsiteURL is required.");
      if (input.ContactLanguage !== undefined && input.ContactLanguage !== "EN" && input.ContactLanguage !== "JA") return bad("ContactLanguage must be EN or JA.");
      if ((input.AdditionalContactEmailAddresses ?? []).length > 4) return bad("At most 4 additional contact email addresses.");
      const account = accountOf(call);
      account.Details = {
        MailType: input.MailType,
        WebsiteURL: input.WebsiteURL,
        ContactLanguage: input.ContactLanguage ?? "EN",
        UseCaseDescription: input.UseCaseDescription,
        AdditionalContactEmailAddresses: input.AdditionalContactEmailAddresses ?? [],
        ReviewDetails: { Status: "PENDING", CaseId: `case-${randomUUID().slice(0, 8)}` },
      };
      return Response.json({});
    },
  },
  {
    action: "PutAccountSendingAttributes",
    method: "PUT",
    path: /^\/v2\/email\/account\/sending$/,
    handle(call) {
      accountOf(call).SendingEnabled = call.body().SendingEnabled ?? false;
      return Response.json({});
    },
  },
  {
    action: "PutAccountVdmAttributes",
    method: "PUT",
    path: /^\/v2\/email\/account\/vdm$/,
    handle(call) {
      const attributes = call.body().VdmAttributes;
      if (attributes?.VdmEnabled !== "ENABLED" && attributes?.VdmEnabled !== "DISABLED") return bad("VdmAttributes.VdmEnabled must be ENABLED or DISABLED.");
      const account = accountOf(call);
      account.VdmAttributes = { ...account.VdmAttributes, VdmEnabled: attributes.VdmEnabled };
      return Response.json({});
    },
  },
  {
    action: "GetConfigurationSet",
    method: "GET",
    path: /^\/v2\/email\/configuration-sets\/([^/]+)$/,
    handle(call) {
      const { name, options } = configurationSet(call);
      if (!options) return missingSet(name);
      return Response.json({
        ConfigurationSetName: name,
        DeliveryOptions: { TlsPolicy: "OPTIONAL" },
        ReputationOptions: {
          ReputationMetricsEnabled: options.reputationMetricsEnabled,
          ...(options.lastFreshStart ? { LastFreshStart: seconds(options.lastFreshStart) } : {}),
        },
        SendingOptions: { SendingEnabled: options.sendingEnabled },
        Tags: [],
      });
    },
  },
  {
    action: "PutConfigurationSetSendingOptions",
    method: "PUT",
    path: /^\/v2\/email\/configuration-sets\/([^/]+)\/sending$/,
    handle(call) {
      const { name, options } = configurationSet(call);
      if (!options) return missingSet(name);
      options.sendingEnabled = call.body().SendingEnabled ?? false;
      return Response.json({});
    },
  },
  {
    action: "PutConfigurationSetReputationOptions",
    method: "PUT",
    path: /^\/v2\/email\/configuration-sets\/([^/]+)\/reputation-options$/,
    handle(call) {
      const { name, options } = configurationSet(call);
      if (!options) return missingSet(name);
      options.reputationMetricsEnabled = call.body().ReputationMetricsEnabled ?? false;
      return Response.json({});
    },
  },
  {
    action: "BatchGetMetricData",
    method: "POST",
    path: /^\/v2\/email\/metrics\/batch$/,
    handle(call) {
      const queries: any[] = call.body().Queries ?? [];
      if (queries.length < 1 || queries.length > 10) return bad("Queries must hold 1 to 10 queries.");
      const state = fakeVdm(call.fake);
      state.queries.push(queries);
      const results = [];
      for (const q of queries) {
        if (!q.Id || q.Namespace !== "VDM" || !q.Metric || typeof q.StartDate !== "number" || typeof q.EndDate !== "number") {
          return bad("Each query needs Id, Namespace VDM, Metric, StartDate and EndDate.");
        }
        const timestamps: number[] = [];
        const values: number[] = [];
        // One point a day, at midnight UTC, as VDM aggregates.
        for (let day = Math.ceil((q.StartDate * 1000) / DAY) * DAY; day < q.EndDate * 1000; day += DAY) {
          timestamps.push(day / 1000);
          values.push(state.daily[q.Metric] ?? 0);
        }
        results.push({ Id: q.Id, Timestamps: timestamps, Values: values });
      }
      return Response.json({ Results: results, Errors: [] });
    },
  },
  {
    action: "ListRecommendations",
    method: "POST",
    path: /^\/v2\/email\/vdm\/recommendations$/,
    handle(call) {
      const input = call.body();
      fakeVdm(call.fake).recommendationTokens.push(input.NextToken ?? null);
      const emptyPages = fakeVdm(call.fake).emptyPages;
      if (emptyPages) {
        const n = Number(String(input.NextToken ?? "empty-0").slice("empty-".length));
        return Response.json({ Recommendations: [], NextToken: emptyPages === "same-token" ? "empty-1" : `empty-${n + 1}` });
      }
      const size = Math.min(100, Math.max(1, Number(input.PageSize ?? 100)));
      const start = Number(input.NextToken ?? 0);
      const all = fakeVdm(call.fake).recommendations.filter((r) => !input.Filter?.STATUS || r.Status === input.Filter.STATUS);
      const page = all.slice(start, start + size).map((r) => ({
        ...r,
        ...(r.CreatedTimestamp ? { CreatedTimestamp: seconds(r.CreatedTimestamp) } : {}),
        ...(r.LastUpdatedTimestamp ? { LastUpdatedTimestamp: seconds(r.LastUpdatedTimestamp) } : {}),
      }));
      return Response.json({ Recommendations: page, ...(start + size < all.length ? { NextToken: String(start + size) } : {}) });
    },
  },
];
