import type { Auth } from "../../src/features/auth/model";
import { REASON_LABEL, SUPPRESSION_REASONS, type SuppressionReason } from "../../src/features/suppressions/model";
import { Button } from "../components/Button";
import { Pagination } from "../components/Pagination";
import { Table } from "../components/Table";
import { AppShell } from "../layouts/AppShell";

export interface SuppressionsTableProps {
  items: { id: number; email: string; reason: SuppressionReason; source: string | null; eventId: number | null; createdAt: Date }[];
  total: number;
  page: number;
  pageSize: number;
  q: string;
  reason: string;
  canRemove: boolean;
}

export function SuppressionsTable(props: SuppressionsTableProps) {
  const url = (page: number) => `/suppressions?${new URLSearchParams({ q: props.q, reason: props.reason, page: String(page) })}`;
  return (
    <div id="suppressions" data-testid="suppressions" hx-get={url(props.page)} hx-trigger="suppressions-changed from:body" hx-swap="outerHTML">
      {props.items.length === 0 ? (
        <p class="rounded-lg border border-dashed border-slate-300 bg-white px-6 py-8 text-center text-sm text-slate-600">
          {props.q || props.reason ? "No suppressed address matches." : "No suppressed addresses. Hard bounces, complaints and unsubscribes are added here automatically."}
        </p>
      ) : (
        <Table headers={["Email", "Reason", "Since", ""]}>
          {props.items.map((s) => (
                <tr id={`suppression-${s.id}`} class="border-t border-slate-200">
                  <td class="px-4 py-2 font-mono" safe>
                    {s.email}
                  </td>
                  <td class="px-4 py-2">
                    {s.eventId ? (
                      // The event that caused it, in the address's timeline.
                      <a href={`/events/timeline?${new URLSearchParams({ email: s.email })}#event-${s.eventId}`} class="text-sky-700 underline" data-testid="suppression-cause" safe>
                        {REASON_LABEL[s.reason]}
                      </a>
                    ) : (
                      <span safe>{REASON_LABEL[s.reason]}</span>
                    )}
                  </td>
                  <td class="px-4 py-2 text-slate-500" safe>
                    {s.createdAt.toISOString().slice(0, 10)}
                  </td>
                  <td class="px-4 py-2 text-right">
                    {props.canRemove ? (
                      <button
                        class="text-xs text-red-700 underline"
                        hx-delete={`/suppressions/${s.id}`}
                        hx-target={`#suppression-${s.id}`}
                        hx-swap="outerHTML"
                        hx-confirm={`Make ${s.email} mailable again? Only do this if you are sure they want your mail.`}
                      >
                        Remove
                      </button>
                    ) : (
                      ""
                    )}
                  </td>
                </tr>
          ))}
        </Table>
      )}
      <Pagination page={props.page} pageSize={props.pageSize} total={props.total} href={url} target="#suppressions" />
    </div>
  );
}

export function SuppressionsPage({ auth, table }: { auth: Auth; table: SuppressionsTableProps }) {
  return (
    <AppShell auth={auth} active="lists" title="Suppression list">
      <p class="mb-4 text-sm text-slate-600 max-w-prose">
        Sesame never sends to these addresses, whatever list they are on. Hard bounces, complaints and unsubscribes land here on their own; you can add
        addresses by hand or from a CSV. SES keeps a list of its own for the whole AWS account; see and sync it on the{" "}
        <a href="/settings/aws/suppressions" class="text-sky-700 underline" data-testid="ses-suppressions-link">
          SES suppression list
        </a>{" "}
        page.
      </p>
      <div class="mb-6 grid gap-6 md:grid-cols-2">
        <form hx-post="/suppressions" hx-target="#suppression-flash" hx-swap="innerHTML" class="flex items-end gap-2">
          <div class="min-w-0 flex-1">
            <label for="suppress-email" class="block text-sm font-medium text-slate-700 mb-1">
              Suppress an address
            </label>
            <input id="suppress-email" name="email" type="email" required class="block w-full rounded border border-slate-300 px-3 py-2 text-sm" />
          </div>
          <Button kind="secondary">Add</Button>
        </form>
        <form hx-post="/suppressions/import" hx-encoding="multipart/form-data" hx-target="#suppression-flash" hx-swap="innerHTML" class="flex items-end gap-2">
          <div class="min-w-0 flex-1">
            <label for="suppress-file" class="block text-sm font-medium text-slate-700 mb-1">
              Import a CSV of addresses
            </label>
            <input id="suppress-file" name="file" type="file" accept=".csv,.txt,text/csv" required class="block w-full min-w-0 text-sm" />
          </div>
          <Button kind="secondary">Import</Button>
        </form>
      </div>
      <div id="suppression-flash" class="mb-4" aria-live="polite"></div>
      <form class="mb-4 flex flex-wrap gap-2" hx-get="/suppressions" hx-target="#suppressions" hx-swap="outerHTML" role="search">
        <label for="suppression-search" class="sr-only">
          Search suppressed addresses
        </label>
        <input id="suppression-search" name="q" type="search" value={table.q} placeholder="Search addresses" class="w-72 rounded border border-slate-300 px-3 py-2 text-sm" />
        <label for="suppression-reason" class="sr-only">
          Reason
        </label>
        <select id="suppression-reason" name="reason" class="rounded border border-slate-300 px-3 py-2 text-sm">
          <option value="">Every reason</option>
          {SUPPRESSION_REASONS.map((r) => (
            <option value={r} selected={table.reason === r} safe>
              {REASON_LABEL[r]}
            </option>
          ))}
        </select>
        <Button kind="secondary">Filter</Button>
        <a href="/suppressions/export.csv" class="ml-auto self-center text-sm text-sky-700 underline" download="">
          Export CSV
        </a>
      </form>
      <SuppressionsTable {...table} />
    </AppShell>
  );
}
