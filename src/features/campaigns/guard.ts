import { sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import type { Deps } from "../../deps";
import { findCampaign, moveCampaign } from "./queries";

/** SES puts an account under review past these rates (its bounce and complaint review thresholds). */
export const SES_REVIEW = { bounceRate: 0.05, complaintRate: 0.001 };

/** A running campaign pauses itself past these, once enough of its mail has an outcome to judge by. */
export const GUARD = { bounceRate: 0.08, complaintRate: 0.004, minSample: 500 };

/** Starts every reason the guard gives, so a resume knows the person chose to go on past it. */
export const GUARD_PAUSE_PREFIX = "The reputation guard paused this campaign";

export interface Rates {
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  /** Bounces out of the mails with an outcome (delivered or bounced); null before there is any. */
  bounceRate: number | null;
  /** Complaints out of the mails delivered; null before there is any. */
  complaintRate: number | null;
}

function rates(row: { sent?: unknown; delivered?: unknown; bounced?: unknown; complained?: unknown } | undefined): Rates {
  const sent = Number(row?.sent ?? 0);
  const delivered = Number(row?.delivered ?? 0);
  const bounced = Number(row?.bounced ?? 0);
  const complained = Number(row?.complained ?? 0);
  return {
    sent,
    delivered,
    bounced,
    complained,
    bounceRate: delivered + bounced > 0 ? bounced / (delivered + bounced) : null,
    complaintRate: delivered > 0 ? complained / delivered : null,
  };
}

const sums = sql`coalesce(sum(sent), 0) as sent, coalesce(sum(delivered), 0) as delivered, coalesce(sum(bounced), 0) as bounced, coalesce(sum(complained), 0) as complained`;

export async function campaignRates(db: Database, campaignId: string): Promise<Rates> {
  const [row] = await db.rows<Record<string, unknown>>(sql`select ${sums} from campaign_stats where campaign_id = ${campaignId}`);
  return rates(row);
}

/** The workspace's rates over the last 24 hours, as SES would judge them. */
export async function workspaceRates(db: Database, workspaceId: string, now: Date): Promise<Rates> {
  const since = Math.floor((now.getTime() - 86_400_000) / 3_600_000) * 3_600_000;
  const [row] = await db.rows<Record<string, unknown>>(sql`select ${sums} from campaign_stats where workspace_id = ${workspaceId} and hour >= ${since}`);
  return rates(row);
}

/** Each running (or paused) campaign of the workspace with its rates, for the dashboard. */
export async function activeCampaignRates(db: Database, workspaceId: string): Promise<{ id: string; name: string; status: string; rates: Rates }[]> {
  const rows = await db.rows<{ id: string; name: string; status: string; sent: unknown; delivered: unknown; bounced: unknown; complained: unknown }>(sql`
    select c.id, c.name, c.status, ${sums}
    from campaigns c left join campaign_stats s on s.campaign_id = c.id
    where c.workspace_id = ${workspaceId} and c.status in ('running', 'paused')
    group by c.id, c.name, c.status
    order by c.name
    limit 20`);
  return rows.map((r) => ({ id: r.id, name: r.name, status: r.status, rates: rates(r) }));
}

/** 8%, 0.4%, 9.2%: as few digits as the rate needs. */
export const percent = (n: number) => `${Number((n * 100).toFixed(n < 0.01 ? 2 : 1))}%`;

/** Why the guard would pause a campaign with these rates, or null while they are fine or too few to judge. */
export function guardVerdict(r: Rates): string | null {
  const sample = r.delivered + r.bounced;
  if (sample < GUARD.minSample) return null;
  if (r.bounceRate !== null && r.bounceRate > GUARD.bounceRate) {
    return `${GUARD_PAUSE_PREFIX}: ${percent(r.bounceRate)} of its mail bounced (${r.bounced.toLocaleString("en-US")} of ${sample.toLocaleString("en-US")}), above the guard's ${percent(GUARD.bounceRate)}; SES reviews accounts past ${percent(SES_REVIEW.bounceRate)}. Check the list for old or bought addresses first. Resuming sends the rest and turns the guard off for this campaign.`;
  }
  if (r.complaintRate !== null && r.complaintRate > GUARD.complaintRate) {
    return `${GUARD_PAUSE_PREFIX}: ${percent(r.complaintRate)} of the people who got it marked it as spam (${r.complained.toLocaleString("en-US")} of ${r.delivered.toLocaleString("en-US")}), above the guard's ${percent(GUARD.complaintRate)}; SES reviews accounts past ${percent(SES_REVIEW.complaintRate)}. Check that these people asked for this mail. Resuming sends the rest and turns the guard off for this campaign.`;
  }
  return null;
}

/** After new bounces or complaints: pauses each running campaign of these that has passed the guard's rates. */
export async function guardReputation(deps: Deps, workspaceId: string, campaignIds: string[]) {
  for (const id of campaignIds) {
    const c = await findCampaign(deps.db, workspaceId, id);
    if (!c || c.status !== "running" || c.guardOffAt) continue;
    const reason = guardVerdict(await campaignRates(deps.db, id));
    if (!reason) continue;
    if (await moveCampaign(deps.db, workspaceId, id, ["running"], "paused", { pauseReason: reason, updatedAt: deps.clock.now() })) {
      deps.log.warn("campaign paused by the reputation guard", { workspaceId, campaignId: id });
    }
  }
}
