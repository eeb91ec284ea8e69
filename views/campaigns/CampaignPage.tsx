import type { Auth } from "../../src/features/auth/model";
import { LIVE, progressOf, RECIPIENT_WORDS, shortTime } from "../../src/features/campaigns/forms";
import { RECIPIENT_STATUSES, type CampaignCounts, type CampaignView, type RecipientStatus } from "../../src/features/campaigns/model";
import type { Rates } from "../../src/features/campaigns/guard";
import type { CampaignReport } from "../../src/features/campaigns/report";
import type { ListSummary } from "../../src/features/lists/model";
import { sizeInWords } from "../../src/features/attachments/model";
import { Button } from "../components/Button";
import { Flash } from "../components/Flash";
import { Pagination } from "../components/Pagination";
import { ReputationRates } from "../components/Reputation";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";
import { CampaignBadge, Card, Fact, LINK_BUTTON, Notice, ProgressBar, RecipientBadge, SECONDARY_LINK, ZonedTime } from "./parts";
import { Report, ReportAssets } from "./Report";
import { count as n } from "../components/format";

type Campaign = CampaignView & { counts: CampaignCounts };


/** How long after a campaign ends its page keeps its counts current. */
const WATCH_MS = 7 * 86_400_000;

export interface RecipientsTableProps {
  campaignId: string;
  items: { email: string; status: RecipientStatus; messageId: string | null; sentAt: Date | null; error: string | null }[];
  total: number;
  page: number;
  pageSize: number;
  status: RecipientStatus | null;
  /** Recipients exist once the campaign has started. */
  started: boolean;
  zone: string;
  now: Date;
}

/** The campaign page's own URL for a view of its recipients: what htmx swaps in is also what reload and new tabs open. */
export function recipientsUrl(campaignId: string, view: { status: RecipientStatus | null; page: number }): string {
  const params = new URLSearchParams();
  if (view.status) params.set("status", view.status);
  if (view.page > 1) params.set("page", String(view.page));
  const query = params.toString();
  return `/campaigns/${campaignId}${query ? `?${query}` : ""}`;
}

/** Every recipient with what became of their email; the filter and the pages swap this in place and push the URL. */
export function RecipientsTable(props: RecipientsTableProps) {
  const base = `/campaigns/${props.campaignId}`;
  return (
    <div id="recipients" data-testid="recipients">
      <form class="mb-3 flex flex-wrap items-end gap-2" action={base} method="get" hx-get={base} hx-target="#recipients" hx-swap="outerHTML" hx-push-url="true" hx-trigger="change, submit" role="search">
        <div>
          <label for="recipient-status" class="mb-1 block text-xs text-slate-600">
            Show
          </label>
          <select id="recipient-status" name="status" class="rounded border border-slate-300 bg-white px-3 py-2 text-sm" data-testid="recipient-filter">
            <option value="" selected={!props.status}>
              Every recipient
            </option>
            {RECIPIENT_STATUSES.map((s) => (
              <option value={s} selected={s === props.status} safe>
                {RECIPIENT_WORDS[s]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-50">
          Show
        </button>
      </form>
      <Table headers={["Address", "Status", "Sent at", "SES message id", "Error"]} testid="recipients-table">
        {props.items.length === 0 ? (
          <tr class="border-t border-slate-200">
            <td colspan="5" class="px-4 py-8 text-center text-slate-600" data-testid="recipients-empty">
              {props.status
                ? `No recipient is "${RECIPIENT_WORDS[props.status]}".`
                : props.started
                  ? "No recipients yet: Sesame is preparing them from the lists."
                  : "Recipients are listed here once the campaign starts."}
            </td>
          </tr>
        ) : (
          props.items.map((r) => (
            <tr class="border-t border-slate-200">
              <td class="px-4 py-2 font-mono">
                {/* What happened to this mail after it left: sent, delivered, opened, clicked or bounced. */}
                <a href={`/events/timeline?${new URLSearchParams({ email: r.email, campaignId: props.campaignId })}`} class="text-sky-700 underline" title="This recipient's events" safe>
                  {r.email}
                </a>
              </td>
              <td class="px-4 py-2">
                <RecipientBadge status={r.status} />
              </td>
              <td class="px-4 py-2 text-slate-600">{r.sentAt ? <ZonedTime at={r.sentAt} zone={props.zone} now={props.now} /> : "—"}</td>
              <td class="max-w-64 truncate px-4 py-2 font-mono text-xs text-slate-600" data-testid="message-id" safe>
                {r.messageId ?? "—"}
              </td>
              <td class="min-w-48 px-4 py-2 text-xs text-red-800" safe>
                {r.error ?? ""}
              </td>
            </tr>
          ))
        )}
      </Table>
      <Pagination page={props.page} pageSize={props.pageSize} total={props.total} href={(page) => recipientsUrl(props.campaignId, { status: props.status, page })} target="#recipients" />
    </div>
  );
}

const CARDS: { key: keyof CampaignCounts; label: string; ofSent?: boolean; machine?: keyof CampaignCounts }[] = [
  { key: "sent", label: "Sent" },
  { key: "delivered", label: "Delivered", ofSent: true },
  { key: "bounced", label: "Bounced", ofSent: true },
  { key: "complained", label: "Complained", ofSent: true },
  { key: "failed", label: "Failed" },
  { key: "unknown", label: "Unknown" },
  { key: "suppressed", label: "Suppressed" },
  // People first; what only machines (privacy proxies, link scanners) fetched beside it.
  { key: "humanOpened", label: "Opened by people", ofSent: true, machine: "machineOpened" },
  { key: "humanClicked", label: "Clicked by people", ofSent: true, machine: "machineClicked" },
  { key: "unsubscribed", label: "Unsubscribed", ofSent: true },
];

function share(part: number, whole: number): string {
  return whole > 0 ? `${((part * 100) / whole).toFixed(1)}% of sent` : "";
}

/** Sending in numbers: the bar with sent / total, the rate and the time left, and a card per count. public/islands/campaigns.js keeps them current. */
function Progress({ campaign, zone, now }: { campaign: Campaign; zone: string; now: Date }) {
  const { counts } = campaign;
  const progress = progressOf(counts);
  const live = LIVE.includes(campaign.status);
  const sentLabel =
    campaign.status === "draft"
      ? "Not launched yet"
      : !campaign.expanded && counts.total === 0
        ? "Preparing the recipients…"
        : `${n(counts.sent)} of ${n(counts.total)} sent${counts.failed ? ` · ${n(counts.failed)} failed` : ""}`;
  const eta =
    campaign.status === "scheduled" && campaign.scheduledAt
      ? `Starts at ${shortTime(campaign.scheduledAt, zone, now)}`
      : campaign.status === "paused"
        ? "Paused"
        : campaign.status === "running"
          ? counts.queued + counts.sending > 0 || !campaign.expanded
            ? "Working out the time left…"
            : "Finishing…"
          : campaign.status === "sent"
            ? "Done"
            : "";
  return (
    <div
      x-data="campaignProgress"
      data-url={`/campaigns/${campaign.id}`}
      data-status={campaign.status}
      data-live={live ? "true" : "false"}
      // Deliveries, opens and clicks keep arriving for days after the last mail leaves.
      data-watch={campaign.status === "sent" && campaign.finishedAt && now.getTime() - campaign.finishedAt.getTime() < WATCH_MS ? "true" : "false"}
      data-sent={String(counts.sent)}
      data-total={String(counts.total)}
      data-percent={String(progress.percent)}
      data-testid="campaign-progress"
    >
      <Card title="Progress" id="progress">
        <ProgressBar percent={progress.percent} label="Share of recipients done" testid="progress-bar" />
        <div class="mt-2 flex flex-wrap items-baseline justify-between gap-x-6 gap-y-1 text-sm">
          <p>
            <span class="font-medium tabular-nums" x-text="sentLabel" data-testid="progress-sent" safe>
              {sentLabel}
            </span>{" "}
            <span class="text-slate-500 tabular-nums" x-text="percentLabel" data-testid="progress-percent" safe>
              {`${progress.percent}%`}
            </span>
          </p>
          <p class="text-slate-600">
            <span class="tabular-nums" x-text="rateLabel" data-testid="progress-rate">
              {campaign.status === "running" ? "Measuring the rate…" : ""}
            </span>
            <span class="ml-3 tabular-nums" x-text="etaLabel" data-testid="progress-eta" safe>
              {eta}
            </span>
          </p>
        </div>
      </Card>
      <section aria-label="Counts" class="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="counts">
        {CARDS.map((card) => (
          <div class="min-w-0 rounded-lg border border-slate-200 bg-white p-3">
            <p class="text-2xl font-semibold tabular-nums" data-count={card.key} safe>
              {n(counts[card.key])}
            </p>
            <p class="text-sm text-slate-600" safe>
              {card.label}
            </p>
            {card.ofSent ? (
              <p class="text-xs text-slate-500 tabular-nums" data-share={card.key} safe>
                {share(counts[card.key], counts.sent)}
              </p>
            ) : (
              ""
            )}
            {card.machine ? (
              <p class="text-xs text-slate-500">
                <span class="tabular-nums" data-count={card.machine} safe>
                  {n(counts[card.machine])}
                </span>{" "}
                by machines only
              </p>
            ) : (
              ""
            )}
          </div>
        ))}
      </section>
    </div>
  );
}

/** The actions this campaign's state allows; the destructive ones ask first, naming what is lost. */
function Actions({ campaign }: { campaign: Campaign }) {
  const id = campaign.id;
  const act = { "hx-target": "#flash", "hx-swap": "innerHTML", "hx-disabled-elt": "this" };
  const waiting = campaign.counts.queued + campaign.counts.sending;
  const cancelText =
    campaign.status === "draft" || campaign.status === "scheduled"
      ? `Cancel "${campaign.name}"? It will not be sent, and a cancelled campaign cannot be started again.`
      : `Cancel "${campaign.name}"? The ${n(waiting)} recipient${waiting === 1 ? "" : "s"} not mailed yet will not be, and a cancelled campaign cannot be started again.`;
  const editable = (campaign.status === "draft" || campaign.status === "scheduled") && campaign.kind === "campaign";
  return (
    <div class="mb-6 flex flex-wrap gap-2" data-testid="campaign-actions">
      {campaign.status === "running" ? (
        <Button kind="secondary" type="button" hx-post={`/campaigns/${id}/pause`} {...act}>
          Pause
        </Button>
      ) : (
        ""
      )}
      {campaign.status === "paused" ? (
        <Button type="button" hx-post={`/campaigns/${id}/resume`} {...act}>
          Resume
        </Button>
      ) : (
        ""
      )}
      {editable ? (
        <a href={`/campaigns/${id}/edit`} class={SECONDARY_LINK}>
          Edit
        </a>
      ) : (
        ""
      )}
      {["draft", "scheduled", "running", "paused"].includes(campaign.status) ? (
        <Button kind="danger" type="button" hx-post={`/campaigns/${id}/cancel`} hx-confirm={cancelText} {...act}>
          Cancel campaign
        </Button>
      ) : (
        ""
      )}
      {campaign.status === "draft" || campaign.status === "cancelled" ? (
        <Button kind="danger" type="button" hx-delete={`/campaigns/${id}`} hx-confirm={`Delete "${campaign.name}"? It and its report are gone for good.`} {...act}>
          Delete
        </Button>
      ) : (
        ""
      )}
    </div>
  );
}

/** Recipients whose outcome is unknown: what that means, and the person's choice. */
function UnknownNotice({ campaign }: { campaign: Campaign }) {
  const count = campaign.counts.unknown;
  const settled = campaign.counts.settled;
  const settledLine = settled > 0 ? `${n(settled)} settled by SES events (SES reported them sent); ${n(count)} still unknown.` : "";
  if (count === 0 && settled > 0) {
    return (
      <Notice tone="sky" testid="unknown-notice">
        <p safe>{`Every unknown outcome is settled: ${n(settled)} settled by SES events (SES reported them sent); 0 still unknown.`}</p>
      </Notice>
    );
  }
  if (count === 0 || !["running", "paused", "sent"].includes(campaign.status)) return "";
  return (
    <div x-data="dismissible" x-show="open" data-testid="unknown-notice">
      <Notice tone="amber">
        <p class="mb-1 font-medium" safe>{`${n(count)} recipient${count === 1 ? "'s" : "s'"} outcome is unknown`}</p>
        {settledLine ? (
          <p class="mb-1" data-testid="settled" safe>
            {settledLine}
          </p>
        ) : (
          ""
        )}
        <p class="mb-3">
          Sesame stopped before SES answered for these; they may or may not have received it. An SES event about one of them settles it by itself. Sesame never sends to them again by itself. Resend if missing the email matters more than getting it twice; otherwise leave them as they are.
        </p>
        <div class="flex flex-wrap gap-2">
          <Button
            type="button"
            hx-post={`/campaigns/${campaign.id}/resend-unknown`}
            hx-target="#flash"
            hx-swap="innerHTML"
            hx-disabled-elt="this"
            hx-confirm={`Resend to the ${n(count)} recipient${count === 1 ? "" : "s"} whose outcome is unknown? Those who did receive it will get it twice.`}
          >
            Resend to them
          </Button>
          <Button kind="secondary" type="button" x-on:click="dismiss">
            Leave them
          </Button>
        </div>
      </Notice>
    </div>
  );
}

export interface CampaignPageProps {
  auth: Auth;
  campaign: Campaign;
  recipients: RecipientsTableProps;
  lists: ListSummary[];
  reputation: { campaign: Rates; workspace: Rates };
  /** Once the campaign has started: its figures, links, bounces and complaints. */
  report?: CampaignReport | null;
  zone: string;
  now: Date;
  notice: string | null;
}

export function CampaignPage({ auth, campaign, recipients, lists, reputation, report, zone, now, notice }: CampaignPageProps) {
  const listNames = campaign.listIds.map((id) => lists.find((l) => l.id === id)?.name ?? "A deleted list");
  const holding = campaign.status === "running" && campaign.holdUntil && campaign.holdUntil.getTime() > now.getTime();
  return (
    <AppShell
      auth={auth}
      active="campaigns"
      title={campaign.name}
      crumbs={[{ href: "/campaigns", label: "Campaigns" }]}
      action={
        campaign.status === "draft" ? (
          <a href={`/campaigns/${campaign.id}/review`} class={LINK_BUTTON}>
            Review and launch
          </a>
        ) : undefined
      }
    >
      <script src="/assets/islands/campaigns.js"></script>
      {report ? <ReportAssets /> : ""}
      {notice ? (
        <div class="mb-4">
          <Flash kind="success" message={notice} />
        </div>
      ) : (
        ""
      )}
      {campaign.status === "paused" || holding ? (
        <Notice tone="amber" testid="pause-reason">
          <p class="font-medium">
            {holding ? "Waiting for the 24-hour sending quota" : "Paused"}
          </p>
          <p safe>{campaign.pauseReason ?? (holding ? "SES's 24-hour quota is used up." : "")}</p>
          {holding && campaign.holdUntil ? (
            <p>
              It carries on by itself at <ZonedTime at={campaign.holdUntil} zone={zone} now={now} />.
            </p>
          ) : (
            ""
          )}
        </Notice>
      ) : (
        ""
      )}
      <div class="mb-4 flex flex-wrap items-center gap-3 text-sm">
        <CampaignBadge campaign={campaign} zone={zone} now={now} />
        {campaign.status === "scheduled" && campaign.scheduledAt ? (
          <span class="text-slate-600">
            Starts by itself at <ZonedTime at={campaign.scheduledAt} zone={zone} now={now} /> <span safe>{`(${zone})`}</span>
          </span>
        ) : campaign.launchedAt ? (
          <span class="text-slate-600">
            Started <ZonedTime at={campaign.launchedAt} zone={zone} now={now} />
            {campaign.finishedAt ? (
              <>
                {", ended "}
                <ZonedTime at={campaign.finishedAt} zone={zone} now={now} />
              </>
            ) : (
              ""
            )}
          </span>
        ) : (
          ""
        )}
      </div>
      <Actions campaign={campaign} />
      <UnknownNotice campaign={campaign} />
      <Progress campaign={campaign} zone={zone} now={now} />
      {campaign.status === "draft" || campaign.status === "scheduled" ? (
        ""
      ) : (
        <Card title="Reputation" id="reputation">
          <h3 class="mb-2 text-sm font-medium text-slate-700">This campaign</h3>
          <ReputationRates rates={reputation.campaign} guarded={campaign.guarded} />
          <h3 class="mb-2 mt-4 text-sm font-medium text-slate-700">The whole workspace, last 24 hours</h3>
          <ReputationRates rates={reputation.workspace} />
        </Card>
      )}
      {report ? <Report r={report} /> : ""}
      <Card title="Recipients" id="recipients-card">
        <RecipientsTable {...recipients} />
      </Card>
      <Card title="Details" id="details">
        <dl class="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
          <Fact label="From" value={campaign.from} />
          <Fact label="Replies go to" value={campaign.replyTo ?? "The sender"} />
          <Fact label="Subject" value={campaign.subject || "None yet"} />
          <Fact label={campaign.kind === "send" && campaign.listIds.length === 0 ? "Sent to" : "Lists"} value={campaign.kind === "send" && campaign.listIds.length === 0 ? "Addresses given one by one" : listNames.join(", ") || "None chosen"} />
          <Fact label="Opens and clicks" value={campaign.tracking ? "Tracked" : "Not tracked"} />
          <Fact label="Duplicates across lists" value={n(campaign.duplicates)} />
          <Fact label="Attachments" value={campaign.attachments.length ? campaign.attachments.map((a) => `${a.filename} (${sizeInWords(a.size)})`).join(", ") : "None"} />
        </dl>
      </Card>
    </AppShell>
  );
}
