import type { Auth } from "../../src/features/auth/model";
import { progressOf } from "../../src/features/campaigns/forms";
import type { CampaignCounts, CampaignView } from "../../src/features/campaigns/model";
import { EmptyState } from "../components/EmptyState";
import { Flash } from "../components/Flash";
import { Pagination } from "../components/Pagination";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";
import { CampaignBadge, LINK_BUTTON, ProgressBar, ZonedTime } from "./parts";
import { count as n } from "../components/format";

export interface CampaignsTableProps {
  items: (CampaignView & { counts: CampaignCounts })[];
  total: number;
  page: number;
  pageSize: number;
  zone: string;
  now: Date;
}


export function campaignsUrl(page: number): string {
  return page > 1 ? `/campaigns?page=${page}` : "/campaigns";
}

/** The campaigns of the workspace, newest first; the pages swap this table in place (htmx) and push their URL. */
export function CampaignsTable({ items, total, page, pageSize, zone, now }: CampaignsTableProps) {
  return (
    <div id="campaigns" data-testid="campaigns">
      <Table
        headers={["Campaign", "Status", "Progress", { cell: "Sent", align: "right" }, { cell: "Failed", align: "right" }, { cell: "Unknown", align: "right" }, { cell: "Opened", align: "right" }, { cell: "Clicked", align: "right" }, { cell: "Created", align: "right" }]}
        testid="campaigns-table"
      >
        {items.length === 0 ? (
          <tr class="border-t border-slate-200">
            <td colspan="9" class="px-4 py-6 text-center text-slate-600">
              There is nothing on this page. <a href="/campaigns" class="underline">Back to the first page</a>
            </td>
          </tr>
        ) : (
          items.map((c) => {
            const progress = progressOf(c.counts);
            return (
              <tr class="border-t border-slate-200" data-campaign={c.id}>
                <td class="px-4 py-2">
                  <a href={`/campaigns/${c.id}`} class="font-medium text-sky-700 underline" safe>
                    {c.name}
                  </a>
                  <p class="max-w-72 truncate text-xs text-slate-500" safe>
                    {c.subject || "No subject yet"}
                  </p>
                </td>
                <td class="px-4 py-2">
                  <CampaignBadge campaign={c} zone={zone} now={now} />
                </td>
                <td class="w-40 min-w-32 px-4 py-2">
                  {c.status === "running" || c.status === "paused" ? (
                    <>
                      <ProgressBar percent={progress.percent} label={`Progress of ${c.name}`} />
                      <span class="text-xs text-slate-500" safe>{`${progress.percent}%`}</span>
                    </>
                  ) : (
                    <span class="text-xs text-slate-400">—</span>
                  )}
                </td>
                <td class="px-4 py-2 text-right tabular-nums whitespace-nowrap" safe>
                  {`${n(c.counts.sent)} / ${n(c.counts.total)}`}
                </td>
                <td class="px-4 py-2 text-right tabular-nums" safe>
                  {n(c.counts.failed)}
                </td>
                <td class="px-4 py-2 text-right tabular-nums" safe>
                  {n(c.counts.unknown)}
                </td>
                <EngagementCell people={c.counts.humanOpened} machines={c.counts.machineOpened} />
                <EngagementCell people={c.counts.humanClicked} machines={c.counts.machineClicked} />
                <td class="px-4 py-2 text-right text-slate-600">
                  <ZonedTime at={c.createdAt} zone={zone} now={now} />
                </td>
              </tr>
            );
          })
        )}
      </Table>
      <Pagination page={page} pageSize={pageSize} total={total} href={campaignsUrl} target="#campaigns" />
    </div>
  );
}

/** People first; machines (privacy proxies, link scanners) beside them. */
function EngagementCell({ people, machines }: { people: number; machines: number }) {
  return (
    <td class="px-4 py-2 text-right tabular-nums whitespace-nowrap">
      <span title="People" safe>
        {n(people)}
      </span>
      <span class="block text-xs text-slate-500" title="Machines only: privacy proxies, link scanners" safe>
        {`+ ${n(machines)} machines`}
      </span>
    </td>
  );
}

export function CampaignsPage({ auth, table, notice }: { auth: Auth; table: CampaignsTableProps; notice: string | null }) {
  return (
    <AppShell
      auth={auth}
      active="campaigns"
      title="Campaigns"
      action={
        <div class="flex flex-wrap gap-2">
          <a href="/send" class="inline-flex items-center rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50">
            Send an email
          </a>
          <a href="/campaigns/new" class={LINK_BUTTON}>
            New campaign
          </a>
        </div>
      }
    >
      <script src="/assets/islands/campaigns.js"></script>
      {notice ? (
        <div class="mb-4">
          <Flash kind="success" message={notice} />
        </div>
      ) : (
        ""
      )}
      {table.total === 0 ? (
        <EmptyState title="No campaigns yet">
          <p class="mb-4">A campaign sends one template to the contacts of one or more lists, now or at a time you choose, and reports on every recipient.</p>
          <a href="/campaigns/new" class={LINK_BUTTON}>
            New campaign
          </a>
        </EmptyState>
      ) : (
        <CampaignsTable {...table} />
      )}
    </AppShell>
  );
}
