import type { BounceKind, CampaignReport, ComplaintKind } from "../../src/features/campaigns/report";
import { ActivityChart, KpiCards } from "../analytics/parts";
import { Chart, SERIES_COLOURS } from "../components/Chart";
import { Table } from "../components/Table";
import { Card } from "./parts";
import { count } from "../components/format";

const share = (part: number, whole: number) => (whole > 0 ? `${((part * 100) / whole).toFixed(1)}%` : "—");
const formatDay = (day: string) => new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" }).format(new Date(`${day}T00:00:00Z`));

/** SES's bounce sub-types in words (SES's names stay beside them, as its own documentation uses them). */
const BOUNCE_WORDS: Record<string, string> = {
  "Permanent/General": "the address does not exist or refuses mail",
  "Permanent/NoEmail": "the address does not exist",
  "Permanent/Suppressed": "SES did not send it: the address is on SES's suppression list after earlier bounces or complaints",
  "Permanent/OnAccountSuppressionList": "SES did not send it: the address is on your AWS account's suppression list",
  "Transient/General": "the receiving server refused it for now; the address may take mail later",
  "Transient/MailboxFull": "the mailbox is full",
  "Transient/MessageTooLarge": "the mail is larger than the receiving server takes",
  "Transient/ContentRejected": "the receiving server refused its content (a filter or a policy)",
  "Transient/AttachmentRejected": "the receiving server refused an attachment",
  "Undetermined/Undetermined": "SES could not tell why",
};

const BOUNCE_TYPE_WORDS: Record<string, string> = {
  Permanent: "a hard bounce: Sesame no longer mails the address",
  Transient: "a soft bounce: the address may take mail later",
  Undetermined: "SES could not tell why",
};

export function bounceInWords(b: Pick<BounceKind, "type" | "subType">): { name: string; meaning: string } {
  const name = b.type ? `${b.type}${b.subType ? ` · ${b.subType}` : ""}` : "Type not given";
  const meaning = BOUNCE_WORDS[`${b.type}/${b.subType}`] ?? (b.type ? BOUNCE_TYPE_WORDS[b.type] : undefined) ?? "SES gave no bounce type";
  return { name, meaning };
}

/** The feedback types of ARF reports (RFC 5965) as mailbox providers send them through SES. */
const COMPLAINT_WORDS: Record<string, string> = {
  abuse: "unwanted mail or another kind of abuse",
  "auth-failure": "a report of failed sender authentication (SPF, DKIM or DMARC)",
  fraud: "taken for fraud or phishing",
  "not-spam": "marked as not spam (some providers report this too)",
  virus: "a virus was reported in the mail",
  other: "some other reason",
};

export function complaintInWords(c: Pick<ComplaintKind, "feedbackType">): { name: string; meaning: string } {
  if (!c.feedbackType) return { name: "not given", meaning: "the mailbox provider gave no type, as most do" };
  return { name: c.feedbackType, meaning: COMPLAINT_WORDS[c.feedbackType] ?? "a type SES passed on as the provider named it" };
}

const NUMBER_CELL = "whitespace-nowrap px-4 py-2 text-right tabular-nums";
const EMPTY = "rounded border border-dashed border-slate-300 bg-slate-50 px-4 py-6 text-center text-sm text-slate-600";
const NOTE = "mb-3 text-sm text-slate-600";

function OpensByHour({ r }: { r: CampaignReport }) {
  const o = r.opensByHour;
  return (
    <Card title="Opens by hour after the launch" id="opens-by-hour">
      <p class={NOTE} safe>
        {`Recipients opening it for the first time, hour by hour from the hour it started (${o.hours.length < o.limit ? `${o.hours.length} ${o.hours.length === 1 ? "hour" : "hours"} so far` : `the first ${o.limit} hours`}). Each recipient counts once: in the hour a person first opened it (solid), or, dashed, in the hour only a machine (a privacy proxy or a scanner) first fetched it. A click counts as an open.`}
      </p>
      <Chart
        id="opens-by-hour-chart"
        label="First opens per hour since the launch, people and machines apart"
        empty="No opens yet."
        data={{
          x: o.hours.map((h) => h / 1000),
          zone: r.now.filter.timeZone,
          step: "hour",
          left: "Recipients",
          series: [
            { label: "First opened by a person", colour: SERIES_COLOURS.opened, values: o.people },
            { label: "First fetched by a machine only", colour: SERIES_COLOURS.machineOpened, dashed: true, values: o.machines },
          ],
        }}
      />
    </Card>
  );
}

function TopLinks({ r }: { r: CampaignReport }) {
  return (
    <Card title="Top clicked links" id="top-links">
      {r.links.length === 0 ? (
        <p class={EMPTY} data-testid="links-empty">
          No clicks yet.
        </p>
      ) : (
        <>
          <p class={NOTE} safe>
            {`${r.linkCount > r.links.length ? `The ${r.links.length} most clicked of ${count(r.linkCount)} links` : `Every link clicked (${count(r.linkCount)})`}. People: recipients with at least one click on it that was a person's. Machines: clicks by link scanners and proxies, counted in the clicks.`}
          </p>
          <Table headers={["Link", { cell: "Clicks", align: "right" }, { cell: "People", align: "right" }, { cell: "Machines", align: "right" }]} testid="top-links-table">
            {r.links.map((l, i) => (
              <tr class="border-t border-slate-100 align-top" data-link={String(i + 1)}>
                {/* Shown, not linked: an address in a mail is not vouched for by being in a report. */}
                <td class="break-all px-4 py-2 font-mono text-xs text-slate-800" safe>
                  {l.url ?? "(no address recorded)"}
                </td>
                <td class={NUMBER_CELL} data-clicks safe>
                  {count(l.clicks)}
                </td>
                <td class={NUMBER_CELL} data-people safe>
                  {count(l.people)}
                </td>
                <td class={`${NUMBER_CELL} text-slate-500`} data-machine safe>
                  {count(l.machine)}
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

/** One kind of event in words, its count, and its share of them all. */
interface Kind {
  key: string;
  name: string;
  meaning: string;
  count: number;
}

/** Bounces or complaints grouped by kind: a card with its empty state, a sentence, and the table. */
function KindsCard(props: { title: string; id: string; empty: string; note: (total: number) => string; column: string; unit: string; rowAttribute: string; kinds: Kind[] }) {
  const total = props.kinds.reduce((n, k) => n + k.count, 0);
  return (
    <Card title={props.title} id={props.id}>
      {total === 0 ? (
        <p class={EMPTY} data-testid={`${props.id}-empty`} safe>
          {props.empty}
        </p>
      ) : (
        <>
          <p class={NOTE} safe>
            {props.note(total)}
          </p>
          <Table headers={[props.column, { cell: props.unit, align: "right" }, { cell: "Share", align: "right" }]} testid={`${props.id}-table`}>
            {props.kinds.map((k) => (
              <tr class="border-t border-slate-100 align-top" {...{ [props.rowAttribute]: k.key }}>
                <td class="min-w-36 px-4 py-2">
                  <span class="font-medium text-slate-800 wrap-anywhere" safe>
                    {k.name}
                  </span>
                  <span class="block text-xs text-slate-600" safe>
                    {k.meaning}
                  </span>
                </td>
                <td class={NUMBER_CELL} data-count safe>
                  {count(k.count)}
                </td>
                <td class={NUMBER_CELL} data-share safe>
                  {share(k.count, total)}
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Card>
  );
}

function Bounces({ r }: { r: CampaignReport }) {
  return (
    <KindsCard
      title="Bounces by type"
      id="bounces"
      empty="No bounces yet."
      note={(total) => `Every bounce SES reported (${count(total)}), soft ones included; the same address may bounce softly more than once. The bounce rate above counts hard (Permanent) bounces, once per recipient.`}
      column="Type · sub-type"
      unit="Bounces"
      rowAttribute="data-bounce"
      kinds={r.bounces.map((b) => ({ key: `${b.type ?? ""}/${b.subType ?? ""}`, ...bounceInWords(b), count: b.count }))}
    />
  );
}

function Complaints({ r }: { r: CampaignReport }) {
  return (
    <KindsCard
      title="Complaints by feedback type"
      id="complaints"
      empty="No complaints yet."
      note={(total) => `Every complaint SES passed on (${count(total)}), by the feedback type the mailbox provider gave.`}
      column="Feedback type"
      unit="Complaints"
      rowAttribute="data-complaint"
      kinds={r.complaints.map((c) => ({ key: c.feedbackType ?? "", ...complaintInWords(c), count: c.count }))}
    />
  );
}

const DOWNLOAD = "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500";

/** Where the report's scripts and styles come from: the page includes them only when it shows a report. */
export function ReportAssets() {
  return (
    <>
      <link rel="stylesheet" href="/assets/build/vendor/uplot.min.css" />
      <script src="/assets/build/vendor/uplot.min.js"></script>
      <script src="/assets/islands/charts.js"></script>
    </>
  );
}

/** The campaign's report: the dashboard's cards and chart for its life, its opens by hour, links, bounces and complaints. */
export function Report({ r }: { r: CampaignReport }) {
  const f = r.now.filter;
  // A campaign sent without tracking has nothing to draw there; SES's own tracking may still have reported some.
  const tracked = r.tracking || r.now.totals.uniqueOpens + r.now.totals.uniqueClicks > 0 || r.links.length > 0;
  return (
    <div id="report" class="min-w-0" data-testid="report">
      <Card title="Report" id="report-figures">
        <p class={NOTE} safe>
          {`${r.clipped ? "The last three years of its life" : "Since the launch"}, ${f.from === f.to ? formatDay(f.from) : `${formatDay(f.from)} to ${formatDay(f.to)}`} (days in ${f.timeZone}). ${r.previousCampaign ? `Changes are against ${r.previous}.` : "No campaign was launched before it in this workspace, so there is nothing to compare."}`}
        </p>
        <div class="mb-4">
          <KpiCards now={r.now.totals} before={r.previousCampaign ? r.before : null} previous={r.previous} />
        </div>
        {tracked ? (
          ""
        ) : (
          <p class="mb-4 rounded border border-slate-200 bg-slate-50 px-4 py-3 text-sm text-slate-700" data-testid="not-tracked">
            Opens and clicks are not tracked for this campaign: its mails carried no open pixel and no tracked links, so the open and click rates stay at zero.
          </p>
        )}
        <div class="flex flex-wrap items-center gap-2 text-sm" data-testid="report-downloads">
          <span class="text-slate-600">Download:</span>
          {tracked ? (
            <>
              <a class={DOWNLOAD} href={r.downloads.opened} hx-boost="false" download="" data-testid="export-opened">
                Export who opened
              </a>
              <a class={DOWNLOAD} href={r.downloads.clicked} hx-boost="false" download="" data-testid="export-clicked">
                Export who clicked
              </a>
            </>
          ) : (
            ""
          )}
          <a class={DOWNLOAD} href={r.downloads.excel} hx-boost="false" download="" data-testid="export-excel">
            Download report (Excel)
          </a>
        </div>
      </Card>
      <Card title="Activity" id="report-activity">
        <ActivityChart data={r.now} />
      </Card>
      {tracked ? (
        <>
          <OpensByHour r={r} />
          <TopLinks r={r} />
        </>
      ) : (
        ""
      )}
      <div class="grid min-w-0 lg:grid-cols-2 lg:gap-x-6">
        <Bounces r={r} />
        <Complaints r={r} />
      </div>
    </div>
  );
}
