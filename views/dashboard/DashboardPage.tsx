import type { Auth } from "../../src/features/auth/model";
import { percent } from "../../src/features/campaigns/guard";
import type { CampaignStatus } from "../../src/features/campaigns/model";
import { RANGE_LABELS, RANGES, type Dashboard, type Range } from "../../src/features/dashboard/service";
import { formatInZone } from "../../src/lib/zones";
import { ActivityChart, KpiCards } from "../analytics/parts";
import { CampaignBadge, Card } from "../campaigns/parts";
import { Chart, SERIES_COLOURS } from "../components/Chart";
import { EmptyState } from "../components/EmptyState";
import { ReputationRates } from "../components/Reputation";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";
import { count } from "../components/format";

const STEPS = [
  { href: "/settings/aws", title: "Connect your AWS account", text: "Sesame sends through your own Amazon SES keys." },
  { href: "/lists", title: "Import a list", text: "Upload a CSV of recipients; every column becomes a template variable." },
  { href: "/templates", title: "Write a template", text: "Compose with the editor and preview it with real contacts." },
  { href: "/campaigns", title: "Send a campaign", text: "Send now or schedule it, at the pace SES allows." },
];


/** The dashboard's address for a filter: only what is set, so a shared link reads plainly. */
function dashboardUrl(params: Record<string, string | null | undefined>, path = "/dashboard"): string {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v) as [string, string][]);
  return query.size ? `${path}?${query}` : path;
}

const LABEL = "block text-sm font-medium text-slate-700";
const CONTROL = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

/** Period presets, a custom range, a campaign and a list: each change swaps the view and puts it in the address. */
function Filters({ d, error }: { d: Dashboard; error: string | null }) {
  const f = d.now.filter;
  const request = { "hx-get": "/dashboard", "hx-trigger": "change", "hx-include": "closest form" };
  return (
    <form
      action="/dashboard"
      method="get"
      hx-get="/dashboard"
      hx-target="#analytics"
      hx-select="#analytics"
      hx-swap="outerHTML"
      hx-push-url="true"
      class="mb-6 min-w-0 rounded-lg border border-slate-200 bg-white p-4"
      data-testid="filters"
    >
      <div class="flex flex-wrap items-end gap-x-4 gap-y-3">
        <fieldset class="min-w-0">
          <legend class="mb-1 text-sm font-medium text-slate-700">Period</legend>
          <div class="flex flex-wrap gap-1" role="group">
            {(Object.keys(RANGES) as Range[]).map((r) => (
              <a
                href={dashboardUrl({ range: r, campaignId: f.campaignId, listId: f.listId })}
                hx-get={dashboardUrl({ range: r, campaignId: f.campaignId, listId: f.listId })}
                aria-current={d.range === r ? "true" : undefined}
                class={`rounded border px-3 py-1.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 ${d.range === r ? "border-sky-600 bg-sky-50 font-medium text-sky-800" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"}`}
                data-range={r}
                safe
              >
                {RANGE_LABELS[r]}
              </a>
            ))}
          </div>
        </fieldset>
        {d.range === "custom" ? "" : <input type="hidden" name="range" value={d.range} />}
        <div>
          <label class={LABEL} for="filter-from">
            From
          </label>
          <input id="filter-from" type="date" name="from" value={f.from} max={f.to} class={CONTROL} {...request} hx-vals='{"range":"custom"}' />
        </div>
        <div>
          <label class={LABEL} for="filter-to">
            To
          </label>
          <input id="filter-to" type="date" name="to" value={f.to} min={f.from} class={CONTROL} {...request} hx-vals='{"range":"custom"}' />
        </div>
        <div class="min-w-0 max-w-full sm:w-56">
          <label class={LABEL} for="filter-campaign">
            Campaign
          </label>
          <select id="filter-campaign" name="campaignId" class={CONTROL} {...request}>
            <option value="">All campaigns</option>
            {d.campaigns.map((c) => (
              <option value={c.id} selected={c.id === f.campaignId} safe>
                {c.kind === "send" ? `Sent from the Send page or API: ${c.name}` : c.name}
              </option>
            ))}
          </select>
        </div>
        <div class="min-w-0 max-w-full sm:w-48">
          <label class={LABEL} for="filter-list">
            List
          </label>
          <select id="filter-list" name="listId" class={CONTROL} {...request}>
            <option value="">All lists</option>
            {d.lists.map((l) => (
              <option value={l.id} selected={l.id === f.listId} safe>
                {l.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
          Apply
        </button>
      </div>
      {error ? (
        <p class="mt-3 text-sm text-red-700" role="alert" data-testid="filter-error" safe>
          {error}
        </p>
      ) : (
        ""
      )}
      <p class="mt-3 text-xs text-slate-500" safe>
        {`${formatDay(f.from)} to ${formatDay(f.to)}, days as they fall in ${f.timeZone}. Compared with ${formatDay(d.before.filter.from)} to ${formatDay(d.before.filter.to)}${d.beforeCut ? ", up to the same hour" : ""}.`}
      </p>
    </form>
  );
}

const formatDay = (day: string) => new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" }).format(new Date(`${day}T00:00:00Z`));

function Downloads({ d }: { d: Dashboard }) {
  const f = d.now.filter;
  const view = { from: f.from, to: f.to, campaignId: f.campaignId, listId: f.listId, interval: f.interval };
  const link = "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";
  return (
    <div class="mb-6 flex flex-wrap items-center gap-2 text-sm" data-testid="downloads">
      <span class="text-slate-600">Download this view:</span>
      <a class={link} href={dashboardUrl({ ...view, format: "csv" }, "/analytics")} hx-boost="false" download="" data-testid="download-csv">
        CSV
      </a>
      <a class={link} href={dashboardUrl({ ...view, format: "xlsx" }, "/analytics")} hx-boost="false" download="" data-testid="download-xlsx">
        Excel
      </a>
      <a class={link} href={dashboardUrl({ ...view, interval: null, activity: "opened", format: "csv" }, "/analytics/recipients")} hx-boost="false" download="" data-testid="download-opened">
        Who opened
      </a>
      <a class={link} href={dashboardUrl({ ...view, interval: null, activity: "clicked", format: "csv" }, "/analytics/recipients")} hx-boost="false" download="" data-testid="download-clicked">
        Who clicked
      </a>
    </div>
  );
}

function QuotaChart({ d }: { d: Dashboard }) {
  const points = d.quota.points;
  const zone = d.now.filter.timeZone;
  const latest = [...points].reverse().find((p) => p.max24HourSend !== null);
  return (
    <Card title="SES quota use" id="quota">
      {latest ? (
        <p class="mb-3 text-sm text-slate-600" safe>
          {`Mails sent in the 24 hours before each hour against the 24-hour quota (${count(latest.max24HourSend!)} now), and Sesame's pace against the sending limit (${count(latest.maxSendRate!)} per second)${d.quota.region ? `, in ${d.quota.region}` : ""}. Read from SES every 5 minutes while keys are saved.`}
        </p>
      ) : (
        ""
      )}
      <Chart
        id="quota-chart"
        label="SES 24-hour quota and sending rate over time"
        empty="No readings of the SES quota in this period yet. Sesame reads it every 5 minutes once the workspace's AWS keys are saved."
        data={{
          x: points.map((p) => p.t),
          zone,
          step: "hour",
          left: "Mails in 24 hours",
          rightAxis: "Mails per second",
          series: [
            { label: "Sent in the last 24 hours", colour: SERIES_COLOURS.sent, values: points.map((p) => p.sentLast24Hours) },
            { label: "24-hour quota", colour: SERIES_COLOURS.limit, dashed: true, values: points.map((p) => p.max24HourSend) },
            { label: "Sesame's pace (per second, hourly average)", colour: SERIES_COLOURS.clicked, right: true, values: points.map((p) => Math.round(p.ratePerSecond * 100) / 100) },
            { label: "Sending limit (per second)", colour: SERIES_COLOURS.complained, dashed: true, right: true, values: points.map((p) => p.maxSendRate) },
          ],
        }}
      />
    </Card>
  );
}

function RecentCampaigns({ d, zone }: { d: Dashboard; zone: string }) {
  const now = new Date();
  return (
    <Card title="Recent campaigns" id="recent-campaigns">
      {d.recent.length === 0 ? (
        <p class="text-sm text-slate-600">
          No campaigns yet. <a href="/campaigns/new" class="text-sky-700 underline">Create one</a>.
        </p>
      ) : (
        <Table
          testid="recent-campaigns"
          headers={["Campaign", "Status", { cell: "Sent", align: "right" }, { cell: "Delivered", align: "right" }, { cell: "Opened (people)", align: "right" }, { cell: "Clicked (people)", align: "right" }]}
        >
          {d.recent.map((c) => (
            <tr class="border-t border-slate-100">
              <td class="px-4 py-2">
                <a href={`/campaigns/${c.id}`} class="break-words text-sky-700 underline" safe>
                  {c.name}
                </a>
                <span class="block text-xs text-slate-500" safe>
                  {formatInZone(c.launchedAt ?? c.createdAt, zone, { withZone: false })}
                </span>
              </td>
              <td class="px-4 py-2">
                <CampaignBadge campaign={{ status: c.status as CampaignStatus, scheduledAt: null, holdUntil: null }} zone={zone} now={now} />
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {count(c.sent)}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {count(c.delivered)}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {`${count(c.humanOpens)}${c.delivered ? ` · ${percent(c.humanOpens / c.delivered)}` : ""}`}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {`${count(c.humanClicks)}${c.delivered ? ` · ${percent(c.humanClicks / c.delivered)}` : ""}`}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

/** The address of the view shown: a preset stays a preset; empty filters are left out. */
export function viewUrl(d: Dashboard): string {
  const f = d.now.filter;
  const period = d.range === "custom" ? { from: f.from, to: f.to } : { range: d.range };
  return dashboardUrl({ ...period, campaignId: f.campaignId, listId: f.listId });
}

/** What the filters swap: everything under them changes with the view. */
function AnalyticsView({ d, zone, error }: { d: Dashboard; zone: string; error: string | null }) {
  return (
    <div id="analytics" class="min-w-0">
      <Filters d={d} error={error} />
      <section class="mb-6" aria-label="Key figures">
        <KpiCards now={d.now.totals} before={d.before.totals} previous="the previous period of the same length" />
      </section>
      <Card title="Activity" id="activity">
        <ActivityChart data={d.now} />
      </Card>
      <Downloads d={d} />
      <QuotaChart d={d} />
      <RecentCampaigns d={d} zone={zone} />
    </div>
  );
}

export function DashboardPage({ auth, d, zone, error }: { auth: Auth; d: Dashboard; zone: string; error: string | null }) {
  const { rates } = d.reputation;
  return (
    <AppShell auth={auth} active="dashboard" title="Dashboard">
      {d.empty ? (
        <EmptyState title="Nothing sent yet">
          <p class="mb-6">Deliveries, bounces, complaints, opens and clicks appear here once your first campaign goes out.</p>
          <ol class="grid gap-3 text-left sm:grid-cols-2">
            {STEPS.map((step, i) => (
              <li>
                <a href={step.href} class="block rounded border border-slate-200 bg-slate-50 p-4 hover:border-sky-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500">
                  <span class="block font-medium text-slate-900" safe>
                    {`${i + 1}. ${step.title}`}
                  </span>
                  <span class="block text-slate-600" safe>
                    {step.text}
                  </span>
                </a>
              </li>
            ))}
          </ol>
        </EmptyState>
      ) : (
        <>
          <link rel="stylesheet" href="/assets/build/vendor/uplot.min.css" />
          <script src="/assets/build/vendor/uplot.min.js"></script>
          <script src="/assets/islands/charts.js"></script>
          <AnalyticsView d={d} zone={zone} error={error} />
          {d.reputation.campaigns.length > 0 || rates.sent > 0 ? (
            <Card title="Reputation, last 24 hours" id="reputation">
              <p class="mb-4 text-sm text-slate-600" safe>{`${count(rates.sent)} mails sent. SES reviews an account whose bounce or complaint rate stays above its thresholds.`}</p>
              <ReputationRates rates={rates} />
              {d.reputation.campaigns.length ? (
                <div class="mt-5">
                  <h3 class="mb-2 text-sm font-medium text-slate-700">Campaigns sending now</h3>
                  <ul class="divide-y divide-slate-200 text-sm" data-testid="active-campaign-rates">
                    {d.reputation.campaigns.map((c) => (
                      <li class="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-2">
                        <a href={`/campaigns/${c.id}`} class="min-w-0 break-words text-sky-700 underline" safe>
                          {c.name}
                        </a>
                        <span class="tabular-nums text-slate-600" safe>
                          {`${c.status === "paused" ? "Paused · " : ""}bounces ${c.rates.bounceRate === null ? "—" : percent(c.rates.bounceRate)} · complaints ${c.rates.complaintRate === null ? "—" : percent(c.rates.complaintRate)}`}
                        </span>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : (
                ""
              )}
            </Card>
          ) : (
            ""
          )}
        </>
      )}
    </AppShell>
  );
}

