import type { WorkspaceUsage } from "../../src/features/admin/model";
import { USAGE_RATES_DAYS } from "../../src/features/admin/model";
import type { Auth } from "../../src/features/auth/model";
import { percent } from "../../src/features/campaigns/guard";
import { EmptyState } from "../components/EmptyState";
import { count } from "../components/format";
import { Table } from "../components/Table";
import { LocalTime } from "../lists/parts";
import { AdminFrame } from "./parts";

const right = (label: string) => ({ cell: label, align: "right" as const });

/** Sending per workspace, from counters only: nobody's lists, templates or mail are read for it. */
export function UsagePage({ auth, items }: { auth: Auth; items: WorkspaceUsage[] }) {
  return (
    <AdminFrame auth={auth} active="usage" title="Usage per workspace">
      <p class="mb-4 max-w-prose text-sm text-slate-600">
        {`Mails sent today and this month (UTC), each workspace's SES quota as last read, and its bounce and complaint rates over the last ${USAGE_RATES_DAYS} days. Counted from totals only: nobody's lists, templates or mail are opened.`}
      </p>
      {items.length === 0 ? (
        <EmptyState title="No workspaces yet">Workspaces appear here once people sign up.</EmptyState>
      ) : (
        <Table
          testid="admin-usage"
          headers={["Workspace", right("Members"), right("Sent today"), right("Sent this month"), right("SES quota used (24 h)"), right("Bounce rate"), right("Complaint rate")]}
        >
          {items.map((w) => (
            <tr class="border-t border-slate-200" data-workspace={w.id}>
              <td class="px-4 py-2" safe>
                {w.name}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {count(w.members)}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {count(w.sentToday)}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {count(w.sentThisMonth)}
              </td>
              <td class="px-4 py-2 text-right tabular-nums">
                {w.quota ? (
                  <>
                    <span class="block" safe>{`${count(w.quota.sentLast24Hours)} of ${count(w.quota.max24HourSend)}`}</span>
                    <span class="block text-xs text-slate-500">
                      <span safe>{`${w.quota.region}, read `}</span>
                      <LocalTime at={w.quota.measuredAt} withTime />
                    </span>
                  </>
                ) : (
                  <span class="text-slate-500">not read yet</span>
                )}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {w.bounceRate === null ? "—" : percent(w.bounceRate)}
              </td>
              <td class="px-4 py-2 text-right tabular-nums" safe>
                {w.complaintRate === null ? "—" : percent(w.complaintRate)}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </AdminFrame>
  );
}
